// The Sampler's EDM and DPM-Solver steps (core/FastSamplers.h has the
// formulas): each stage of the plan is one step of the method's grid.
#include "core/Sampler.h"

#include "core/FastSamplers.h"
#include "core/SamplerDefaults.h"
#include "core/StepParts.h"

#include <algorithm>
#include <cmath>

namespace ss {

double Sampler::edmSigmaRange(const NoiseSchedule& schedule, const ScoreSource& source, bool largest) const
{
    const double given = largest ? config_.edmSigmaMax : config_.edmSigmaMin;
    if (given > 0) return given;
    // sigma_min: the samplers' end time (Sampler::odeEnd; a network was not
    // trained closer to the data). sigma_max: from the data's diameter where
    // the source knows it, at most the schedule's (SamplerDefaults).
    const double smallest = config_.edmSigmaMin > 0 ? config_.edmSigmaMin : edmSigma(schedule.sdeMarginal(odeEnd(schedule)));
    if (!largest) return smallest;
    return edmDefaultSigmaMax(schedule, smallest, source.dataExtent());
}

void Sampler::edmRun(const Stage& s)
{
    const Eigen::Matrix2Xd x0 = x_;
    const ModelFn denoise = [&](const Eigen::Matrix2Xd& y, const NoiseLevel& level) {
        Eigen::Matrix2Xd sc;
        evalScore(y, level, sc);
        return x0FromScore(y, sc, level);
    };
    // Churn (Algorithm 2): up to the schedule's largest sigma, where its levels end.
    const double sigma = edmSigma(s.from);
    const double gamma = edmGamma(config_, sigma);
    const double sHat = std::min(sigma * (1.0 + gamma), edmSigma(schedule_.sdeMarginal(1.0)));
    NoiseLevel hat = s.from;
    if (sHat > sigma) {
        hat = levelAtSigma(schedule_, sHat);
        drawNoise(z_);
    }
    terms_.noise = edmStep(x_, s.from, hat, s.to, config_.edmNoise, z_, denoise);
    // x' = (mean'/mean) x + the denoiser's pull + churn noise: the first is the drift.
    const double cx = s.to.marginal.mean / s.from.marginal.mean;
    terms_.drift = (cx - 1.0) * x0;
    terms_.score = x_ - x0 - terms_.drift - cx * terms_.noise;
    terms_.noise *= cx;
    if (tracing()) {
        PartSpec p;
        p.title = std::string(s.last ? "EDM (Euler, last step)" : "EDM (Heun)") + (sHat > sigma ? " with churn" : "");
        p.equation = s.last ? "x̂′ = D(x̂, σ̂)  (σ′ = 0),  x̂ = x/m"
                            : "x̂′ = x̂ + (σ′ − σ̂)·(d + d′)/2,  d = (x̂ − D(x̂, σ̂))/σ̂,  x̂ = x/m";
        p.constants = {{"σ", sigma}, {"σ̂", sHat}, {"σ′", edmSigma(s.to)}, {"m", s.from.marginal.mean}};
        p.terms = {{"(m′/m − 1)·x", TermKind::Drift, Combo(1.0, terms_.drift)},
                   {"denoiser's pull", TermKind::Score, Combo(1.0, terms_.score)}};
        if (sHat > sigma) p.terms.push_back({"churn noise", TermKind::Noise, Combo(1.0, terms_.noise)});
        record(p, x0);
    }
}

void Sampler::dpmRun(const Stage& s)
{
    const bool pp = config_.kind == SamplerKind::DpmSolverPp;
    const ModelFn model = [&](const Eigen::Matrix2Xd& y, const NoiseLevel& level) {
        Eigen::Matrix2Xd sc;
        evalScore(y, level, sc);
        return pp ? x0FromScore(y, sc, level) : epsFromScore(sc, level);
    };
    const Eigen::Matrix2Xd x0 = x_;
    // The model at the particles, where they are now (a replaced coordinate counts).
    const Eigen::Matrix2Xd m0 = model(x_, s.from);
    const int index = int(&s - plan_.data()), n = int(plan_.size());
    int order = config_.dpmOrder;
    if (config_.dpmMethod == DpmMethod::Multistep) {
        // A repeated stage (RePaint rounds) replaces its own point.
        if (!dpmLevels_.empty() && dpmLevels_.back().t == s.from.t) {
            dpmLevels_.pop_back();
            dpmModels_.pop_back();
        }
        dpmLevels_.push_back(s.from);
        dpmModels_.push_back(m0);
        if (int(dpmLevels_.size()) > 3) {
            dpmLevels_.erase(dpmLevels_.begin());
            dpmModels_.erase(dpmModels_.begin());
        }
        // Warm-up on the points there are; below 10 steps the last steps lower
        // their order too (Lu et al.'s lower_order_final: high order is unstable there).
        order = std::min(order, int(dpmLevels_.size()));
        if (n < 10) order = std::min(order, n - index);
        const std::vector<NoiseLevel> levels(dpmLevels_.end() - order, dpmLevels_.end());
        const std::vector<Eigen::Matrix2Xd> models(dpmModels_.end() - order, dpmModels_.end());
        x_ = dpmMultistep(order, pp, levels, models, s.to, x0);
    } else {
        x_ = dpmSinglestep(order, pp, schedule_, s.from, s.to, x0, m0, model);
    }
    // The exact linear part is the drift: mean'/mean (DPM-Solver), std'/std (++).
    const double cx = pp ? s.to.marginal.std / s.from.marginal.std : s.to.marginal.mean / s.from.marginal.mean;
    terms_.drift = (cx - 1.0) * x0;
    terms_.score = x_ - x0 - terms_.drift;
    terms_.noise.setZero(2, x_.cols());
    if (tracing()) {
        const std::string name = pp ? "DPM-Solver++" : "DPM-Solver";
        const std::string method = config_.dpmMethod == DpmMethod::Multistep ? "M" : "S";
        PartSpec p;
        p.title = name + " " + std::to_string(order) + method;
        p.equation = pp ? "x′ = (σ′/σ)·x − α′·(e^(−h) − 1)·x̂₀ + higher-order terms,  h = λ′ − λ"
                        : "x′ = (α′/α)·x − σ′·(e^h − 1)·ε̂ + higher-order terms,  h = λ′ − λ";
        p.constants = {{"λ", logSnrHalf(s.from)}, {"λ′", logSnrHalf(s.to)}, {"α", s.from.marginal.mean},
                       {"σ", s.from.marginal.std}};
        p.values = {{pp ? "x̂₀" : "ε̂", Combo(1.0, m0)}};
        p.terms = {{pp ? "(σ′/σ − 1)·x" : "(α′/α − 1)·x", TermKind::Drift, Combo(1.0, terms_.drift)},
                   {"model terms", TermKind::Score, Combo(1.0, terms_.score)}};
        record(p, x0);
    }
}

} // namespace ss
