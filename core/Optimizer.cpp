#include "core/Optimizer.h"

#include "core/AdamLoop.h"
#include "core/Error.h"
#include "core/Simd.h"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <limits>
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

namespace {
std::string shortNumber(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
} // namespace

void OptimizerConfig::validate() const
{
    auto check = [](bool ok, const std::string& what, double value) {
        if (!ok) throw InputError(what + " (got " + std::to_string(value) + ")");
    };
    check(learningRate >= kMinLearningRate && learningRate <= kMaxLearningRate,
          "learning rate must be in [" + shortNumber(kMinLearningRate) + ", " + shortNumber(kMaxLearningRate) + "]",
          learningRate);
    check(beta1 >= 0 && beta1 < 1, "Adam beta1 must be in [0, 1)", beta1);
    check(beta2 >= 0 && beta2 < 1, "Adam beta2 must be in [0, 1)", beta2);
    check(epsilon > 0 && std::isfinite(epsilon), "Adam epsilon must be positive", epsilon);
    check(clipNorm >= 0 && std::isfinite(clipNorm), "gradient clip norm must be >= 0 (0 = off)", clipNorm);
    check(emaDecay >= 0 && emaDecay < 1, "EMA decay must be in [0, 1)", emaDecay);
    check(warmupSteps >= 0, "warm-up steps must be >= 0", warmupSteps);
    check(decaySteps >= 1, "decay steps must be >= 1", decaySteps);
    check(finalFraction >= 0 && finalFraction <= 1, "final learning-rate fraction must be in [0, 1]", finalFraction);
    check(decay != LrDecay::Step || finalFraction > 0,
          "step decay needs a positive factor (0 would stop training silently)", finalFraction);
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
    const AdamStep step = beginUpdate(norm);
    applyRange(step, params.data(), grads.data(), 0, params.size());
    return norm;
}

double emaDecayAt(double decay, std::int64_t t)
{
    // Warm-up (as in TensorFlow's ExponentialMovingAverage with num_updates):
    // with a constant decay d the EMA keeps d^t of its start, the random
    // initial weights (0.999^2000 = 13.5% after 2,000 steps); capping the
    // decay at (1 + t)/(10 + t) lets the early average follow the weights
    // (0.1 at the first update, 0.5 at t = 8, 0.9 at t = 80) and reach d
    // only after t = (10 d - 1)/(1 - d) updates (8,991 for 0.999).
    return std::min(decay, (1.0 + double(t)) / (10.0 + double(t)));
}

double Adam::currentEmaDecay() const { return emaDecayAt(config_.emaDecay, state_.step); }

AdamStep Adam::beginUpdate(double gradNorm)
{
    const double lr = currentLearningRate();
    const double emaDecay = currentEmaDecay(); // t = updates before this one
    ++state_.step;
    const double b1 = config_.beta1, b2 = config_.beta2;
    const double c1 = 1 - std::pow(b1, double(state_.step));
    const double c2 = 1 - std::pow(b2, double(state_.step));
    AdamStep s;
    // Textbook Adam, lr * mhat / (sqrt(vhat) + eps): the bias corrections are
    // folded into stepSize (1/c1) and invSqrtC2; eps itself is not rescaled.
    s.scale = config_.clipNorm > 0 && gradNorm > config_.clipNorm ? float(config_.clipNorm / gradNorm) : 1.0f;
    s.stepSize = float(lr / c1);
    s.invSqrtC2 = float(1 / std::sqrt(c2));
    s.epsilon = float(config_.epsilon);
    s.beta1 = float(b1);
    s.beta2 = float(b2);
    s.emaDecay = float(emaDecay);
    return s;
}

void Adam::applyRange(const AdamStep& s, float* params, float* grads, Eigen::Index begin, Eigen::Index end)
{
    if (const simd::Kernels* k = simd::kernels())
        k->adam(s, params, grads, state_.m.data(), state_.v.data(), state_.ema.data(), long(begin), long(end));
    else
        adamLoop(s, params, grads, state_.m.data(), state_.v.data(), state_.ema.data(), long(begin), long(end));
}

} // namespace ss
