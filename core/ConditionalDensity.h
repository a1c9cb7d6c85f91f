#pragma once
// The exact conditional density of one coordinate given the other,
// p(x_j | x_i = a), of a 2D reference: the ground truth that replacement /
// RePaint conditioning (SamplerConfig::fixCoordinate) only approximates.
//
// Both references give a 1D Gaussian mixture:
//  - a Gaussian mixture sum_k pi_k N(m_k, C_k) at a marginal (mean s, std sd):
//    component k becomes N(s m_k, s^2 C_k + sd^2 I); conditioned on x_i = a its
//    weight is pi_k N(a; m_ki, C_kii) (renormalised), its mean
//    m_kj + C_kji / C_kii (a - m_ki) and its variance C_kjj - C_kji^2 / C_kii;
//  - a point set {x_n} smoothed by N(0, sd^2 I) (sd > 0: the empirical law
//    itself has no density): weights exp(-(a - x_ni)^2 / (2 sd^2)), means x_nj,
//    all with std sd.
// Weights are normalised in logs (log-sum-exp), so a far from every component
// still gives a proper density (the nearest components in their own metric
// take over). Components with a normalised weight below 1e-16 are dropped
// (the density changes by less than 1e-16 times their count, relative).
//
// distanceToCdf compares a 1D sample with such a law: the Kolmogorov–Smirnov
// statistic sup |F_n - F| and the Wasserstein-1 distance int |F_n - F| dx,
// both exact (W1 through the closed-form integral of a Gaussian CDF).
#include "core/ExactScore.h"
#include "core/GaussianMixture.h"
#include "core/Rng.h"

#include <vector>

namespace ss {

class Mixture1D {
public:
    // Throws InputError unless the sizes agree, there is a component, weights
    // are positive and finite (normalised here) and stds positive and finite.
    Mixture1D(std::vector<double> weights, std::vector<double> means, std::vector<double> stds);

    int size() const { return int(weights_.size()); }
    const std::vector<double>& weights() const { return weights_; }
    const std::vector<double>& means() const { return means_; }
    const std::vector<double>& stds() const { return stds_; }

    double pdf(double x) const;
    double cdf(double x) const;
    // int_{-inf}^x F(y) dy, exact: sum_k pi_k sd_k (z Phi(z) + phi(z)), z = (x - m_k) / sd_k.
    double cdfIntegral(double x) const;
    // int_x^{inf} (1 - F(y)) dy, exact, computed without cancellation.
    double survivalIntegral(double x) const;
    double mean() const;
    std::vector<double> sample(int n, Rng& rng) const;

private:
    std::vector<double> weights_, means_, stds_;
};

// fixedCoordinate: 0 conditions on x1 = a (the law of x2), 1 on x2 = a (the
// law of x1). Throws InputError for another coordinate or a non-finite a.
Mixture1D conditionalDensity(const GaussianMixture& mixture, int fixedCoordinate, double a,
                             Marginal marginal = Marginal{1.0, 0.0});
// Throws InputError for an empty set, non-finite points, or std <= 0.
Mixture1D conditionalDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& points, int fixedCoordinate, double a,
                             double std);

struct CdfDistance {
    double ks = 0.0; // sup_x |F_n(x) - F(x)|
    double w1 = 0.0; // int |F_n(x) - F(x)| dx, in the coordinate's units
};
// Throws InputError for an empty or non-finite sample.
CdfDistance distanceToCdf(std::vector<double> samples, const Mixture1D& law);

} // namespace ss
