#pragma once
// The variational bound of a DDPM (docs/reference/measurements.md#elbo-of-a-ddpm):
// the negative ELBO of points x0, in nats per point, split into its terms
//
//   -ELBO(x0) = L_T + sum_{t=2}^T L_t + L_0
//   L_T = KL( q(x_T | x0) || N(0, I) )                         closed form
//   L_t = E_q KL( q(x_{t-1} | x_t, x0) || p(x_{t-1} | x_t) )   Monte Carlo over x_t
//   L_0 = E_q [ -log p(x0 | x_1) ]                              Monte Carlo over x_1
//
// with x_t ~ q(x_t | x0) = N(sqrt(abar_t) x0, (1 - abar_t) I), `draws` fresh
// draws per point and step. The model's reverse kernel is the ancestral
// sampler's (core/Sampler.cpp): p(x_{t-1} | x_t) = N(mu(x_t), sigma_t^2 I) with
// mu the posterior mean q(x_{t-1} | x_t, x0) at Tweedie's
// x0_hat = (x_t + (1 - abar_t) s(x_t, t)) / sqrt(abar_t), the same as
// (x_t - beta_t / sqrt(1 - abar_t) eps_hat) / sqrt(alpha_t), eps_hat = -sqrt(1 - abar_t) s;
// then q's mean minus the model's is c0_t (x0 - x0_hat), c0_t = sqrt(abar_{t-1}) beta_t / (1 - abar_t).
// sigma_t^2 = beta_t or the posterior variance betaTilde_t (t >= 2).
// The decoder (a convention: the data are continuous, so no discretised
// decoder) is the Gaussian N(mu(x_1), beta_1 I), mu(x_1) = x0_hat at level 1,
// the point the sampler's last, noiseless step returns: L_0 is a density in
// nats, and can be negative.
//
// Estimator: each (point, draw) gets one total; the points' means over draws
// are averaged, and the standard errors are those of that average over points
// (they count both the data's spread and the draws' noise; with one point,
// over its draws). The result does not depend on the number of threads.
//
// Cost: T score evaluations of points x draws columns; checked for
// cancellation and reported after every step t.
#include "core/MeanEstimate.h"
#include "core/SamplerConfig.h"
#include "core/ScoreSource.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace ss {

class ThreadPool;

struct ElboConfig {
    int draws = 1;                                // x_t draws per point and step, in [1, 100000]
    DdpmVariance variance = DdpmVariance::Beta;   // sigma_t^2 of p(x_{t-1} | x_t), t >= 2 (the sampler's default)
    std::uint64_t seed = 0;
};

// A mean over the points and its standard error, nats.
using ElboTerm = MeanEstimate;

struct ElboResult {
    ElboTerm prior;     // L_T
    ElboTerm diffusion; // sum_{t=2}^T L_t
    ElboTerm decoder;   // L_0
    ElboTerm total;     // the negative ELBO: an upper bound on -log p_model(x0)
    // By step, index t = 0..T: perStep[1] = L_0, perStep[t] = L_t (t >= 2),
    // perStep[0] = 0; cumulative[t] = sum_{s <= t} perStep[s], so
    // total = cumulative[T] + prior (the curve of where the nats are spent).
    std::vector<double> perStep, cumulative;
    std::vector<double> perStepError; // perStep's standard errors (over the points, as the terms')
    Eigen::VectorXd perPoint; // the negative ELBO of each point (mean over its draws)
    int points = 0, draws = 0, steps = 0;
    long long scoreEvaluations = 0; // points x draws x T
    double bitsPerDim() const;      // total / (2 ln 2)
};

// True for the discrete DDPM kinds (linear, cosine, betas): the ones with a bound.
bool hasDdpmElbo(const NoiseSchedule& schedule);

// progress(done, T) after each step t, on the calling thread; *cancel (when
// given) is read after each step, and a cancelled run returns nothing. Throws InputError for a schedule
// without a bound, no points, non-finite points, draws out of range, or a
// score not defined at level 1.
std::optional<ElboResult> ddpmElbo(const ScoreSource& source, const NoiseSchedule& schedule,
                                   const Eigen::Matrix2Xd& points, const ElboConfig& config, ThreadPool& pool,
                                   const std::atomic<bool>* cancel = nullptr,
                                   const std::function<void(int done, int total)>& progress = {});

} // namespace ss
