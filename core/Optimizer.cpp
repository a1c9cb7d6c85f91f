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

    const double lr = currentLearningRate();
    ++state_.step;
    const double b1 = config_.beta1, b2 = config_.beta2;
    const double c1 = 1 - std::pow(b1, double(state_.step));
    const double c2 = 1 - std::pow(b2, double(state_.step));
    // One fused pass over the five arrays (clip, moments, step, EMA): the
    // update is memory-bound, and separate Eigen statements would read and
    // write each array several times. Bias corrections are folded into the
    // step size and epsilon.
    const float scale = config_.clipNorm > 0 && norm > config_.clipNorm ? float(config_.clipNorm / norm) : 1.0f;
    const float stepSize = float(lr / c1), invSqrtC2 = float(1 / std::sqrt(c2)), eps = float(config_.epsilon);
    const float fb1 = float(b1), fb2 = float(b2), ob1 = float(1 - b1), ob2 = float(1 - b2);
    const float d = float(config_.emaDecay), od = 1 - d;
    float* p = params.data();
    float* g = grads.data();
    float* m = state_.m.data();
    float* v = state_.v.data();
    float* e = state_.ema.data();
    const Eigen::Index n = params.size();
    for (Eigen::Index i = 0; i < n; ++i) {
        const float gi = g[i] * scale;
        g[i] = gi;
        const float mi = fb1 * m[i] + ob1 * gi;
        const float vi = fb2 * v[i] + ob2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const float pi = p[i] - stepSize * mi / (std::sqrt(vi) * invSqrtC2 + eps);
        p[i] = pi;
        e[i] = d * e[i] + od * pi;
    }
    return norm;
}

} // namespace ss
