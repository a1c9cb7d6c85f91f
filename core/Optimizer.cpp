#include "Optimizer.h"

#include "Error.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ss {

std::string lrDecayName(LrDecay d)
{
    switch (d) {
    case LrDecay::Constant: return "constant";
    case LrDecay::Cosine: return "cosine";
    case LrDecay::Step: return "step";
    }
    return "constant";
}

LrDecay lrDecayFromName(const std::string& s)
{
    for (auto d : {LrDecay::Constant, LrDecay::Cosine, LrDecay::Step})
        if (lrDecayName(d) == s) return d;
    throw InputError("unknown learning-rate decay '" + s + "' (expected constant, cosine or step)");
}

void OptimizerConfig::validate() const
{
    auto check = [](bool ok, const std::string& what, double value) {
        if (!ok) throw InputError(what + " (got " + std::to_string(value) + ")");
    };
    check(std::isfinite(learningRate) && learningRate > 0 && learningRate <= 1, "learning rate must be in (0, 1]",
          learningRate);
    check(beta1 >= 0 && beta1 < 1, "Adam beta1 must be in [0, 1)", beta1);
    check(beta2 >= 0 && beta2 < 1, "Adam beta2 must be in [0, 1)", beta2);
    check(epsilon > 0 && std::isfinite(epsilon), "Adam epsilon must be positive", epsilon);
    check(clipNorm >= 0 && std::isfinite(clipNorm), "gradient clip norm must be >= 0 (0 = off)", clipNorm);
    check(emaDecay >= 0 && emaDecay < 1, "EMA decay must be in [0, 1)", emaDecay);
    check(warmupSteps >= 0, "warm-up steps must be >= 0", warmupSteps);
    check(decaySteps >= 1, "decay steps must be >= 1", decaySteps);
    check(finalFraction >= 0 && finalFraction <= 1, "final learning-rate fraction must be in [0, 1]", finalFraction);
}

Adam::Adam(const OptimizerConfig& config) : config_(config) { config_.validate(); }

void Adam::setConfig(const OptimizerConfig& config)
{
    config.validate();
    config_ = config;
}

void Adam::reset(const Eigen::VectorXf& params)
{
    state_.m.setZero(params.size());
    state_.v.setZero(params.size());
    state_.ema = params;
    state_.step = 0;
}

double Adam::currentLearningRate() const
{
    const auto& c = config_;
    const double step = double(state_.step);
    double lr = c.learningRate;
    if (c.warmupSteps > 0 && step < c.warmupSteps) return lr * (step + 1) / c.warmupSteps;
    const double after = step - c.warmupSteps;
    switch (c.decay) {
    case LrDecay::Constant: break;
    case LrDecay::Cosine: {
        const double p = std::min(1.0, after / c.decaySteps);
        lr *= c.finalFraction + (1 - c.finalFraction) * 0.5 * (1 + std::cos(std::numbers::pi * p));
        break;
    }
    case LrDecay::Step: lr *= std::pow(c.finalFraction, std::floor(after / c.decaySteps)); break;
    }
    return lr;
}

double Adam::update(Eigen::Ref<Eigen::VectorXf> params, Eigen::Ref<Eigen::VectorXf> grads)
{
    const double norm = std::sqrt(grads.cast<double>().squaredNorm());
    if (config_.clipNorm > 0 && norm > config_.clipNorm) grads *= float(config_.clipNorm / norm);

    const double lr = currentLearningRate();
    ++state_.step;
    const double b1 = config_.beta1, b2 = config_.beta2;
    const double c1 = 1 - std::pow(b1, double(state_.step));
    const double c2 = 1 - std::pow(b2, double(state_.step));
    // Bias corrections folded into the step size and epsilon (one fused pass).
    const float stepSize = float(lr / c1);
    const float sqrtC2 = float(std::sqrt(c2));
    const float eps = float(config_.epsilon);
    state_.m = float(b1) * state_.m + float(1 - b1) * grads;
    state_.v = float(b2) * state_.v + float(1 - b2) * grads.cwiseAbs2();
    params.array() -= stepSize * state_.m.array() / (state_.v.array().sqrt() / sqrtC2 + eps);
    const float d = float(config_.emaDecay);
    state_.ema = d * state_.ema + (1 - d) * params;
    return norm;
}

} // namespace ss
