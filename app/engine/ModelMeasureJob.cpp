#include "engine/ModelMeasureJob.h"

#include "core/Likelihood.h"
#include "core/Rng.h"

#include <algorithm>
#include <ctime>
#include <numeric>

namespace ss::app {

namespace {
constexpr std::uint64_t kHeldOutSeed = 0x4e11; // fixed: every job scores the same points
} // namespace

HeldOutPoints heldOutPoints(const Dataset& data, int count)
{
    HeldOutPoints h;
    Rng rng(kHeldOutSeed);
    if (data.mixture) {
        h.points = data.mixture->sample(count, rng);
        h.heldOut = true;
        return h;
    }
    const int n = data.size();
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    const int take = std::min(count, n);
    for (int i = 0; i < take; ++i) { // a partial Fisher-Yates shuffle: a fixed random subset
        const int j = i + rng.uniformInt(n - i);
        std::swap(order[std::size_t(i)], order[std::size_t(j)]);
    }
    h.points.resize(2, take);
    for (int i = 0; i < take; ++i) h.points.col(i) = data.points.col(order[std::size_t(i)]);
    return h;
}

std::optional<MeanEstimate> flowNll(const ScoreSource& source, const NoiseSchedule& schedule,
                                    const Eigen::Matrix2Xd& points, bool hutchinson, ThreadPool& pool, Cancel cancel,
                                    const Progress& progress)
{
    const int n = int(points.cols());
    Eigen::VectorXd nll(n);
    LikelihoodConfig config;
    config.hutchinson = hutchinson;
    config.rtol = config.atol = kNllTolerance;
    for (int begin = 0; begin < n; begin += kNllBlock) {
        const int count = std::min(kNllBlock, n - begin);
        config.seed = std::uint64_t(begin); // Hutchinson: other directions in each block
        const LikelihoodResult r = logLikelihood(source, schedule, points.middleCols(begin, count), config, pool);
        nll.segment(begin, count) = -r.logDensity;
        if (cancel && cancel->load()) return std::nullopt;
        if (progress) progress(double(begin + count) / n);
    }
    return meanWithError(nll);
}

MeanEstimate mixtureNll(const GaussianMixture& mixture, const Eigen::Matrix2Xd& points, Marginal m)
{
    Eigen::VectorXd logp(points.cols());
    mixture.logDensity(points, m, logp);
    return meanWithError(-logp);
}

double threadCpuSeconds()
{
    timespec t{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0;
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

} // namespace ss::app
