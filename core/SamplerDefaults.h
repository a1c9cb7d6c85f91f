#pragma once
// The rules that derive sampler step sizes from the schedule in use, in one
// place: the CLI's defaults, the window's defaults, the schedule dock's
// diagnostics and the divergence messages all read them, so they never
// disagree. Each rule states its reasoning where it is computed.
//
// Convention (docs/reference/samplers.md#langevin): one Langevin step is x += (eta/2) s(x) + sqrt(eta) z.
// On a Gaussian of std s the relative step a = eta / s^2 decides everything:
// the particles' variance contracts by (1 - a/2)^2 per step, the chain's own
// stationary variance is s^2 / (1 - a/4) (biased by a/4), and it diverges for
// a >= 4.
#include <cstdint>

namespace ss {

class NoiseSchedule;
struct Dataset;
struct ObjectiveConfig;
struct SamplerConfig;
enum class DdimSpacing;
enum class Direction;

// The largest stable Langevin step eta at noise std `std` (> 0): the score of
// data smoothed by N(0, std^2 I) has -Hessian <= I / std^2 (the posterior
// covariance term only lowers it), so the drift x += (eta/2) s contracts only
// while eta < 4 std^2; beyond that the particles overshoot and grow.
double langevinStepLimit(double std);

// The variance after `steps` Langevin steps with relative step a on a Gaussian,
// as a fraction of that Gaussian's variance, starting from startRatio^2 times
// it (Song & Ermon 2020, technique 4, in this program's step convention):
//   (1 - a/2)^(2 steps) (startRatio^2 - v) + v,   v = 1 / (1 - a/4).
double langevinVarianceRatio(double a, int steps, double startRatio);

// Technique 4: the relative step a = eta / s^2 that brings langevinVarianceRatio
// closest to 1 in `steps` steps: large enough to forget the start, small enough
// that the a/4 bias stays small. startRatio is taken as at least kMinStartRatio
// (with no gap to close the rule would pick a -> 0); a is at most kMaxRelativeStep
// (a variance bias of 14%, an eighth of the stability limit a = 4).
constexpr double kMinStartRatio = 1.5;
constexpr double kMaxRelativeStep = 0.5;
double mixingRelativeStep(int steps, double startRatio);

// The smallest noise std a sampler on this schedule reaches: the lowest
// discrete level, sigma_min of a continuous VE, and for continuous VP/sub-VP
// the std at the samplers' end time t = 1e-3.
double smallestStd(const NoiseSchedule& schedule);

// Annealed Langevin visits these levels (continuous schedules: annealedLevels
// of them, as the sampler plans them); the largest ratio sigma_l / sigma_(l+1)
// of consecutive levels is the gap one level's steps must close (1 for one level).
double annealedLevelRatio(const NoiseSchedule& schedule, int annealedLevels);

// The variance annealed Langevin ends with, as a fraction of the last level's
// (sigma_L^2 + v), on isotropic Gaussian data of variance v (0: a point),
// propagated level by level from a start kMinStartRatio times too wide: at
// level sigma the relative step is a sigma^2 / (sigma^2 + v) (alpha = a sigma^2
// on a width sigma^2 + v), so where the data are wider than the noise the
// chain moves slowly and keeps what the levels above left.
double annealedVarianceRatio(const NoiseSchedule& schedule, double a, int stepsPerLevel, int annealedLevels,
                             double dataVariance);

// Annealed Langevin's eps (alpha_l = eps sigma_l^2 / sigma_L^2): every level
// then takes the relative step a = alpha_l / sigma_l^2 = eps / sigma_L^2 on
// its noise, so eps = a sigma_L^2. With no data width (dataVariance = 0, Song
// & Ermon's one-point analysis) a = mixingRelativeStep(stepsPerLevel, largest
// level ratio): NCSN's 2e-5 is this rule's order for sigma_L = 0.01 (a = 0.2),
// and sigma_L = 0.05 needs eps 25 times larger. With the data's narrowest mode
// variance v > 0 (dataCurvatureVariance) a is the one whose
// annealedVarianceRatio is nearest 1 (a <= kMaxRelativeStep): levels below
// sqrt(v) mix slowly, so the data ask for a larger a than a point would.
double annealedEpsilon(const NoiseSchedule& schedule, int stepsPerLevel, int annealedLevels,
                       double dataVariance = 0);

// The noise level plain Langevin follows by default: a single-sigma model's
// own sigma (modelSigma > 0; it is defined there alone), else the schedule's
// smallest std (the sharpest level a multi-level score knows).
double defaultLangevinStd(const NoiseSchedule& schedule, double modelSigma = 0);

// A single-sigma objective's sigma (dsm, ism, ssm, ssm-vr), 0 for ncsn and ddpm.
double singleSigmaOf(const ObjectiveConfig& objective);

// The smallest variance of the data's own curvature: the least eigenvalue of
// the components' covariances of an analytic mixture, 0 for point sets and
// unknown data (null). Smoothing by std gives the score a curvature of at
// most 1 / (std^2 + this) (each component's Hessian bounds the mixture's).
double dataCurvatureVariance(const Dataset* data);

// Plain Langevin's eta at noise std `std`: a (std^2 + dataVariance) with
// a = mixingRelativeStep(steps, start std / that scale), the start being the
// schedule's prior std. Below the stability limit by construction (a <= 1/2,
// limit a = 4); dataVariance = 0 (unknown data) only makes it slower.
double langevinStep(const NoiseSchedule& schedule, double std, int steps, double dataVariance = 0);

// The default step size of `config`'s sampler on `schedule`: langevinStep for
// Langevin (at config.langevinStd), annealedEpsilon for annealed Langevin
// (both with the data's narrowest mode variance, 0 when unknown);
// other samplers have no step size to derive (their time grids are counted in
// steps, and the PC corrector sets its own step from the SNR): config.stepSize.
double defaultStepSize(const SamplerConfig& config, const NoiseSchedule& schedule, double dataVariance = 0);

// What EDM's default sigma_max needs of the data: its diameter
// (core/ScheduleDefaults dataDiameter) and the distance of its mean from the
// origin, where the samplers' prior is centred. Zero: unknown.
struct DataExtent {
    double diameter = 0;
    double meanNorm = 0;
};
DataExtent dataExtentOf(const Dataset& data); // over at most the first 10,000 points

// sigma_max >= kEdmMeanFactor |mean| (edmDefaultSigmaMax).
constexpr double kEdmMeanFactor = 30.0;

// EDM's default sigma_max (docs/reference/samplers.md#edm) on a schedule
// whose largest sigma = std/mean is the schedule's at t = 1, for data of the
// given extent: max(derivedSigmaMax(diameter, sigmaMin), kEdmMeanFactor |mean|),
// at most the schedule's largest; the schedule's largest when the diameter
// is unknown (<= 0).
//  - The diameter is Song & Ermon's technique 1 (every part of the data mixed
//    at sigma_max). Karras et al.'s sigma_max = 80 for CIFAR-10 in [-1, 1] is
//    of that order (Song & Ermon's sigma_1 = 50 for it in [0, 1]). A VP
//    schedule's own 157 is not set by the data: its rho = 7 grid then spends
//    few steps where the data's structure is, and Heun at 10-20 NFE loses to
//    DDIM (tests/core/tst_fast_samplers).
//  - The ODE starts from N(0, sigma_max^2) (in x / mean), centred at the
//    origin, while the data smoothed by sigma_max is centred at their mean m;
//    the deterministic flow keeps that offset down to a bias of about
//    |m| s / sigma_max in the samples (exact for Gaussian data of spread s).
//    30 |m| keeps it under s/30 (swiss roll, |m| = 0.55: sigma_max 16.5).
double edmDefaultSigmaMax(const NoiseSchedule& schedule, double sigmaMin, const DataExtent& data);

// DDIM's default spacing for a direction: Uniform to sample, Trailing to
// encode (data -> noise), whose last step reaches level T, so the latents are
// N(0, I); Uniform's last level is 1 + (S-1)T/S (981 of 1000 for S = 50:
// latent variance ~0.82). The CLI's --spacing and the Sampler dock follow it.
DdimSpacing defaultDdimSpacing(Direction direction);

} // namespace ss
