#pragma once
// The continuous-time samplers of docs/reference/samplers.md#edm and #dpm-solver,
// as pure functions of the schedule's marginals x = mean x0 + std eps and a
// model callback; the Sampler plans the grids with them and counts the calls.
//  - EDM (Karras et al. 2022, Algorithms 1 and 2) runs in EDM's scaled
//    variables: sigma = std / mean, x_hat = x / mean, where the PF-ODE is
//    dx_hat/dsigma = (x_hat - D(x_hat; sigma)) / sigma = eps_hat (EDM eq. 4
//    with s = mean), whatever the schedule; the grid's sigmas become the
//    schedule's levels by inverting sigma(t) (levelAtSigma).
//  - DPM-Solver (Lu et al. 2022, noise prediction) and DPM-Solver++ (Lu et al.
//    2022b, data prediction) integrate the same ODE exactly in its linear part,
//    in lambda = log(mean / std); order 1 is DDIM (eta = 0).
// The formulas need only the marginals (mean(t), std(t)) of a linear SDE, so
// they hold on every schedule's SDE view (sdeMarginal: VP, sub-VP, VE and the
// DDPM betas' continuous interpolation).
#include "core/NoiseSchedule.h"
#include "core/SamplerConfig.h"

#include <functional>
#include <vector>

namespace ss {

// EDM's sigma of a level (std / mean) and DPM-Solver's lambda = log(mean / std).
double edmSigma(const NoiseLevel& level);
double logSnrHalf(const NoiseLevel& level);

// The schedule's SDE-view level (sdeMarginal(t), t in [tLo, 1]) whose sigma or
// lambda is the one asked for, by bisection on t (both are monotone in t);
// clamped to the ends of [tLo, 1].
NoiseLevel levelAtSigma(const NoiseSchedule& schedule, double sigma, double tLo = 0.0);
NoiseLevel levelAtLambda(const NoiseSchedule& schedule, double lambda, double tLo = 0.0);

// EDM's grid: sigma_i = (smax^(1/rho) + i/(n-1) (smin^(1/rho) - smax^(1/rho)))^rho,
// i = 0..n-1, then sigma_n = 0 (n + 1 values; n = 1: {smax, 0}).
std::vector<double> edmSigmas(int n, double sigmaMin, double sigmaMax, double rho);

// DPM-Solver's grid of steps + 1 levels from t = tStart down to tEnd,
// uniform in lambda (LogSnr) or in t (Time).
std::vector<NoiseLevel> dpmLevels(const NoiseSchedule& schedule, int steps, DpmSpacing spacing, double tStart,
                                  double tEnd);

// The model a step calls: the score at (x, level) turned into what the method
// predicts (DPM-Solver: eps = -std s; DPM-Solver++ and EDM: x0 = (x + std^2 s) / mean).
using ModelFn = std::function<Eigen::Matrix2Xd(const Eigen::Matrix2Xd& x, const NoiseLevel& level)>;
Eigen::Matrix2Xd epsFromScore(const Eigen::Matrix2Xd& score, const NoiseLevel& level);
Eigen::Matrix2Xd x0FromScore(const Eigen::Matrix2Xd& x, const Eigen::Matrix2Xd& score, const NoiseLevel& level);

// One EDM step from `from` (sigma_i) to `to` (sigma_(i+1), 0 for the clean
// level): churn to sigma_hat = sigma_i (1 + gamma) (gamma = 0: deterministic;
// `hat` is the schedule's level at sigma_hat, z the fresh standard normals,
// used only when gamma > 0), an Euler step, and Heun's correction unless `to`
// is clean. x is in the schedule's coordinates; x0 = D evaluates the denoiser.
// Returns the churn noise added (in x's coordinates at `from`, for the step's terms).
Eigen::Matrix2Xd edmStep(Eigen::Matrix2Xd& x, const NoiseLevel& from, const NoiseLevel& hat, const NoiseLevel& to,
                         double sNoise, const Eigen::Matrix2Xd& z, const ModelFn& x0);

// EDM's churn at sigma_i: min(S_churn / N, sqrt2 - 1) inside [S_tmin, S_tmax], else 0.
double edmGamma(const SamplerConfig& c, double sigma);

// DPM-Solver(++) of `order` from level `from` to `to`, single-step: m0 is the
// model at (x, from); the step evaluates order - 1 more intermediate points
// (r = 1/2 for order 2; 1/3, 2/3 for order 3) at the schedule's levels.
Eigen::Matrix2Xd dpmSinglestep(int order, bool dataPrediction, const NoiseSchedule& schedule, const NoiseLevel& from,
                               const NoiseLevel& to, const Eigen::Matrix2Xd& x, const Eigen::Matrix2Xd& m0,
                               const ModelFn& model);

// Multistep: levels/models hold the last `order` points, oldest first, the
// particles x being at levels.back(); no evaluation.
Eigen::Matrix2Xd dpmMultistep(int order, bool dataPrediction, const std::vector<NoiseLevel>& levels,
                              const std::vector<Eigen::Matrix2Xd>& models, const NoiseLevel& to,
                              const Eigen::Matrix2Xd& x);

} // namespace ss
