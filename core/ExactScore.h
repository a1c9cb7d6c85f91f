#pragma once
// The ground truth every learned quantity is compared with (docs/reference/scores.md).
//
// A noise level is described by the marginal it produces: x_t = mean * x0 + std * eps,
// x0 ~ data, eps ~ N(0, I). VE/NCSN levels have mean = 1, std = sigma; VP/DDPM
// levels have mean = sqrt(abar), std = sqrt(1 - abar). An ExactScore answers the
// score and log density of that marginal for a batch of points.
//
// Layout: points are Eigen::Matrix2Xd, one point per column.
#include <Eigen/Core>

#include <algorithm>

namespace ss {

struct Marginal {
    double mean = 1.0; // coefficient of x0
    double std = 0.0;  // standard deviation of the added Gaussian noise
};

class ExactScore {
public:
    virtual ~ExactScore() = default;

    // out.col(j) = grad_x log p_m(x.col(j)). out must have x's size.
    // Point sets need m.std > 0 (the empirical density has no score at 0);
    // callers check with needsNoise().
    virtual void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                       Eigen::Ref<Eigen::Matrix2Xd> out) const = 0;

    // out(j) = log p_m(x.col(j)) in nats (normalised density on R^2).
    virtual void logDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                            Eigen::Ref<Eigen::VectorXd> out) const = 0;

    // out(j) = div_x score = tr of the Hessian of log p_m at x.col(j) (the
    // likelihood's flow integrates it). Same preconditions as score(). The
    // mixture and the point set override it with their closed forms; this
    // default, for any other exact score, takes central differences of
    // score() with step 1e-5 max(1, |x|, std) (~1e-8 relative where the score
    // varies on scales above the step).
    virtual void divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                            Eigen::Ref<Eigen::VectorXd> out) const
    {
        const Eigen::Index n = x.cols();
        Eigen::Matrix2Xd shifted(2, n), plus(2, n), minus(2, n);
        Eigen::RowVectorXd h(n);
        for (Eigen::Index j = 0; j < n; ++j)
            h(j) = 1e-5 * std::max({1.0, x.col(j).norm(), m.std});
        out.setZero();
        for (int axis = 0; axis < 2; ++axis) {
            shifted = x;
            shifted.row(axis) += h;
            score(shifted, m, plus);
            shifted.row(axis) -= 2.0 * h;
            score(shifted, m, minus);
            out += ((plus.row(axis) - minus.row(axis)).array() / (2.0 * h.array())).matrix().transpose();
        }
    }

    // True when the clean density (std = 0) is singular (an empirical point set).
    virtual bool needsNoise() const = 0;
};

} // namespace ss
