#include "core/EmpiricalDistribution.h"

#include "core/Error.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace ss {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836; // log(2 pi)

void checkMarginal(Marginal m)
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
}

} // namespace

// Per query q, with d_i = mean x_i - q and w_i = exp(-(|d_i|^2 - minD2) / (2 std^2))
// (so the nearest point has weight 1 and W >= 1 never underflows, however far
// q is or however small std is; exponents are floored at -700, e^-700 ~ 1e-304,
// which keeps exp out of its slow denormal range):
//   W = sum w_i, S = sum w_i d_i, S2 = sum w_i |d_i|^2.
// Then score = S / (W std^2), log p = -minD2 / (2 std^2) + log W + const,
// div score = (S2/W - |S/W|^2) / std^4 - 2 / std^2 (the posterior variance of
// the mean, less the noise's). Differences from q, not coordinates: the score
// does not cancel (mean - q) at small std.
struct EmpiricalDistribution::Sums {
    double minD2 = 0, W = 0, Sx = 0, Sy = 0, S2 = 0;
};

namespace {

// Scratch arrays for one call, grown on demand: a leaf's worth for the cut-off
// (a leaf of coinciding points can be large), every point for the full sum.
// Not sized to n up front: the likelihood calls score() thousands of times on
// 256 points, and n doubles x 4 per call would be page faults, not arithmetic.
struct Scratch {
    Eigen::ArrayXd dx, dy, d2, w;
    void ensure(Eigen::Index len)
    {
        if (dx.size() >= len) return;
        dx.resize(len);
        dy.resize(len);
        d2.resize(len);
        w.resize(len);
    }
};

// Adds the range [begin, begin + len) of (xs, ys) to the sums; d2 of the range
// must already be in s.d2.head(len), dx/dy likewise.
void accumulate(Eigen::Index len, double minD2, double inv2s2, Scratch& s, double* W, double* Sx, double* Sy,
                double* S2)
{
    auto d2 = s.d2.head(len);
    auto w = s.w.head(len);
    w = ((minD2 - d2) * inv2s2).max(-700.0).exp();
    *W += w.sum();
    *Sx += (w * s.dx.head(len)).sum();
    *Sy += (w * s.dy.head(len)).sum();
    *S2 += (w * d2).sum();
}

void differences(const Eigen::ArrayXd& xs, const Eigen::ArrayXd& ys, Eigen::Index begin, Eigen::Index len, double a,
                 double qx, double qy, Scratch& s)
{
    s.ensure(len);
    s.dx.head(len) = a * xs.segment(begin, len) - qx;
    s.dy.head(len) = a * ys.segment(begin, len) - qy;
    s.d2.head(len) = s.dx.head(len).square() + s.dy.head(len).square();
}

} // namespace

EmpiricalDistribution::EmpiricalDistribution(Eigen::Matrix2Xd points) : points_(std::move(points))
{
    if (points_.cols() == 0) throw InputError("empirical distribution: the point set is empty");
    for (Eigen::Index i = 0; i < points_.cols(); ++i)
        if (!points_.col(i).allFinite())
            throw InputError("empirical distribution: point " + std::to_string(i) + " is not finite");
    if (points_.cols() >= kIndexMinPoints) {
        index_ = std::make_shared<const PointIndex>(points_);
        xs_ = index_->xs();
        ys_ = index_->ys();
    } else {
        xs_ = points_.row(0).transpose().array();
        ys_ = points_.row(1).transpose().array();
    }
}

// Calls use(j, sums) for every query column j. cutoff = false: the full sum.
template <typename Use>
void EmpiricalDistribution::forEachQuery(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, bool cutoff,
                                         Use&& use) const
{
    checkMarginal(m);
    const Eigen::Index n = xs_.size();
    const double a = m.mean, s2 = m.std * m.std, inv2s2 = 0.5 / s2;
    // Half the squared cut-off radius beyond d_min, in std^2 units (see the header).
    const double logRatio = std::log(double(n) / kCutoffTolerance);
    const bool indexed = cutoff && index_ && a != 0.0;
    Scratch scratch;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const double qx = x(0, j), qy = x(1, j);
        Sums r;
        if (!std::isfinite(qx) || !std::isfinite(qy)) { // NaN out, at once (a diverged particle)
            r.minD2 = r.W = r.Sx = r.Sy = r.S2 = std::numeric_limits<double>::quiet_NaN();
            use(j, r);
            continue;
        }
        bool done = false;
        if (indexed) {
            // The tree holds the unscaled points: search at q / mean, radii / mean^2.
            const double ux = qx / a, uy = qy / a;
            if (std::isfinite(ux) && std::isfinite(uy)) {
                int p = 0;
                index_->nearest(ux, uy, &p);
                const double ex = a * xs_(p) - qx, ey = a * ys_(p) - qy;
                r.minD2 = ex * ex + ey * ey;
                const double r2 = (r.minD2 + 2.0 * s2 * logRatio) / (a * a);
                if (std::isfinite(r2) && r2 < index_->farthestCorner2(ux, uy)) {
                    index_->forEachLeafNear(ux, uy, r2, [&](int begin, int end) {
                        differences(xs_, ys_, begin, end - begin, a, qx, qy, scratch);
                        accumulate(end - begin, r.minD2, inv2s2, scratch, &r.W, &r.Sx, &r.Sy, &r.S2);
                    });
                    done = true;
                }
            }
        }
        if (!done) { // every point: two passes, the minimum first
            differences(xs_, ys_, 0, n, a, qx, qy, scratch);
            r = Sums{};
            r.minD2 = scratch.d2.minCoeff();
            accumulate(n, r.minD2, inv2s2, scratch, &r.W, &r.Sx, &r.Sy, &r.S2);
        }
        use(j, r);
    }
}

void EmpiricalDistribution::score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                  Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    if (out.cols() != x.cols()) throw InputError("empirical score: output has the wrong size");
    const double s2 = m.std * m.std;
    forEachQuery(x, m, true, [&](Eigen::Index j, const Sums& r) {
        out(0, j) = r.Sx / (r.W * s2);
        out(1, j) = r.Sy / (r.W * s2);
    });
}

void EmpiricalDistribution::scoreFullSum(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                         Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    if (out.cols() != x.cols()) throw InputError("empirical score: output has the wrong size");
    const double s2 = m.std * m.std;
    forEachQuery(x, m, false, [&](Eigen::Index j, const Sums& r) {
        out(0, j) = r.Sx / (r.W * s2);
        out(1, j) = r.Sy / (r.W * s2);
    });
}

void EmpiricalDistribution::logDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                       Eigen::Ref<Eigen::VectorXd> out) const
{
    if (out.size() != x.cols()) throw InputError("empirical log-density: output has the wrong size");
    const double s2 = m.std * m.std;
    const double constant = -std::log(double(xs_.size())) - kLog2Pi - std::log(s2);
    forEachQuery(x, m, true,
                 [&](Eigen::Index j, const Sums& r) { out(j) = -r.minD2 * (0.5 / s2) + std::log(r.W) + constant; });
}

void EmpiricalDistribution::logDensityFullSum(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                              Eigen::Ref<Eigen::VectorXd> out) const
{
    if (out.size() != x.cols()) throw InputError("empirical log-density: output has the wrong size");
    const double s2 = m.std * m.std;
    const double constant = -std::log(double(xs_.size())) - kLog2Pi - std::log(s2);
    forEachQuery(x, m, false,
                 [&](Eigen::Index j, const Sums& r) { out(j) = -r.minD2 * (0.5 / s2) + std::log(r.W) + constant; });
}

void EmpiricalDistribution::divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                       Eigen::Ref<Eigen::VectorXd> out) const
{
    if (out.size() != x.cols()) throw InputError("empirical divergence: output has the wrong size");
    const double s2 = m.std * m.std;
    forEachQuery(x, m, true, [&](Eigen::Index j, const Sums& r) {
        const double mx = r.Sx / r.W, my = r.Sy / r.W;
        // Posterior variance >= 0 in exact arithmetic; rounding may leave -tiny
        // (a NaN query stays NaN).
        double var = r.S2 / r.W - (mx * mx + my * my);
        if (var < 0.0) var = 0.0;
        out(j) = var / (s2 * s2) - 2.0 / s2;
    });
}

} // namespace ss
