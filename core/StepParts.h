#pragma once
// Each sampler's sub-step as a PartSpec (StepTrace.h): its equation, its
// constants and its terms, built from the coefficients the Sampler computed,
// so the traced update is the real one. Only the Sampler calls these, and
// only while particles are followed. The equations are those of
// docs/reference/samplers.md, in its notation.
#include "core/NoiseSchedule.h"
#include "core/StepTrace.h"

namespace ss::parts {

// x' = x + (a/2) s + sqrt(a) z at noise level `at`; annealed: a = eps (sigma/sigma_min)^2.
PartSpec langevin(bool annealed, double a, double eps, const NoiseLevel& at, const Eigen::Matrix2Xd& s,
                  const Eigen::Matrix2Xd& z);

// DDPM's ancestral step (and pc's ancestral predictor) from level `from`:
// x' = cx x + cs s + noiseStd z, with r = mean_from / mean_to (sqrt(alpha_t)),
// g2 = std_from^2 - r^2 std_to^2 (beta_t). z may be empty when noiseStd is 0.
PartSpec ancestral(const std::string& title, const NoiseLevel& from, double r, double g2, double cx,
                   double cs, double noiseStd, const Eigen::Matrix2Xd& x, const Eigen::Matrix2Xd& s,
                   const Eigen::Matrix2Xd& z);

// DDIM from `from` to `to` with the eta split: x' = sqrt(abar') x0hat +
// sqrt(1 - abar' - sigma_eta^2) epshat + sigma_eta z, epshat = -epsStd s
// (epsStd: the std of the level s was evaluated at), x0hat = (x - std_from epshat) / mean_from.
// keep = sqrt(1 - abar' - sigma_eta^2); encoding runs it with eta = 0 towards more noise.
PartSpec ddim(bool encode, double eta, const NoiseLevel& from, const NoiseLevel& to, double epsStd, double keep,
              double sigmaEta, const Eigen::Matrix2Xd& x, const Eigen::Matrix2Xd& s, const Eigen::Matrix2Xd& z);

// Euler–Maruyama on the reverse SDE: x' = x - f x dt + g^2 s dt + g sqrt(dt) z.
PartSpec eulerMaruyama(const std::string& title, double t, double dt, double f, double g2, const Eigen::Matrix2Xd& x,
                       const Eigen::Matrix2Xd& s, const Eigen::Matrix2Xd& z);

// Song et al.'s reverse diffusion predictor: x' = x - (r - 1) x + G^2 s + G z.
PartSpec reverseDiffusion(const std::string& title, double t, double r, double g2, const Eigen::Matrix2Xd& x,
                          const Eigen::Matrix2Xd& s, const Eigen::Matrix2Xd& z);

// Langevin corrector m of M: x' = x + e s + sqrt(2 e) z, e = 2 alpha (snr |z| / |s|)^2.
PartSpec corrector(int m, int M, const NoiseLevel& at, double snr, double alpha, double sNorm, double zNorm, double e,
                   const Eigen::Matrix2Xd& s, const Eigen::Matrix2Xd& z);

// Probability-flow ODE stage i of n: v = f(t) y - g(t)^2 / 2 s(y, t) at the stage's point y.
PartSpec odeStage(int i, int n, double t, double f, double g2, const Eigen::MatrixXd& s, const Eigen::MatrixXd& v);

// The ODE step: x' = x + h sum_i b_i v_i over the stages' velocities.
PartSpec odeSum(const std::string& method, double h, const std::vector<double>& weights,
                const std::vector<Eigen::MatrixXd>& velocities);

} // namespace ss::parts
