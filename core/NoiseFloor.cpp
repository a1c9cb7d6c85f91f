#include "core/NoiseFloor.h"

#include "core/Error.h"
#include "core/Presets.h"
#include "core/Rng.h"

#include <numeric>
#include <vector>

namespace ss {

SampleMetrics presetNoiseFloor(const std::string& presetId, int n, std::uint64_t drawSeed,
                               const Eigen::Ref<const Eigen::Matrix2Xd>& reference, const GaussianMixture* mixture,
                               int projections, std::uint64_t seed, int k)
{
    const Dataset fresh = makePreset(presetId, n, drawSeed);
    return compareSamples(fresh.points, reference, mixture, projections, seed, k);
}

SampleMetrics splitNoiseFloor(const Eigen::Ref<const Eigen::Matrix2Xd>& reference, const GaussianMixture* mixture,
                              int projections, std::uint64_t seed, int k)
{
    const int m = int(reference.cols());
    if (m < 2 * (k + 1))
        throw InputError("noise floor: the reference has " + std::to_string(m) + " point(s); splitting it in two needs " +
                         std::to_string(2 * (k + 1)));
    // A seeded shuffle (Fisher–Yates), then the first and second halves.
    std::vector<int> idx(m);
    std::iota(idx.begin(), idx.end(), 0);
    Rng rng = Rng(seed).split(21);
    for (int i = m - 1; i > 0; --i) std::swap(idx[i], idx[rng.uniformInt(i + 1)]);
    const int h = m / 2;
    Eigen::Matrix2Xd a(2, h), b(2, m - h);
    for (int i = 0; i < h; ++i) a.col(i) = reference.col(idx[i]);
    for (int i = h; i < m; ++i) b.col(i - h) = reference.col(idx[i]);
    return compareSamples(a, b, mixture, projections, seed, k);
}

} // namespace ss
