#include "core/ConditionalDensity.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace ss {

namespace {

constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kLog2Pi = 1.83787706640934548356;
constexpr double kMinWeight = 1e-16; // normalised weights below this are dropped

double phi(double z) { return kInvSqrt2Pi * std::exp(-0.5 * z * z); }
double Phi(double z) { return 0.5 * std::erfc(-z * kInvSqrt2); } // accurate in both tails

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

void checkCoordinate(int fixedCoordinate, double a)
{
    if (fixedCoordinate != 0 && fixedCoordinate != 1)
        throw InputError("conditional density: the fixed coordinate must be 0 (x1) or 1 (x2), got " +
                         std::to_string(fixedCoordinate));
    if (!std::isfinite(a)) throw InputError("conditional density: the conditioning value is not finite (" + num(a) + ")");
}

// Components from log weights: normalised by log-sum-exp, tiny ones dropped.
Mixture1D fromLogWeights(const std::vector<double>& logW, const std::vector<double>& means,
                         const std::vector<double>& stds)
{
    const double top = *std::max_element(logW.begin(), logW.end());
    double total = 0.0;
    for (const double l : logW) total += std::exp(l - top);
    std::vector<double> w, m, s;
    for (std::size_t k = 0; k < logW.size(); ++k) {
        const double wk = std::exp(logW[k] - top) / total;
        if (wk < kMinWeight) continue;
        w.push_back(wk);
        m.push_back(means[k]);
        s.push_back(stds[k]);
    }
    return Mixture1D(std::move(w), std::move(m), std::move(s));
}

} // namespace

Mixture1D::Mixture1D(std::vector<double> weights, std::vector<double> means, std::vector<double> stds)
    : weights_(std::move(weights)), means_(std::move(means)), stds_(std::move(stds))
{
    if (weights_.empty()) throw InputError("1D mixture: no components");
    if (means_.size() != weights_.size() || stds_.size() != weights_.size())
        throw InputError("1D mixture: weights, means and stds differ in number");
    double total = 0.0;
    for (std::size_t k = 0; k < weights_.size(); ++k) {
        if (!(weights_[k] > 0.0) || !std::isfinite(weights_[k]))
            throw InputError("1D mixture: weight " + std::to_string(k) + " is " + num(weights_[k]));
        if (!std::isfinite(means_[k])) throw InputError("1D mixture: mean " + std::to_string(k) + " is not finite");
        if (!(stds_[k] > 0.0) || !std::isfinite(stds_[k]))
            throw InputError("1D mixture: std " + std::to_string(k) + " is " + num(stds_[k]));
        total += weights_[k];
    }
    for (double& w : weights_) w /= total;
}

double Mixture1D::pdf(double x) const
{
    double p = 0.0;
    for (int k = 0; k < size(); ++k) p += weights_[k] * phi((x - means_[k]) / stds_[k]) / stds_[k];
    return p;
}

double Mixture1D::cdf(double x) const
{
    double f = 0.0;
    for (int k = 0; k < size(); ++k) f += weights_[k] * Phi((x - means_[k]) / stds_[k]);
    return std::min(f, 1.0);
}

double Mixture1D::cdfIntegral(double x) const
{
    double g = 0.0;
    for (int k = 0; k < size(); ++k) {
        const double z = (x - means_[k]) / stds_[k];
        g += weights_[k] * stds_[k] * (z * Phi(z) + phi(z));
    }
    return g;
}

double Mixture1D::survivalIntegral(double x) const
{
    double g = 0.0;
    for (int k = 0; k < size(); ++k) {
        const double z = (x - means_[k]) / stds_[k];
        g += weights_[k] * stds_[k] * (phi(z) - z * Phi(-z));
    }
    return g;
}

double Mixture1D::mean() const
{
    double m = 0.0;
    for (int k = 0; k < size(); ++k) m += weights_[k] * means_[k];
    return m;
}

std::vector<double> Mixture1D::sample(int n, Rng& rng) const
{
    std::vector<double> out(std::size_t(std::max(n, 0)));
    for (double& x : out) {
        double u = rng.uniform();
        int k = 0;
        while (k + 1 < size() && u >= weights_[k]) u -= weights_[k++];
        x = means_[k] + stds_[k] * rng.normal();
    }
    return out;
}

Mixture1D conditionalDensity(const GaussianMixture& mixture, int fixedCoordinate, double a, Marginal marginal)
{
    checkCoordinate(fixedCoordinate, a);
    const int i = fixedCoordinate, j = 1 - fixedCoordinate;
    const double s = marginal.mean, v = marginal.std * marginal.std;
    std::vector<double> logW, means, stds;
    for (int k = 0; k < mixture.size(); ++k) {
        const Eigen::Matrix2d C = s * s * mixture.covariances()[k] + v * Eigen::Matrix2d::Identity();
        const double mi = s * mixture.means()(i, k), mj = s * mixture.means()(j, k);
        const double cii = C(i, i), cij = C(i, j), cjj = C(j, j);
        const double d = a - mi;
        logW.push_back(std::log(mixture.weights()[k]) - 0.5 * (d * d / cii + std::log(cii) + kLog2Pi));
        means.push_back(mj + cij / cii * d);
        stds.push_back(std::sqrt(std::max(cjj - cij * cij / cii, 0.0)));
    }
    return fromLogWeights(logW, means, stds);
}

Mixture1D conditionalDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& points, int fixedCoordinate, double a,
                             double std)
{
    checkCoordinate(fixedCoordinate, a);
    if (points.cols() == 0) throw InputError("conditional density: the point set is empty");
    if (!points.allFinite()) throw InputError("conditional density: the point set has non-finite coordinates");
    if (!(std > 0.0) || !std::isfinite(std))
        throw InputError("conditional density: a point set needs a smoothing std > 0 (got " + num(std) + ")");
    const int i = fixedCoordinate, j = 1 - fixedCoordinate;
    std::vector<double> logW(points.cols()), means(points.cols()), stds(points.cols(), std);
    for (Eigen::Index n = 0; n < points.cols(); ++n) {
        const double d = (a - points(i, n)) / std;
        logW[n] = -0.5 * d * d;
        means[n] = points(j, n);
    }
    return fromLogWeights(logW, means, stds);
}

CdfDistance distanceToCdf(std::vector<double> x, const Mixture1D& law)
{
    if (x.empty()) throw InputError("conditional comparison: no sample values");
    for (const double v : x)
        if (!std::isfinite(v)) throw InputError("conditional comparison: a sample value is not finite (" + num(v) + ")");
    std::sort(x.begin(), x.end());
    const auto n = double(x.size());
    CdfDistance out;
    std::vector<double> F(x.size()), G(x.size()); // F and its integral at each sample value
    for (std::size_t r = 0; r < x.size(); ++r) {
        F[r] = law.cdf(x[r]);
        G[r] = law.cdfIntegral(x[r]);
    }
    // KS: F is continuous, so the supremum is reached next to a jump of F_n.
    for (std::size_t r = 0; r < x.size(); ++r)
        out.ks = std::max({out.ks, double(r + 1) / n - F[r], F[r] - double(r) / n});
    // W1: the two tails in closed form, then each gap [x_r, x_{r+1}) where F_n = c.
    double w1 = G.front() + law.survivalIntegral(x.back());
    for (std::size_t r = 0; r + 1 < x.size(); ++r) {
        const double u = x[r], v = x[r + 1];
        if (v <= u) continue;
        const double c = double(r + 1) / n;
        if (F[r + 1] <= c) {
            w1 += c * (v - u) - (G[r + 1] - G[r]);
        } else if (F[r] >= c) {
            w1 += (G[r + 1] - G[r]) - c * (v - u);
        } else { // F crosses c inside: find where (F is increasing), split there
            double lo = u, hi = v;
            for (int it = 0; it < 60 && hi - lo > 1e-10 * (1.0 + std::abs(lo)); ++it) {
                const double mid = 0.5 * (lo + hi);
                (law.cdf(mid) < c ? lo : hi) = mid;
            }
            const double xs = 0.5 * (lo + hi), gs = law.cdfIntegral(xs);
            w1 += c * (xs - u) - (gs - G[r]) + (G[r + 1] - gs) - c * (v - xs);
        }
    }
    out.w1 = std::max(w1, 0.0);
    return out;
}

} // namespace ss
