#pragma once
// An analytic Gaussian mixture sum_k pi_k N(m_k, C_k) in R^2: exact density and
// score at every noise level (the marginal of mean*x0 + std*eps is the mixture
// with means mean*m_k and covariances mean^2 C_k + std^2 I). Responsibilities are
// computed with log-sum-exp, so far-away points do not underflow to NaN.
//
// Spatial cut-off (mixtures of kIndexMinComponents or more): score, density
// and divergence sum only the components that can matter. With l_k the log of
// component k's term at x, l_0 that of the component whose mean is nearest,
// c_max the largest log(pi_k) - log(2 pi) - 1/2 log det C_k and Lambda the
// largest covariance eigenvalue at the noise level, a component whose mean is
// farther than R, R^2 = 2 Lambda (c_max - l_0 + log(K / kCutoffTolerance)),
// has l_k < l_0 - log(K / tol): all of them together weigh below
// kCutoffTolerance times the sum. So log p is within kCutoffTolerance nats of
// the full sum, score and divergence within that fraction of the components'
// spread of P_k (mu_k - x). The means are found with a k-d tree built once per
// mixture; the full sum is used when the disc holds every mean (large noise,
// or a broad component that makes Lambda large).
#include "core/ExactScore.h"
#include "core/PointIndex.h"
#include "core/Rng.h"

#include <memory>
#include <vector>

namespace ss {

class GaussianMixture final : public ExactScore {
public:
    static constexpr double kCutoffTolerance = 1e-12; // relative weight left out (see above)
    static constexpr int kIndexMinComponents = 64;    // fewer: the full sum, no tree

    // Throws InputError unless: at least one component, weights positive and
    // finite (they are normalised here unless they already sum to 1 up to
    // rounding), covariances symmetric positive definite.
    GaussianMixture(std::vector<double> weights, Eigen::Matrix2Xd means,
                    std::vector<Eigen::Matrix2d> covariances);

    int size() const { return int(weights_.size()); }
    const std::vector<double>& weights() const { return weights_; }
    const Eigen::Matrix2Xd& means() const { return means_; }
    const std::vector<Eigen::Matrix2d>& covariances() const { return covs_; }

    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override;
    void logDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                    Eigen::Ref<Eigen::VectorXd> out) const override;
    void divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                    Eigen::Ref<Eigen::VectorXd> out) const override;
    bool needsNoise() const override { return false; }

    // The sums over every component, for tests and benchmarks of the cut-off.
    void scoreFullSum(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, Eigen::Ref<Eigen::Matrix2Xd> out) const;
    void logDensityFullSum(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                           Eigen::Ref<Eigen::VectorXd> out) const;

    // Posterior over components, p(k | x) at the marginal m: size() x x.cols().
    Eigen::MatrixXd responsibilities(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m) const;

    // n samples; when labels is not null it receives each sample's component.
    Eigen::Matrix2Xd sample(int n, Rng& rng, std::vector<int>* labels = nullptr) const;

private:
    template <typename Use>
    void forEachQuery(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, bool cutoff, Use&& use) const;

    std::vector<double> weights_;
    Eigen::Matrix2Xd means_;
    std::vector<Eigen::Matrix2d> covs_;
    std::shared_ptr<const PointIndex> index_; // over the means; null for small mixtures
    double maxCovEigenvalue_ = 0.0;           // over all components (the cut-off's Lambda at mean 1, std 0)
};

} // namespace ss
