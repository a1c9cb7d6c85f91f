#include "core/ExactPosterior.h"

#include "core/Error.h"

#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace ss {

namespace {

// Index drawn from unnormalised log-weights (the largest subtracted first).
int drawIndex(const std::vector<double>& logw, Rng& rng, std::vector<double>& cum)
{
    const double top = *std::max_element(logw.begin(), logw.end());
    cum.resize(logw.size());
    double acc = 0;
    for (std::size_t k = 0; k < logw.size(); ++k) cum[k] = acc += std::exp(logw[k] - top);
    const auto it = std::upper_bound(cum.begin(), cum.end(), rng.uniform() * acc);
    return int(std::min<std::ptrdiff_t>(it - cum.begin(), std::ptrdiff_t(cum.size()) - 1));
}

} // namespace

Eigen::Matrix2Xd samplePosterior(const Dataset& data, Marginal m, const Eigen::Ref<const Eigen::Matrix2Xd>& xt,
                                 Rng& rng)
{
    if (!(m.std > 0) || !(m.mean > 0) || !std::isfinite(m.std) || !std::isfinite(m.mean))
        throw InputError("the posterior p(x0 | x_t) needs a noised level (mean > 0, std > 0)");
    const Eigen::Index n = xt.cols();
    Eigen::Matrix2Xd out(2, n);
    std::vector<double> logw, cum;
    if (data.mixture) {
        const GaussianMixture& g = *data.mixture;
        const int K = g.size();
        const auto components = std::size_t(K);
        std::vector<Eigen::Matrix2d> ainv(components), gain(components), chol(components);
        std::vector<double> logNorm(components);
        for (int k = 0; k < K; ++k) {
            const Eigen::Matrix2d& C = g.covariances()[std::size_t(k)];
            const Eigen::Matrix2d A = m.mean * m.mean * C + m.std * m.std * Eigen::Matrix2d::Identity();
            ainv[std::size_t(k)] = A.inverse();
            gain[std::size_t(k)] = m.mean * C * ainv[std::size_t(k)];
            Eigen::Matrix2d post = C - m.mean * gain[std::size_t(k)] * C;
            post = 0.5 * (post + post.transpose()); // symmetric to rounding
            // 2x2 Cholesky; a degenerate component (zero covariance) stays a point.
            const double l00 = std::sqrt(std::max(post(0, 0), 0.0));
            const double l10 = l00 > 0 ? post(1, 0) / l00 : 0.0;
            const double l11 = std::sqrt(std::max(post(1, 1) - l10 * l10, 0.0));
            chol[std::size_t(k)] << l00, 0, l10, l11;
            logNorm[std::size_t(k)] = std::log(g.weights()[std::size_t(k)]) - 0.5 * std::log(A.determinant());
        }
        logw.resize(std::size_t(K));
        for (Eigen::Index j = 0; j < n; ++j) {
            for (int k = 0; k < K; ++k) {
                const Eigen::Vector2d d = xt.col(j) - m.mean * g.means().col(k);
                logw[std::size_t(k)] = logNorm[std::size_t(k)] - 0.5 * d.dot(ainv[std::size_t(k)] * d);
            }
            const auto k = std::size_t(drawIndex(logw, rng, cum));
            const Eigen::Vector2d d = xt.col(j) - m.mean * g.means().col(Eigen::Index(k));
            const Eigen::Vector2d z(rng.normal(), rng.normal());
            out.col(j) = g.means().col(Eigen::Index(k)) + gain[k] * d + chol[k] * z;
        }
        return out;
    }
    if (data.size() == 0) throw InputError("data set '" + data.name + "' has no points, so no posterior");
    const Eigen::Matrix2Xd scaled = m.mean * data.points;
    logw.resize(std::size_t(data.size()));
    const double inv = 0.5 / (m.std * m.std);
    for (Eigen::Index j = 0; j < n; ++j) {
        for (Eigen::Index i = 0; i < scaled.cols(); ++i)
            logw[std::size_t(i)] = -inv * (xt.col(j) - scaled.col(i)).squaredNorm();
        out.col(j) = data.points.col(drawIndex(logw, rng, cum));
    }
    return out;
}

} // namespace ss
