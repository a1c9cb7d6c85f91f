#pragma once
// What a network predicts at a noise level x = mean x0 + std eps, and the
// conversions between the quantities (docs/reference/parametrisations.md).
// Written once here; ScoreNet's output -> score path, the objectives' targets
// and the tests use them, so every sampler, likelihood and measurement takes
// any parametrisation unchanged.
//
// Every quantity is affine in (x, score s) at a level (m = mean, s_ = std):
//   score     s                              alpha 0            beta 1
//   epsilon   -std s                         alpha 0            beta -std
//   x0        (x + std^2 s) / mean           alpha 1/mean       beta std^2/mean
//   v         (mean eps - std x0) / r        alpha -std/(mean r) beta -std r/mean,   r = sqrt(mean^2 + std^2)
//   velocity  eps - x0                       alpha -1/mean      beta -std (mean + std)/mean
// (the posterior means of eps, x0, ... given x are these of the exact score).
// v is Salimans & Ho's on VP levels (r = 1) and stays of unit scale on VE
// levels. The velocity is the linear path's (x = (1-t) x0 + t eps, dx/dt =
// eps - x0): any level is that path at t = std/(mean+std) after dividing x by
// mean + std, so the target is meaningful on every schedule.
// Conversions need std > 0 and mean > 0 (x0, v, velocity).
#include "core/ExactScore.h"

#include <Eigen/Core>

#include <string>

namespace ss {

enum class Parametrisation { Score, ScoreOverSigma, Epsilon, X0, V, Velocity, Edm };

// "score", "score-over-sigma", "epsilon", "x0", "v", "velocity", "edm"
std::string parametrisationName(Parametrisation p);
Parametrisation parametrisationFromName(const std::string&); // throws InputError

enum class Quantity { Score, Epsilon, X0, V, Velocity };

// q = alpha x + beta s at one level.
struct Affine {
    double alpha = 0;
    double beta = 1;
};

Affine quantityAffine(Quantity q, const Marginal& m);

// The value of quantity `to` at point x given the value of `from` there.
Eigen::Vector2d convert(Quantity from, Quantity to, const Eigen::Vector2d& value, const Eigen::Vector2d& x,
                        const Marginal& m);

// EDM's preconditioning (Karras et al. 2022, table 1) at a level, in the VE
// frame x / mean with sigma = std / mean:
//   c_skip = sd^2/(sigma^2+sd^2), c_out = sigma sd / sqrt(sigma^2+sd^2), c_in = 1/sqrt(sigma^2+sd^2)
// and D(x) = c_skip x/mean + c_out F(c_in x/mean) estimates x0.
struct EdmScaling {
    double cSkip, cOut, cIn;
};
EdmScaling edmScaling(const Marginal& m, double sigmaData);

// The network output F of a parametrisation as a quantity: F = alpha x + beta s.
// score-over-sigma is std s; edm is (x0 - c_skip x/mean)/c_out.
Affine outputAffine(Parametrisation p, const Marginal& m, double sigmaData);

// score = a x + b F(inScale x): the output map every score evaluation applies
// (a = -alpha/beta, b = 1/beta; inScale = c_in/mean for edm, else 1).
struct OutputMap {
    double inScale = 1;
    double a = 0;
    double b = 1;
};
OutputMap outputMap(Parametrisation p, const Marginal& m, double sigmaData);

// The training target of the output for a noisy point x = mean x0 + std eps:
// F* = cx0 x0 + ceps eps (the output whose score is the denoising target -eps/std).
struct TargetCoefficients {
    double cx0 = 0;
    double ceps = 0;
};
TargetCoefficients outputTarget(Parametrisation p, const Marginal& m, double sigmaData);

// Squared ratio of an output error to the epsilon error it makes:
// |F - F*|^2 = ratio * |eps_hat - eps|^2, ratio = (beta/std)^2.
double outputErrorRatio(Parametrisation p, const Marginal& m, double sigmaData);

// EDM's sigma_data: the data's root-mean-square coordinate, sqrt(E|x0|^2 / 2)
// (the second moment, as c_skip's derivation assumes). Throws InputError for no points.
double dataSigma(const Eigen::Matrix2Xd& points);

} // namespace ss
