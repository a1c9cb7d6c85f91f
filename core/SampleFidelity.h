#pragma once
// Metrics that catch blur and missing modes, beside the distances of Metrics.h:
//  - precision and recall of k-nearest-neighbour manifolds (Kynkäänniemi et
//    al. 2019). The manifold of a set is the union of balls around each of its
//    points, of radius the distance to that point's k-th nearest neighbour in
//    the same set. Precision: the share of the samples inside the reference's
//    manifold (falls when samples land off the data: blur, spurious mass).
//    Recall: the share of the reference inside the samples' manifold (falls
//    when modes are missing; blur does not lower it, it widens the balls).
//  - the mean exact log-density of the samples under an analytic reference
//    (a Gaussian mixture's clean density): blur moves samples to where the
//    density is lower, so it falls.
// All are compared with their noise floor (Metrics.h: compareSamples of an
// independent reference draw), never read alone.
//
// Determinism: sets above kMaxManifoldPoints are replaced by a seeded
// subsample; otherwise no randomness. Throws InputError (one line) for an
// empty or non-finite set, k outside [1, 1000], or a set with k or fewer
// points (no k-th neighbour).
// Cost: points sorted by x, neighbours searched in a band of x; about
// O(n log n + n * band) — fractions of a second for 20k points in 2D.
#include "core/ExactScore.h"

#include <Eigen/Core>

#include <cstdint>

namespace ss {

inline constexpr int kDefaultManifoldK = 3;
// Above this many points a set is subsampled (seeded) for precision / recall.
inline constexpr int kMaxManifoldPoints = 20000;

struct PrecisionRecall {
    double precision = 0.0; // share of `samples` inside the reference's k-NN manifold
    double recall = 0.0;    // share of `reference` inside the samples' k-NN manifold
};

PrecisionRecall precisionRecall(const Eigen::Ref<const Eigen::Matrix2Xd>& samples,
                                const Eigen::Ref<const Eigen::Matrix2Xd>& reference, int k = kDefaultManifoldK,
                                std::uint64_t seed = 0);

// Share of `query` inside the k-NN manifold of `support` (a point on a ball's
// boundary counts as inside, so identical sets give exactly 1).
double manifoldCoverage(const Eigen::Ref<const Eigen::Matrix2Xd>& query,
                        const Eigen::Ref<const Eigen::Matrix2Xd>& support, int k = kDefaultManifoldK,
                        std::uint64_t seed = 0);

struct MeanLogDensity {
    double mean = 0.0;          // mean of log p(x_j), nats (2D density)
    double standardError = 0.0; // sample std of log p(x_j) / sqrt(n); 0 for one point
};

// log p of the reference's clean density (Marginal{1, 0}) averaged over the
// points. Throws InputError when the reference has no clean density
// (needsNoise(): a point set), or a point is not finite. A point so far out
// that its density underflows gives a large negative but finite value (the
// mixture works in logs).
MeanLogDensity meanLogDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& points, const ExactScore& reference);

} // namespace ss
