#include "core/SamplerDefaults.h"

#include "core/Dataset.h"
#include "core/NoiseSchedule.h"
#include "core/Objective.h"
#include "core/SamplerConfig.h"
#include "core/ScheduleDefaults.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

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

namespace {

// The relative step in [1e-6, kMaxRelativeStep] minimising error(log a): a log
// scan, then golden-section refinement around the best point. The errors used
// here are small only between two failures (a small a leaves the start's
// excess, a large a the a/4 bias), unimodal in log a.
template <typename Error>
double minimiseRelativeStep(Error error)
{
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

// The stds annealed Langevin visits, as Sampler::plan does: every discrete
// level, or annealedLevels evenly spaced times of a continuous schedule; increasing.
std::vector<double> annealedStds(const NoiseSchedule& schedule, int annealedLevels)
{
    std::vector<double> stds;
    if (schedule.isDiscrete()) {
        for (int k = 1; k <= schedule.numLevels(); ++k) stds.push_back(schedule.level(k).marginal.std);
    } else {
        const int L = std::max(annealedLevels, 1);
        for (int i = 0; i < L; ++i) stds.push_back(schedule.sdeMarginal(L > 1 ? double(i) / (L - 1) : 1.0).marginal.std);
    }
    return stds;
}

} // namespace

double mixingRelativeStep(int steps, double startRatio)
{
    const int T = std::max(steps, 1);
    const double gamma = std::max(startRatio, kMinStartRatio);
    return minimiseRelativeStep(
        [&](double logA) { return std::abs(langevinVarianceRatio(std::exp(logA), T, gamma) - 1.0); });
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
    const std::vector<double> stds = annealedStds(schedule, annealedLevels);
    double ratio = 1.0;
    for (std::size_t i = 1; i < stds.size(); ++i)
        if (stds[i - 1] > 0) ratio = std::max(ratio, stds[i] / stds[i - 1]);
    return ratio;
}

double annealedVarianceRatio(const NoiseSchedule& schedule, double a, int stepsPerLevel, int annealedLevels,
                             double dataVariance)
{
    const std::vector<double> stds = annealedStds(schedule, annealedLevels);
    const double v = std::max(dataVariance, 0.0);
    const int T = std::max(stepsPerLevel, 1);
    double V = kMinStartRatio * kMinStartRatio * (stds.back() * stds.back() + v);
    for (auto it = stds.rbegin(); it != stds.rend(); ++it) {
        const double s2 = *it * *it, width2 = s2 + v;
        const double r = a * s2 / width2; // alpha / width^2
        const double stationary = width2 / (1.0 - r / 4.0);
        V = std::pow(1.0 - r / 2.0, 2.0 * T) * (V - stationary) + stationary;
    }
    return V / (stds.front() * stds.front() + v);
}

double annealedEpsilon(const NoiseSchedule& schedule, int stepsPerLevel, int annealedLevels, double dataVariance)
{
    // Rule: eps = a sigma_L^2. Each level starts where the one above left the
    // particles and must shrink to its own width within its steps (Song &
    // Ermon 2020, technique 4). For a point (v = 0) the widest gap, the largest
    // level ratio gamma, decides: a = mixingRelativeStep(stepsPerLevel, gamma).
    // Data of width v make the levels below sqrt(v) slow (their relative step
    // is a sigma^2 / (sigma^2 + v)): a then makes the propagated variance
    // (annealedVarianceRatio) end nearest the last level's.
    const double sL = schedule.isDiscrete() ? smallestStd(schedule) : schedule.sdeMarginal(0.0).marginal.std;
    if (!(dataVariance > 0))
        return mixingRelativeStep(stepsPerLevel, annealedLevelRatio(schedule, annealedLevels)) * sL * sL;
    const double a = minimiseRelativeStep([&](double logA) {
        return std::abs(annealedVarianceRatio(schedule, std::exp(logA), stepsPerLevel, annealedLevels, dataVariance) - 1.0);
    });
    return a * sL * sL;
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
    case SamplerKind::AnnealedLangevin:
        return annealedEpsilon(schedule, config.stepsPerLevel, config.annealedLevels, dataVariance);
    default: return config.stepSize;
    }
}

DataExtent dataExtentOf(const Dataset& data)
{
    if (data.points.cols() == 0) return {};
    const Eigen::Index n = std::min<Eigen::Index>(data.points.cols(), 10000);
    return {dataDiameter(data), data.points.leftCols(n).rowwise().mean().norm()};
}

double edmDefaultSigmaMax(const NoiseSchedule& schedule, double sigmaMin, const DataExtent& data)
{
    // Rule: the PF-ODE is started from N(0, sigma_max^2) (in x / mean) in place
    // of the data smoothed by sigma_max; at the data's diameter every part of
    // the data is mixed (technique 1) and that start is already close (for
    // 8 Gaussians, sigma_data^2 / sigma_max^2 ~ 0.09). Above it the
    // trajectories are nearly straight (Heun is exact on straight lines), so
    // every step spent there is a step missing where they bend. The start is
    // centred at the origin, the data at their mean m: the flow keeps that
    // offset as a bias ~ |m| s / sigma_max, so sigma_max >= 30 |m| too.
    const NoiseLevel top = schedule.sdeMarginal(1.0);
    const double largest = top.marginal.std / top.marginal.mean;
    if (!(data.diameter > 0)) return largest;
    return std::min(largest, std::max(derivedSigmaMax(data.diameter, sigmaMin), kEdmMeanFactor * data.meanNorm));
}

DdimSpacing defaultDdimSpacing(Direction direction)
{
    return direction == Direction::DataToNoise ? DdimSpacing::Trailing : DdimSpacing::Uniform;
}

} // namespace ss
