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
        const double f = schedule.driftCoefficient(t), g2 = schedule.diffusionSquared(t);
        x = state.topRows(2);
        source.score(x, level, s);
        if (config.hutchinson) {
            source.jvp(x, level, e, je);
            trace = (e.array() * je.array()).colwise().sum().transpose();
        } else {
            source.divergence(x, level, trace);
        }
        d.topRows(2) = f * x - (0.5 * g2) * s;
        d.row(2) = (2.0 * f - 0.5 * g2 * trace.array()).transpose();
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

    const double tStart = schedule.tEpsilon();
    if (schedule.sdeMarginal(tStart).marginal.std < source.minimumStd())
        throw InputError("likelihood: the score " + source.describe() + " is not defined at the schedule's least noise");
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

    const double priorVar = schedule.priorStd() * schedule.priorStd();
    const double logNorm = -std::log(2.0 * std::numbers::pi * priorVar);
    LikelihoodResult r;
    r.logDensity = (logNorm - 0.5 * state.topRows(2).colwise().squaredNorm().array() / priorVar +
                    state.row(2).array())
                       .transpose();
    r.meanNll = -r.logDensity.mean();
    r.bitsPerDim = r.meanNll / (2.0 * std::numbers::ln2);
    r.evaluationsPerPoint = double(evaluations.load()) / blocks;
    return r;
}

} // namespace ss
