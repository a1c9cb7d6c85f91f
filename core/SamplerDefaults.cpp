#include "SamplerDefaults.h"

#include "Dataset.h"
#include "NoiseSchedule.h"
#include "Objective.h"
#include "SamplerConfig.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ss {

double langevinStepLimit(double std) { return 4.0 * std * std; }

double langevinVarianceRatio(double a, int steps, double startRatio)
{
    // One step maps variance V to (1 - a/2)^2 V + a s^2: a linear recursion
    // whose fixed point is s^2 / (1 - a/4); the distance to it shrinks by
    // (1 - a/2)^2 per step.
    const double stationary = 1.0 / (1.0 - a / 4.0);
    const double contraction = std::pow(1.0 - a / 2.0, 2.0 * steps);
    return contraction * (startRatio * startRatio - stationary) + stationary;
}

double mixingRelativeStep(int steps, double startRatio)
{
    // |ratio - 1| is small only between two failures: a small a leaves the
    // start's excess, a large a the a/4 bias. A log scan of [1e-6, kMaxRelativeStep]
    // then golden-section refinement around the best point (the error is
    // unimodal in log a: a decreasing exponential plus an increasing bias).
    const int T = std::max(steps, 1);
    const double gamma = std::max(startRatio, kMinStartRatio);
    const auto error = [&](double logA) { return std::abs(langevinVarianceRatio(std::exp(logA), T, gamma) - 1.0); };
    const double lo = std::log(1e-6), hi = std::log(kMaxRelativeStep);
    constexpr int kScan = 200;
    int best = 0;
    double bestError = std::numeric_limits<double>::infinity();
    for (int i = 0; i <= kScan; ++i) {
        const double e = error(lo + (hi - lo) * i / kScan);
        if (e < bestError) bestError = e, best = i;
    }
    double a = lo + (hi - lo) * std::max(best - 1, 0) / kScan, b = lo + (hi - lo) * std::min(best + 1, kScan) / kScan;
    const double g = (std::sqrt(5.0) - 1.0) / 2.0;
    for (int i = 0; i < 60; ++i) {
        const double c = b - g * (b - a), d = a + g * (b - a);
        (error(c) < error(d) ? b : a) = error(c) < error(d) ? d : c;
    }
    return std::exp(0.5 * (a + b));
}

double smallestStd(const NoiseSchedule& schedule)
{
    if (schedule.isDiscrete()) return schedule.level(1).marginal.std;
    if (schedule.isVarianceExploding()) return schedule.sdeMarginal(0.0).marginal.std;
    // VP / sub-VP: the reverse-SDE and ODE samplers stop at t = 1e-3 (Sampler::odeEnd).
    return schedule.sdeMarginal(1e-3).marginal.std;
}

double annealedLevelRatio(const NoiseSchedule& schedule, int annealedLevels)
{
    // The levels as Sampler::plan visits them: every discrete level, or
    // annealedLevels evenly spaced times of a continuous schedule.
    std::vector<double> stds;
    if (schedule.isDiscrete()) {
        for (int k = 1; k <= schedule.numLevels(); ++k) stds.push_back(schedule.level(k).marginal.std);
    } else {
        const int L = std::max(annealedLevels, 1);
        for (int i = 0; i < L; ++i) stds.push_back(schedule.sdeMarginal(L > 1 ? double(i) / (L - 1) : 1.0).marginal.std);
    }
    double ratio = 1.0;
    for (std::size_t i = 1; i < stds.size(); ++i)
        if (stds[i - 1] > 0) ratio = std::max(ratio, stds[i] / stds[i - 1]);
    return ratio;
}

double annealedEpsilon(const NoiseSchedule& schedule, int stepsPerLevel, int annealedLevels)
{
    // Rule: eps = a sigma_L^2, a = mixingRelativeStep(stepsPerLevel, gamma),
    // gamma the largest ratio of consecutive levels. Each level starts where
    // the one above left the particles, about gamma times too wide, and must
    // shrink to its own width within its steps (Song & Ermon 2020, technique 4).
    const double sL = schedule.isDiscrete() ? smallestStd(schedule) : schedule.sdeMarginal(0.0).marginal.std;
    return mixingRelativeStep(stepsPerLevel, annealedLevelRatio(schedule, annealedLevels)) * sL * sL;
}

double defaultLangevinStd(const NoiseSchedule& schedule, double modelSigma)
{
    // Rule: a single-sigma model is defined at its own sigma only; every
    // other score is followed at the schedule's sharpest level (the exact
    // score there is p smoothed by sigma_min, as near the data as the
    // schedule goes, and a multi-level network never saw less noise).
    return modelSigma > 0 ? modelSigma : smallestStd(schedule);
}

double singleSigmaOf(const ObjectiveConfig& objective)
{
    switch (objective.kind) {
    case ObjectiveKind::Dsm:
    case ObjectiveKind::Ism:
    case ObjectiveKind::Ssm:
    case ObjectiveKind::SsmVr: return objective.sigma;
    case ObjectiveKind::Ncsn:
    case ObjectiveKind::Ddpm: return 0.0;
    }
    return 0.0;
}

double dataCurvatureVariance(const Dataset* data)
{
    if (!data || !data->mixture) return 0.0;
    double smallest = std::numeric_limits<double>::infinity();
    for (const Eigen::Matrix2d& c : data->mixture->covariances())
        smallest = std::min(smallest, Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(c, Eigen::EigenvaluesOnly).eigenvalues()(0));
    return std::isfinite(smallest) ? std::max(smallest, 0.0) : 0.0;
}

double langevinStep(const NoiseSchedule& schedule, double std, int steps, double dataVariance)
{
    // Rule: eta = a (std^2 + dataVariance): the score's curvature is at most
    // 1 / (std^2 + dataVariance), so this is the relative step a on the
    // narrowest mode; a = mixingRelativeStep(steps, prior std / mode width)
    // forgets the start (the prior) within the run, and a <= 1/2 keeps eta an
    // eighth of the stability limit. Far from the data the nearest mode pulls
    // at the same relative rate, so particles land near it.
    double scale2 = std * std + std::max(dataVariance, 0.0);
    if (!(scale2 > 0)) scale2 = std::pow(smallestStd(schedule), 2); // clean point set: its sharpest level
    const double start = schedule.priorStd() / std::sqrt(scale2);
    return mixingRelativeStep(steps, start) * scale2;
}

double defaultStepSize(const SamplerConfig& config, const NoiseSchedule& schedule, double dataVariance)
{
    switch (config.kind) {
    case SamplerKind::Langevin: return langevinStep(schedule, config.langevinStd, config.steps, dataVariance);
    case SamplerKind::AnnealedLangevin: return annealedEpsilon(schedule, config.stepsPerLevel, config.annealedLevels);
    default: return config.stepSize;
    }
}

} // namespace ss
