#pragma once
// The empirical distribution of a point set {x_i} and its exact perturbed score
// (the "ideal denoiser", MATH.md §1): the marginal at (mean, std) is the equal-
// weight mixture of N(mean*x_i, std^2 I). Weights use log-sum-exp, stable for
// std from 1e-3 up to 50 and for points far from every x_i.
// Cost: O(points x queries) per call.
#include "ExactScore.h"

namespace ss {

class EmpiricalDistribution final : public ExactScore {
public:
    // Throws InputError for an empty set or non-finite coordinates.
    explicit EmpiricalDistribution(Eigen::Matrix2Xd points);

    const Eigen::Matrix2Xd& points() const { return points_; }

    // Precondition: m.std > 0.
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override;
    void logDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                    Eigen::Ref<Eigen::VectorXd> out) const override;
    bool needsNoise() const override { return true; }

private:
    Eigen::Matrix2Xd points_;
};

} // namespace ss
