#pragma once
// The empirical distribution of a point set {x_i} and its exact perturbed score
// (the "ideal denoiser", docs/reference/scores.md): the marginal at (mean, std) is the equal-
// weight mixture of N(mean*x_i, std^2 I). Weights use log-sum-exp, stable for
// std from 1e-3 up to 50 and for points far from every x_i.
//
// Spatial cut-off: a query q sums only the points within
//   |mean x_i - q|^2 <= d_min^2 + 2 std^2 log(n / kCutoffTolerance)
// (d_min: the distance to the nearest mean x_i, found exactly), so every point
// left out has weight below kCutoffTolerance / n times the nearest one's and
// all of them together below kCutoffTolerance times the sum. Hence, against
// the full sum: log-density within kCutoffTolerance nats, score and divergence
// within kCutoffTolerance times (the data's extent + |q|) / std^2 and its
// square / std^4. The points are found with a k-d tree built once per data
// set; the full sum is used for small sets and whenever the cut-off disc
// covers the whole data (std large against the data's extent). Far from the
// data, d_min grows with the query, so the nearest points always dominate.
//
// Cost per query: O(log n + points within the cut-off) at small std, O(n) at
// large std. Thread-safe (const, allocation-local) and deterministic: the sum
// order depends only on the data and the query.
#include "core/ExactScore.h"
#include "core/PointIndex.h"

#include <memory>

namespace ss {

class EmpiricalDistribution final : public ExactScore {
public:
    // Relative weight the cut-off may neglect (see above).
    static constexpr double kCutoffTolerance = 1e-12;
    // Below this many points the full sum is as fast and no tree is built.
    static constexpr int kIndexMinPoints = 128;

    // Throws InputError for an empty set or non-finite coordinates.
    explicit EmpiricalDistribution(Eigen::Matrix2Xd points);

    const Eigen::Matrix2Xd& points() const { return points_; }

    // Precondition: m.std > 0.
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override;
    void logDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                    Eigen::Ref<Eigen::VectorXd> out) const override;
    void divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                    Eigen::Ref<Eigen::VectorXd> out) const override;
    bool needsNoise() const override { return true; }

    // The brute-force sums over every point, for tests and benchmarks that
    // check the cut-off against them.
    void scoreFullSum(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, Eigen::Ref<Eigen::Matrix2Xd> out) const;
    void logDensityFullSum(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                           Eigen::Ref<Eigen::VectorXd> out) const;

private:
    struct Sums; // per query: see the .cpp
    template <typename Use>
    void forEachQuery(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, bool cutoff, Use&& use) const;

    Eigen::Matrix2Xd points_;
    std::shared_ptr<const PointIndex> index_; // null for small sets
    Eigen::ArrayXd xs_, ys_;                  // the points in the index's order (input order without one)
};

} // namespace ss
