#pragma once
// Sample-quality metrics between two 2D point sets (2 x n and 2 x m, one point
// per column): sliced Wasserstein-2, squared MMD, energy distance, and the
// fraction of points per mode of a known mixture; compareSamples adds those of
// SampleFidelity.h (precision, recall, mean log-density), and NoiseFloor.h
// gives every one's noise floor. Every function is deterministic for a given
// seed (same binary, same inputs: bit-identical).
//
// All functions throw InputError with a one-line message when a set is empty
// (or too small for an unbiased estimate), a coordinate is not finite or so
// large (> 1e150) that squared distances would overflow, or a parameter is out
// of range.
//
// Cost: SW2 is O(K (n + m) log(n + m)). MMD and energy are O(n m) with the pair
// loops vectorised; sets larger than kMaxPairwisePoints are replaced by a seeded
// random subsample of that size (without replacement) before the pair sums.
#include "core/GaussianMixture.h"
#include "core/SampleFidelity.h"

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <vector>

namespace ss {

// Above this many points a set is subsampled for MMD and energy distance. At
// 4096 points each (one thread, AVX2 at 2.25 GHz): energy ~0.03 s, MMD with the
// default bandwidths ~0.2 s.
inline constexpr int kMaxPairwisePoints = 4096;

// Sliced Wasserstein-2: sqrt of the mean over K = `projections` directions of
// the squared 1D W2 between the projected sets. Direction k has angle
// pi (k + U_k) / K with U_k uniform from the seed (stratified on the half
// circle: each direction is still uniformly random within its arc, so the
// estimate is unbiased, with far less variance than K independent angles).
// The 1D W2 is exact between the two empirical distributions (merged quantile
// steps: the integral over u in (0, 1) of (Fa^-1(u) - Fb^-1(u))^2), so any
// sizes n, m >= 1 are accepted; identical sets give exactly 0.
// projections in [1, 1'000'000].
double slicedWasserstein2(const Eigen::Ref<const Eigen::Matrix2Xd>& a,
                          const Eigen::Ref<const Eigen::Matrix2Xd>& b, int projections, std::uint64_t seed);

// Default bandwidths of mmdSquared, as multiples of the median pairwise
// distance of the pooled sets: {0.1, 0.2, 0.5, 1, 2, 5}.
const std::vector<double>& defaultMmdBandwidthFactors();

// Squared MMD with the kernel k(x, y) = sum_h exp(-|x - y|^2 / (2 h^2)) (not
// normalised: k(x, x) = number of bandwidths). Unbiased U-statistic estimate, so
// it can be slightly negative for close distributions; needs n, m >= 2.
// bandwidths: positive and finite, or empty for the defaults above times the
// median pairwise distance of the pooled sets (estimated on a seeded subsample
// of at most 1024 points; if that median is 0, the largest distance, else 1).
// The seed picks the subsamples (see kMaxPairwisePoints and the median).
double mmdSquared(const Eigen::Ref<const Eigen::Matrix2Xd>& a, const Eigen::Ref<const Eigen::Matrix2Xd>& b,
                  const std::vector<double>& bandwidths = {}, std::uint64_t seed = 0);

// Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| (distance units, not
// squared; 0 iff the distributions are equal). Cross term: mean over all n m
// pairs; within-set terms: U-statistics over i != j, so it can be slightly
// negative for close distributions; needs n, m >= 2. Subsampling as for MMD.
double energyDistance(const Eigen::Ref<const Eigen::Matrix2Xd>& a,
                      const Eigen::Ref<const Eigen::Matrix2Xd>& b, std::uint64_t seed = 0);

// Fraction of the points assigned to each component of the mixture: point x
// goes to the k with the largest log N(x | m_k, C_k), the component density
// without its weight (Mahalanobis distance plus the log-determinant term; with
// equal covariances simply the nearest mean in the Mahalanobis metric). Ties go
// to the lowest k. Size mixture.size(), sums to 1 (up to rounding). Needs a point.
std::vector<double> modeWeights(const Eigen::Ref<const Eigen::Matrix2Xd>& points,
                                const GaussianMixture& mixture);

// All the metrics at once (the CLI's eval subcommand). a: the samples being
// judged; b: the reference set. Read each beside its noise floor
// (NoiseFloor.h: the same call with an independent draw of the reference's
// law in place of a).
struct SampleMetrics {
    double sw2 = 0.0;                // slicedWasserstein2(a, b, projections, seed)
    double mmd2 = 0.0;               // mmdSquared(a, b, default bandwidths, seed)
    double energy = 0.0;             // energyDistance(a, b, seed)
    double precision = 0.0;          // precisionRecall(a, b, k, seed).precision (SampleFidelity.h)
    double recall = 0.0;             // precisionRecall(a, b, k, seed).recall
    // meanLogDensity(a, *mixture) (SampleFidelity.h); NaN without a mixture.
    double logDensity = std::numeric_limits<double>::quiet_NaN();
    double logDensityStdErr = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> modeWeights; // modeWeights(a, *mixture); empty without a mixture
};

// Needs at least k + 1 points in each set (precision/recall), and 2 (MMD).
SampleMetrics compareSamples(const Eigen::Ref<const Eigen::Matrix2Xd>& a,
                             const Eigen::Ref<const Eigen::Matrix2Xd>& b, const GaussianMixture* mixture,
                             int projections = 128, std::uint64_t seed = 0, int k = kDefaultManifoldK);

} // namespace ss
