#include "core/GaussianMixture.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace ss {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836; // log(2 pi)

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// The mixture at one marginal, prepared once per call: component k has mean
// mu[k], precision P[k] and the constant c[k] = log pi_k - log(2 pi) - 1/2 log det.
struct Prepared {
    std::vector<Eigen::Vector2d> mu;
    std::vector<Eigen::Matrix2d> P;
    std::vector<double> c;
};

void checkMarginal(Marginal m)
{
    if (!std::isfinite(m.mean) || !std::isfinite(m.std) || m.std < 0.0)
        throw InputError("Gaussian mixture: the noise level needs a finite mean and a finite std >= 0 (got mean "
                         + num(m.mean) + ", std " + num(m.std) + ")");
}

// Throws InputError when a marginal covariance is singular (mean = 0 and std = 0)
// or numerically so (the determinant underflows).
Prepared prepare(const std::vector<double>& weights, const Eigen::Matrix2Xd& means,
                 const std::vector<Eigen::Matrix2d>& covs, Marginal m)
{
    checkMarginal(m);
    const int K = int(weights.size());
    Prepared p;
    p.mu.resize(K);
    p.P.resize(K);
    p.c.resize(K);
    const double a2 = m.mean * m.mean, s2 = m.std * m.std;
    for (int k = 0; k < K; ++k) {
        const Eigen::Matrix2d C = a2 * covs[k] + s2 * Eigen::Matrix2d::Identity();
        const double det = C(0, 0) * C(1, 1) - C(0, 1) * C(1, 0);
        if (!(det > 0.0) || !(C(0, 0) > 0.0) || !std::isfinite(det))
            throw InputError("Gaussian mixture: the covariance of component " + std::to_string(k)
                             + " is singular at this noise level (mean " + num(m.mean) + ", std "
                             + num(m.std) + ")");
        Eigen::Matrix2d inv;
        inv << C(1, 1), -C(0, 1), -C(1, 0), C(0, 0);
        p.P[k] = inv / det;
        p.mu[k] = m.mean * means.col(k);
        p.c[k] = std::log(weights[k]) - kLog2Pi - 0.5 * std::log(det);
    }
    return p;
}

// For one point x: w[k] = pi_k N(x | mu_k, C_k) / max_l(...), so the largest is
// exactly 1 and their sum (returned in *sum) is in [1, K]; the return value is
// log p(x) = log-sum-exp. Stable far from every component: the largest term is
// factored out before exponentiating. Responsibilities are w[k] / *sum.
double weightsAt(const Prepared& p, const Eigen::Vector2d& x, double* w, double* sum)
{
    const int K = int(p.c.size());
    double mx = -std::numeric_limits<double>::infinity();
    for (int k = 0; k < K; ++k) {
        const Eigen::Vector2d d = x - p.mu[k];
        w[k] = p.c[k] - 0.5 * d.dot(p.P[k] * d);
        mx = std::max(mx, w[k]);
    }
    *sum = 0.0;
    if (!std::isfinite(mx)) { // x not finite: propagate NaN, do not invent a value
        std::fill(w, w + K, std::numeric_limits<double>::quiet_NaN());
        *sum = 1.0;
        return std::numeric_limits<double>::quiet_NaN();
    }
    for (int k = 0; k < K; ++k) {
        w[k] = std::exp(std::max(w[k] - mx, -700.0)); // floor: keep exp out of denormals
        *sum += w[k];
    }
    return mx + std::log(*sum);
}

} // namespace

GaussianMixture::GaussianMixture(std::vector<double> weights, Eigen::Matrix2Xd means,
                                 std::vector<Eigen::Matrix2d> covariances)
    : weights_(std::move(weights)), means_(std::move(means)), covs_(std::move(covariances))
{
    const std::size_t K = weights_.size();
    if (K == 0) throw InputError("Gaussian mixture: at least one component is needed");
    if (std::size_t(means_.cols()) != K || covs_.size() != K)
        throw InputError("Gaussian mixture: " + std::to_string(K) + " weights but " + std::to_string(means_.cols())
                         + " means and " + std::to_string(covs_.size()) + " covariances");
    double total = 0.0;
    for (std::size_t k = 0; k < K; ++k) {
        const std::string which = "Gaussian mixture: component " + std::to_string(k);
        if (!std::isfinite(weights_[k]) || !(weights_[k] > 0.0))
            throw InputError(which + " has weight " + num(weights_[k]) + "; weights must be positive and finite");
        if (!means_.col(k).allFinite()) throw InputError(which + " has a non-finite mean");
        const Eigen::Matrix2d& C = covs_[k];
        if (!C.allFinite()) throw InputError(which + " has a non-finite covariance");
        const double scale = std::max(std::abs(C(0, 1)), std::max(std::abs(C(0, 0)), std::abs(C(1, 1))));
        if (std::abs(C(0, 1) - C(1, 0)) > 1e-12 * scale)
            throw InputError(which + " has a covariance that is not symmetric");
        // Positive definite iff both leading minors are positive (Sylvester).
        if (!(C(0, 0) > 0.0) || !(C(0, 0) * C(1, 1) - C(0, 1) * C(1, 0) > 0.0))
            throw InputError(which + " has a covariance that is not positive definite");
        covs_[k](1, 0) = covs_[k](0, 1); // exact symmetry from here on
        total += weights_[k];
    }
    if (!std::isfinite(total)) throw InputError("Gaussian mixture: the weights overflow when summed");
    for (const Eigen::Matrix2d& C : covs_) { // largest eigenvalue of the symmetric 2x2
        const double half = std::hypot(0.5 * (C(0, 0) - C(1, 1)), C(0, 1));
        maxCovEigenvalue_ = std::max(maxCovEigenvalue_, 0.5 * (C(0, 0) + C(1, 1)) + half);
    }
    if (int(K) >= kIndexMinComponents) index_ = std::make_shared<const PointIndex>(means_);
    // Weights that already sum to 1 up to rounding are kept as they are:
    // normalising normalised weights can move their last bits, and a mixture
    // read back from a scene file must give exactly the scores it gave before.
    if (std::abs(total - 1.0) <= 4.0 * double(K) * std::numeric_limits<double>::epsilon()) return;
    for (double& w : weights_) w /= total;
}

// Calls use(j, comps, w, count, sum, logp) for every query column j: the
// candidate components comps[0..count) with w[i] = term_i / max term (the
// largest exactly 1), sum = sum of w (in [1, count]) and logp = log p(x_j).
// cutoff = false, or a small mixture: every component. A non-finite x (or one
// so far that every term underflows) gives NaN sum and logp (propagated, not
// invented).
template <typename Use>
void GaussianMixture::forEachQuery(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, bool cutoff,
                                   Use&& use) const
{
    const Prepared p = prepare(weights_, means_, covs_, m);
    const int K = size();
    std::vector<int> comps(static_cast<std::size_t>(K), 0), all(static_cast<std::size_t>(K));
    for (int k = 0; k < K; ++k) all[std::size_t(k)] = k;
    std::vector<double> w(static_cast<std::size_t>(K));
    const double a = m.mean, s2 = m.std * m.std;
    const double cMax = *std::max_element(p.c.begin(), p.c.end());
    const double lambda = a * a * maxCovEigenvalue_ + s2; // largest covariance eigenvalue at this level
    const double logRatio = std::log(double(K) / kCutoffTolerance);
    const bool indexed = cutoff && index_ && a != 0.0;
    const auto logTerm = [&](int k, const Eigen::Vector2d& xj) {
        const Eigen::Vector2d d = xj - p.mu[std::size_t(k)];
        return p.c[std::size_t(k)] - 0.5 * d.dot(p.P[std::size_t(k)] * d);
    };
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const Eigen::Vector2d xj = x.col(j);
        const int* cand = all.data();
        int count = K;
        if (!xj.allFinite()) count = 0; // NaN out below, without the sum (a diverged particle)
        else if (indexed) {
            const double ux = xj.x() / a, uy = xj.y() / a; // the tree holds the unscaled means
            if (std::isfinite(ux) && std::isfinite(uy)) {
                int pos = 0;
                index_->nearest(ux, uy, &pos);
                const double l0 = logTerm(index_->order()[std::size_t(pos)], xj);
                const double r2 = 2.0 * lambda * (cMax - l0 + logRatio) / (a * a);
                if (std::isfinite(r2) && r2 < index_->farthestCorner2(ux, uy)) {
                    count = 0;
                    index_->forEachLeafNear(ux, uy, r2, [&](int begin, int end) {
                        for (int i = begin; i < end; ++i) comps[std::size_t(count++)] = index_->order()[std::size_t(i)];
                    });
                    cand = comps.data();
                }
            }
        }
        double mx = -std::numeric_limits<double>::infinity();
        for (int i = 0; i < count; ++i) {
            w[std::size_t(i)] = logTerm(cand[i], xj);
            mx = std::max(mx, w[std::size_t(i)]);
        }
        if (!std::isfinite(mx)) { // x not finite: propagate NaN, do not invent a value
            std::fill(w.begin(), w.begin() + count, std::numeric_limits<double>::quiet_NaN());
            const double nan = std::numeric_limits<double>::quiet_NaN();
            use(j, p, cand, w.data(), count, nan, nan); // sum NaN: score and divergence NaN too
            continue;
        }
        double sum = 0.0;
        for (int i = 0; i < count; ++i) {
            w[std::size_t(i)] = std::exp(std::max(w[std::size_t(i)] - mx, -700.0)); // floor: no denormals
            sum += w[std::size_t(i)];
        }
        use(j, p, cand, w.data(), count, sum, mx + std::log(sum));
    }
}

namespace {
// score = sum_k r_k P_k (mu_k - x), r_k = w_k / sum.
Eigen::Vector2d scoreOf(const Prepared& p, const Eigen::Vector2d& x, const int* comps, const double* w, int count,
                        double sum)
{
    Eigen::Vector2d s = Eigen::Vector2d::Zero();
    for (int i = 0; i < count; ++i) {
        const std::size_t k = std::size_t(comps[i]);
        s += w[i] * (p.P[k] * (p.mu[k] - x));
    }
    return s / sum;
}
} // namespace

void GaussianMixture::score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                            Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    if (out.cols() != x.cols()) throw InputError("Gaussian mixture: score output has the wrong size");
    forEachQuery(x, m, true, [&](Eigen::Index j, const Prepared& p, const int* comps, const double* w, int count,
                                 double sum, double) { out.col(j) = scoreOf(p, x.col(j), comps, w, count, sum); });
}

void GaussianMixture::scoreFullSum(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                   Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    if (out.cols() != x.cols()) throw InputError("Gaussian mixture: score output has the wrong size");
    forEachQuery(x, m, false, [&](Eigen::Index j, const Prepared& p, const int* comps, const double* w, int count,
                                  double sum, double) { out.col(j) = scoreOf(p, x.col(j), comps, w, count, sum); });
}

void GaussianMixture::logDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                 Eigen::Ref<Eigen::VectorXd> out) const
{
    if (out.size() != x.cols()) throw InputError("Gaussian mixture: log-density output has the wrong size");
    forEachQuery(x, m, true,
                 [&](Eigen::Index j, const Prepared&, const int*, const double*, int, double, double logp) {
                     out(j) = logp;
                 });
}

void GaussianMixture::logDensityFullSum(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                        Eigen::Ref<Eigen::VectorXd> out) const
{
    if (out.size() != x.cols()) throw InputError("Gaussian mixture: log-density output has the wrong size");
    forEachQuery(x, m, false,
                 [&](Eigen::Index j, const Prepared&, const int*, const double*, int, double, double logp) {
                     out(j) = logp;
                 });
}

void GaussianMixture::divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                                 Eigen::Ref<Eigen::VectorXd> out) const
{
    if (out.size() != x.cols()) throw InputError("Gaussian mixture: divergence output has the wrong size");
    // With g_k = P_k (mu_k - x): div score = sum_k r_k (|g_k|^2 - tr P_k) - |sum_k r_k g_k|^2.
    // The variance part is taken about g of the heaviest component (weight 1),
    // which keeps it from cancelling far from the means.
    forEachQuery(x, m, true, [&](Eigen::Index j, const Prepared& p, const int* comps, const double* w, int count,
                                 double sum, double) {
        const Eigen::Vector2d xj = x.col(j);
        Eigen::Vector2d ref = Eigen::Vector2d::Zero();
        for (int i = 0; i < count; ++i)
            if (w[i] == 1.0) {
                const std::size_t k = std::size_t(comps[i]);
                ref = p.P[k] * (p.mu[k] - xj);
                break;
            }
        Eigen::Vector2d mean = Eigen::Vector2d::Zero();
        double second = 0.0, trace = 0.0;
        for (int i = 0; i < count; ++i) {
            const std::size_t k = std::size_t(comps[i]);
            const Eigen::Vector2d g = p.P[k] * (p.mu[k] - xj) - ref;
            mean += w[i] * g;
            second += w[i] * g.squaredNorm();
            trace += w[i] * p.P[k].trace();
        }
        mean /= sum;
        double var = second / sum - mean.squaredNorm();
        if (var < 0.0) var = 0.0; // rounding; NaN stays NaN
        out(j) = var - trace / sum;
    });
}

Eigen::MatrixXd GaussianMixture::responsibilities(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m) const
{
    const Prepared p = prepare(weights_, means_, covs_, m);
    const int K = size();
    Eigen::MatrixXd r(K, x.cols());
    std::vector<double> w(K);
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        double sum = 0.0;
        weightsAt(p, x.col(j), w.data(), &sum);
        for (int k = 0; k < K; ++k) r(k, j) = w[k] / sum;
    }
    return r;
}

Eigen::Matrix2Xd GaussianMixture::sample(int n, Rng& rng, std::vector<int>* labels) const
{
    if (n < 0) throw InputError("Gaussian mixture: cannot draw a negative number of samples");
    const int K = size();
    // Cumulative weights and lower Cholesky factors, C = L L^T (2x2 closed form).
    std::vector<double> cum(K);
    std::vector<Eigen::Matrix2d> L(K);
    double acc = 0.0;
    for (int k = 0; k < K; ++k) {
        acc += weights_[k];
        cum[k] = acc;
        const Eigen::Matrix2d& C = covs_[k];
        const double l00 = std::sqrt(C(0, 0));
        const double l10 = C(1, 0) / l00;
        const double l11 = std::sqrt(std::max(0.0, C(1, 1) - l10 * l10));
        L[k] << l00, 0.0, l10, l11;
    }
    Eigen::Matrix2Xd out(2, n);
    if (labels) labels->resize(n);
    for (int i = 0; i < n; ++i) {
        // Draw order (component, then two normals) is part of the determinism contract.
        const double u = rng.uniform() * acc;
        const int k = int(std::upper_bound(cum.begin(), cum.end() - 1, u) - cum.begin());
        const double z0 = rng.normal();
        const double z1 = rng.normal();
        out.col(i) = means_.col(k) + L[k] * Eigen::Vector2d(z0, z1);
        if (labels) (*labels)[i] = k;
    }
    return out;
}

} // namespace ss
