#include "core/Likelihood.h"

#include "core/Error.h"
#include "core/Rng.h"
#include "core/ThreadPool.h"

#include <atomic>
#include <cmath>
#include <numbers>

namespace ss {

namespace {

constexpr int kBlock = 256;

// Integrates one block (3 x n state: x1, x2, accumulated divergence) from
// tStart to 1; returns the velocity evaluations used.
long long integrateBlock(const ScoreSource& source, const NoiseSchedule& schedule, const LikelihoodConfig& config,
                         double tStart, Eigen::MatrixXd& y, Rng rng)
{
    OdeSolver solver(config.method, config.rtol, config.atol);
    const Eigen::Index n = y.cols();
    Eigen::Matrix2Xd x(2, n), s(2, n), e(2, n), je(2, n);
    Eigen::VectorXd trace(n);
    // Hutchinson's directions are drawn once per solve (as in FFJORD): the
    // velocity stays a smooth function of t, which the adaptive steps need.
    if (config.hutchinson)
        for (Eigen::Index j = 0; j < n; ++j) e.col(j) << rng.rademacher(), rng.rademacher();
    const OdeRhs velocity = [&](double t, const Eigen::MatrixXd& state, Eigen::MatrixXd& d) {
        const NoiseLevel level = schedule.sdeMarginal(t);
        x = state.topRows(2);
        source.score(x, level, s);
        if (config.hutchinson) {
            source.jvp(x, level, e, je);
            trace = (e.array() * je.array()).colwise().sum().transpose();
        } else {
            source.divergence(x, level, trace);
        }
        flowVelocity(schedule, t, 1.0, x, s, trace, d);
    };
    double t = tStart, h = (1.0 - tStart) / (config.method == OdeMethod::Rk45 ? 100 : config.steps);
    const double fixedH = h;
    while (t < 1.0) {
        double hNext = h;
        if (config.method != OdeMethod::Rk45 && 1.0 - t < 1.5 * fixedH) h = 1.0 - t; // land on 1 exactly
        t = solver.step(velocity, t, 1.0, h, y, hNext);
        h = hNext;
        if (solver.evaluations() > config.maxEvaluations)
            throw InputError("likelihood: the flow needed more than " + std::to_string(config.maxEvaluations) +
                             " velocity evaluations by t = " + std::to_string(t) +
                             " (a stiff flow: an empirical data set's exact score at small noise?); "
                             "raise the budget or loosen the tolerances");
    }
    return solver.evaluations();
}

} // namespace

LikelihoodResult logLikelihood(const ScoreSource& source, const NoiseSchedule& schedule,
                               const Eigen::Matrix2Xd& points, const LikelihoodConfig& config, ThreadPool& pool)
{
    if (points.cols() == 0) throw InputError("likelihood: no points given");
    if (!points.allFinite()) throw InputError("likelihood: the points contain NaN or infinite coordinates");
    if (config.maxEvaluations < 1) throw InputError("likelihood: the evaluation budget must be positive");
    if (config.method != OdeMethod::Rk45 && !(config.steps >= 1 && config.steps <= 1'000'000))
        throw InputError("likelihood: steps must be in [1, 1000000] (got " + std::to_string(config.steps) + ")");
    OdeSolver check(config.method, config.rtol, config.atol); // validates the tolerances

    const double tStart = config.tStart < 0 ? schedule.tEpsilon() : config.tStart;
    if (!(tStart < 1.0)) throw InputError("likelihood: the flow must start before t = 1");
    if (schedule.sdeMarginal(tStart).marginal.std < source.minimumStd())
        throw InputError("likelihood: the score " + source.describe() + " is not defined at the flow's start");
    const int n = int(points.cols());
    const int blocks = (n + kBlock - 1) / kBlock;
    Eigen::MatrixXd state(3, n);
    state.topRows(2) = points;
    state.row(2).setZero();
    std::atomic<long long> evaluations{0};
    const Rng base(config.seed);
    pool.parallelForBalanced(blocks, 1, [&](int firstBlock, int endBlock) {
        for (int b = firstBlock; b < endBlock; ++b) {
            const int begin = b * kBlock, count = std::min(kBlock, n - begin);
            Eigen::MatrixXd y = state.middleCols(begin, count);
            evaluations += integrateBlock(source, schedule, config, tStart, y, base.split(std::uint64_t(b)));
            state.middleCols(begin, count) = y;
        }
    });

    LikelihoodResult r;
    r.logDensity = flowLogDensity(schedule, state);
    r.meanNll = -r.logDensity.mean();
    r.bitsPerDim = r.meanNll / (2.0 * std::numbers::ln2);
    r.evaluationsPerPoint = double(evaluations.load()) / blocks;
    return r;
}

void flowVelocity(const NoiseSchedule& schedule, double t, double scale, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                  const Eigen::Matrix2Xd& s, const Eigen::VectorXd& trace, Eigen::Ref<Eigen::MatrixXd> d)
{
    const double f = scale * schedule.driftCoefficient(t), halfG2 = 0.5 * scale * schedule.diffusionSquared(t);
    d.topRows(2) = f * x - halfG2 * s;
    d.row(2) = (2.0 * f - halfG2 * trace.array()).transpose();
}

Eigen::VectorXd flowLogDensity(const NoiseSchedule& schedule, const Eigen::MatrixXd& state)
{
    const double priorVar = schedule.priorStd() * schedule.priorStd();
    const double logNorm = -std::log(2.0 * std::numbers::pi * priorVar);
    return (logNorm - 0.5 * state.topRows(2).colwise().squaredNorm().array() / priorVar + state.row(2).array())
        .transpose();
}

double flowTime(const NoiseSchedule& schedule, const NoiseLevel& level)
{
    const Marginal& m = level.marginal;
    if (!(m.std > 0.0) || !(m.mean > 0.0))
        throw InputError("flow time: the level has no noise (std " + std::to_string(m.std) + ")");
    // std / mean grows with t for every kind (noise increases with time).
    const double target = m.std / m.mean;
    const auto ratio = [&](double t) {
        const Marginal q = schedule.sdeMarginal(t).marginal;
        return q.std / q.mean;
    };
    double lo = schedule.tEpsilon(), hi = 1.0;
    if (ratio(lo) >= target) return lo;
    if (ratio(hi) <= target) return hi;
    for (int i = 0; i < 60 && hi - lo > 1e-13; ++i) {
        const double mid = 0.5 * (lo + hi);
        (ratio(mid) < target ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

} // namespace ss
