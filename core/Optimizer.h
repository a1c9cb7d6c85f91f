#pragma once
// Adam (Kingma & Ba) over one flat parameter vector, with global gradient-norm
// clipping, a learning-rate schedule and an exponential moving average (EMA)
// of the weights. The state is a plain value: copy it to snapshot, assign it to
// restore (the trainer does both around non-finite steps).
#include "core/AdamStep.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>

namespace ss {

enum class LrDecay { Constant, Cosine, Step };

std::string lrDecayName(LrDecay d);            // "constant", "cosine", "step"
LrDecay lrDecayFromName(const std::string& s); // throws InputError

struct OptimizerConfig {
    // The accepted learning rates, one home for the core and every front end
    // (the CLI's --lr range, the window's spin box). The floor is where the
    // trainer's halving after a divergence stops.
    static constexpr double kMinLearningRate = 1e-12;
    static constexpr double kMaxLearningRate = 1.0;
    double learningRate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double clipNorm = 1.0;    // global gradient-norm clip; 0 = off
    double emaDecay = 0.999;  // 0 = EMA follows the weights exactly; warmed up (emaDecayAt)
    int warmupSteps = 0;      // linear ramp from 0 to learningRate
    LrDecay decay = LrDecay::Constant;
    int decaySteps = 10000;   // cosine: steps to reach finalFraction; step: period
    double finalFraction = 0.1; // cosine end value / step factor, as a fraction of learningRate

    // Throws InputError naming the bad field.
    void validate() const;
    bool operator==(const OptimizerConfig&) const = default;
};

// The EMA decay used at the update after t updates: min(decay, (1+t)/(10+t)),
// so the average forgets the initialisation while it is young. It depends on
// the step count alone (saved in AdamState), so a resumed run continues exactly.
double emaDecayAt(double decay, std::int64_t t);

struct AdamState {
    Eigen::VectorXf m, v;   // first and second moments
    Eigen::VectorXf ema;    // EMA of the weights
    std::int64_t step = 0;  // updates applied so far
};

class Adam {
public:
    explicit Adam(const OptimizerConfig& config = {});

    const OptimizerConfig& config() const { return config_; }
    // Takes effect at the next update (validated; throws InputError).
    void setConfig(const OptimizerConfig& config);

    // Sets the state for params of this size; the EMA starts at params.
    void reset(const Eigen::VectorXf& params);
    const AdamState& state() const { return state_; }
    void setState(const AdamState& state) { state_ = state; }

    // The learning rate the next update will use (warm-up and decay applied).
    double currentLearningRate() const;
    // The EMA decay the next update will use (emaDecayAt of the step count).
    double currentEmaDecay() const;

    // Clips grads in place to the configured norm, applies one Adam update to
    // params and the EMA. Returns the gradient norm before clipping. Precondition:
    // reset() was called with params of the same size.
    double update(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<Eigen::VectorXf> grads);

    // The same update in two parts, for splitting it over threads: beginUpdate
    // (one thread) advances the step and returns the constants; applyRange
    // (any thread, disjoint ranges) clips grads and updates params, moments
    // and EMA on [begin, end).
    AdamStep beginUpdate(double gradNorm);
    void applyRange(const AdamStep& step, float* params, float* grads, Eigen::Index begin, Eigen::Index end);

private:
    OptimizerConfig config_;
    AdamState state_;
};

} // namespace ss
