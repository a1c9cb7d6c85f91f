#pragma once
// An analytic Gaussian mixture sum_k pi_k N(m_k, C_k) in R^2: exact density and
// score at every noise level (the marginal of mean*x0 + std*eps is the mixture
// with means mean*m_k and covariances mean^2 C_k + std^2 I). Responsibilities are
// computed with log-sum-exp, so far-away points do not underflow to NaN.
#include "ExactScore.h"
#include "Rng.h"

#include <vector>

namespace ss {

class GaussianMixture final : public ExactScore {
public:
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
    bool needsNoise() const override { return false; }

    // Posterior over components, p(k | x) at the marginal m: size() x x.cols().
    Eigen::MatrixXd responsibilities(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m) const;

    // n samples; when labels is not null it receives each sample's component.
    Eigen::Matrix2Xd sample(int n, Rng& rng, std::vector<int>* labels = nullptr) const;

private:
    std::vector<double> weights_;
    Eigen::Matrix2Xd means_;
    std::vector<Eigen::Matrix2d> covs_;
};

} // namespace ss
