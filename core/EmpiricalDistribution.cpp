#include "EmpiricalDistribution.h"

#include "Error.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace ss {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836; // log(2 pi)

// The scaled data mean * x_i split into two contiguous coordinate arrays, so the
// per-query pass over the points is a handful of vectorised Eigen array loops.
struct Scaled {
    Eigen::ArrayXd x, y;
    double s2 = 0.0;     // std^2
    double inv2s2 = 0.0; // 1 / (2 std^2)
};

Scaled prepare(const Eigen::Matrix2Xd& points, Marginal m)
{
    // Precondition of the interface; a violated one is a caller bug that would
    // otherwise produce inf/NaN silently, so it is refused loudly.
    if (!(m.std > 0.0) || !std::isfinite(m.std) || !std::isfinite(m.mean)) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "empirical score: the noise level needs std > 0 and finite values (got mean %g, std %g)",
                      m.mean, m.std);
        throw InputError(buf);
    }
    Scaled s;
    s.x = m.mean * points.row(0).transpose().array();
    s.y = m.mean * points.row(1).transpose().array();
    s.s2 = m.std * m.std;
    s.inv2s2 = 0.5 / s.s2;
    return s;
}

// Pass 1: buf = squared distances ||q - mean x_i||^2, returns their minimum.
// Pass 2: buf = exp(-(d2 - min) / (2 std^2)), unnormalised weights in (0, 1]
// with at least one equal to 1, so their sum never underflows to 0 however far
// q is from the data or however small std is. Exponents are floored at -700:
// e^-700 ~ 1e-304 is nothing next to the 1 in the sum, and it keeps exp out of
// its denormal range, which is twice as slow.
double weightsInto(const Scaled& s, double qx, double qy, Eigen::ArrayXd& buf)
{
    buf = (s.x - qx).square() + (s.y - qy).square();
    const double minD2 = buf.minCoeff();
    buf = ((minD2 - buf) * s.inv2s2).max(-700.0).exp();
    return minD2;
}

} // namespace

EmpiricalDistribution::EmpiricalDistribution(Eigen::Matrix2Xd points) : points_(std::move(points))
{
    if (points_.cols() == 0) throw InputError("empirical distribution: the point set is empty");
    for (Eigen::Index i = 0; i < points_.cols(); ++i)
        if (!points_.col(i).allFinite())
            throw InputError("empirical distribution: point " + std::to_string(i) + " is not finite");
}

// Cost O(n) per query with a buffer of n doubles; const and allocation-local,
// so concurrent calls on disjoint batches are safe.
void EmpiricalDistribution::score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                  Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    if (out.cols() != x.cols()) throw InputError("empirical score: output has the wrong size");
    const Scaled s = prepare(points_, m);
    Eigen::ArrayXd w(points_.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const double qx = x(0, j), qy = x(1, j);
        weightsInto(s, qx, qy, w);
        const double sum = w.sum(); // >= 1 (see weightsInto), NaN only for a NaN query
        const double mx = (w * s.x).sum() / sum;
        const double my = (w * s.y).sum() / sum;
        // sum_i w_i (mean x_i - q) / std^2 = (weighted mean - q) / std^2.
        out(0, j) = (mx - qx) / s.s2;
        out(1, j) = (my - qy) / s.s2;
    }
}

void EmpiricalDistribution::logDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                       Eigen::Ref<Eigen::VectorXd> out) const
{
    if (out.size() != x.cols()) throw InputError("empirical log-density: output has the wrong size");
    const Scaled s = prepare(points_, m);
    const double constant = -std::log(double(points_.cols())) - kLog2Pi - std::log(s.s2);
    Eigen::ArrayXd w(points_.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const double minD2 = weightsInto(s, x(0, j), x(1, j), w);
        out(j) = -minD2 * s.inv2s2 + std::log(w.sum()) + constant;
    }
}

} // namespace ss
