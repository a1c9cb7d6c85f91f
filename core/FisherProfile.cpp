#include "core/FisherProfile.h"

#include "core/Error.h"
#include "core/MeanEstimate.h"
#include "core/ThreadPool.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ss {

namespace {

double noiseToSignal(const NoiseLevel& level) { return level.marginal.std / level.marginal.mean; }

FisherLevel entry(const NoiseLevel& level, int index) { return {level, index, noiseToSignal(level), {}, 0.0}; }

} // namespace

std::vector<FisherLevel> fisherLevels(const NoiseSchedule& schedule, int count)
{
    if (count < 1) throw InputError("the Fisher profile needs at least one level (got " + std::to_string(count) + ")");
    std::vector<FisherLevel> out;
    if (schedule.isDiscrete()) {
        const int N = schedule.numLevels();
        std::vector<int> ks;
        if (N <= count) {
            for (int k = 1; k <= N; ++k) ks.push_back(k);
        } else {
            const double lo = std::log(noiseToSignal(schedule.level(1))), hi = std::log(noiseToSignal(schedule.level(N)));
            int k = 1; // sigma grows with k: walk forward to each target's nearest level
            for (int i = 0; i < count; ++i) {
                const double target = count > 1 ? lo + (hi - lo) * i / (count - 1) : lo;
                while (k < N && std::abs(std::log(noiseToSignal(schedule.level(k + 1))) - target) <=
                                    std::abs(std::log(noiseToSignal(schedule.level(k))) - target))
                    ++k;
                if (ks.empty() || ks.back() != k) ks.push_back(k);
            }
        }
        for (int k : ks) out.push_back(entry(schedule.level(k), k));
        return out;
    }
    const double t0 = schedule.tEpsilon();
    const double lo = std::log(noiseToSignal(schedule.sdeMarginal(t0))), hi = std::log(noiseToSignal(schedule.sdeMarginal(1.0)));
    for (int i = 0; i < count; ++i) {
        const double target = count > 1 ? lo + (hi - lo) * i / (count - 1) : lo;
        double a = t0, b = 1.0; // log sigma(t) increases with t: bisect for the target
        for (int it = 0; it < 60; ++it) {
            const double mid = 0.5 * (a + b);
            (std::log(noiseToSignal(schedule.sdeMarginal(mid))) < target ? a : b) = mid;
        }
        const double t = i == 0 ? t0 : i + 1 == count ? 1.0 : 0.5 * (a + b);
        out.push_back(entry(schedule.sdeMarginal(t), 0));
    }
    return out;
}

std::optional<std::vector<FisherLevel>> fisherProfile(const ScoreSource& a, const ScoreSource& b,
                                                      const Dataset& data, std::vector<FisherLevel> levels,
                                                      int samples, std::uint64_t seed, ThreadPool& pool,
                                                      const std::atomic<bool>* cancel,
                                                      const std::function<void(int, int)>& progress)
{
    if (samples < 1) throw InputError("the Fisher divergence needs at least one sample (got " + std::to_string(samples) + ")");
    const double floor = std::max(a.minimumStd(), b.minimumStd());
    for (const FisherLevel& l : levels)
        if (l.level.marginal.std < floor)
            throw InputError("Fisher divergence: a level's std " + std::to_string(l.level.marginal.std) +
                             " is below what the scores are defined at (" + std::to_string(floor) + ")");
    const Rng base(seed);
    const int total = int(levels.size());
    for (int i = 0; i < total; ++i) {
        FisherLevel& l = levels[std::size_t(i)];
        // The level's own stream, named by its std: the same draws in any list.
        Rng rng = base.split(std::bit_cast<std::uint64_t>(l.level.marginal.std));
        const Eigen::Matrix2Xd x = sampleMarginal(data, l.level.marginal, samples, rng);
        Eigen::Matrix2Xd sa(2, samples), sb(2, samples);
        scoreParallel(a, x, l.level, sa, pool);
        scoreParallel(b, x, l.level, sb, pool);
        l.value = fisherDivergence(sa, sb);
        l.standardError = meanWithError(0.5 * (sa - sb).colwise().squaredNorm().transpose()).standardError;
        if (progress) progress(i + 1, total);
        if (cancel && cancel->load()) return std::nullopt;
    }
    return levels;
}

} // namespace ss
