#pragma once
// log p(x) by the probability-flow ODE, a continuous normalising flow (docs/reference/measurements.md):
// integrate x and the accumulated divergence of the flow's velocity
// from the least noisy time t_eps to t = 1, then
//   log p_teps(x) = log N(x(1); 0, priorStd^2 I) + int_teps^1 div v(x(t), t) dt,
//   div v = 2 f(t) - 1/2 g(t)^2 tr grad s(x, t).
// The trace is exact: the closed form for an exact score (ExactScore's
// divergence), two Jacobian-vector products for a network; or Hutchinson's
// estimate E[e^T J e] with Rademacher e, one draw per point for the whole solve.
//
// Schedules: the flow runs on the schedule's SDE view (NoiseSchedule::
// sdeMarginal); for DDPM schedules that is a VP with a continuous beta(t)
// through the levels, so a DDPM flow costs about what a VP/VE flow does.
//
// What is measured is the density of the marginal at t_eps (sigma_min for VE
// levels, 1/T for DDPM, 1e-5 for VP), which is the data density up to that
// noise; and the prior stands in for the true t = 1 marginal (see the
// schedule's priorMismatchKl for how far off that is).
//
// Points are integrated in fixed blocks of 256, each with its own adaptive
// steps, spread over a pool: the result does not depend on the thread count.
#include "core/OdeSolver.h"
#include "core/ScoreSource.h"

#include <cstdint>

namespace ss {

class ThreadPool;

struct LikelihoodConfig {
    OdeMethod method = OdeMethod::Rk45;
    // Where the flow starts: < 0 the schedule's t_eps (the data density), else
    // that SDE time (flowTime gives the one of a shown noise level).
    double tStart = -1;
    double rtol = 1e-5, atol = 1e-5;
    int steps = 200;          // fixed-step methods: steps over [t_eps, 1]
    bool hutchinson = false;  // estimate the trace instead of computing it
    std::uint64_t seed = 0;   // Hutchinson's directions
    // Velocity evaluations allowed per block of 256 points (a smooth flow needs
    // a few hundred; an empirical data set's exact score at small noise makes
    // the flow stiff: ~8,000 for 4,000 moons points from std 1e-3, about a
    // second with the exact score's cut-off).
    long long maxEvaluations = 20000;
};

struct LikelihoodResult {
    Eigen::VectorXd logDensity; // nats, one per point
    double meanNll = 0;         // -mean(logDensity), nats
    double bitsPerDim = 0;      // meanNll / (2 ln 2)
    double evaluationsPerPoint = 0; // velocity evaluations (each: a score and a trace)
};

// Throws InputError for no points, non-finite points, bad tolerances, a flow
// that produces NaN (the message names the time), or one that needs more than
// maxEvaluations evaluations.
LikelihoodResult logLikelihood(const ScoreSource& source, const NoiseSchedule& schedule,
                               const Eigen::Matrix2Xd& points, const LikelihoodConfig& config, ThreadPool& pool);

// ---- The flow itself, in one place (logLikelihood and ModelDensity.h) ----

// The velocity of the augmented state (x1, x2, accumulated divergence) at
// time t, given the score s and its trace at x, times `scale` (1 in t; dt/dl
// when integrating in another variable l):
//   d.topRows(2) = scale (f x - 1/2 g^2 s),  d.row(2) = scale (2 f - 1/2 g^2 tr).
void flowVelocity(const NoiseSchedule& schedule, double t, double scale, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                  const Eigen::Matrix2Xd& s, const Eigen::VectorXd& trace, Eigen::Ref<Eigen::MatrixXd> d);

// The flow's end: log N(x; 0, priorStd^2 I) + accumulated divergence, per
// column of a 3 x n state (x1, x2, accumulated divergence) at t = 1.
Eigen::VectorXd flowLogDensity(const NoiseSchedule& schedule, const Eigen::MatrixXd& state);

// The SDE-view time (NoiseSchedule::sdeMarginal) whose marginal has the
// level's noise-to-signal ratio std / mean, so the flow from it gives the
// density of that level's perturbed marginal (a discrete level of any kind,
// a continuous time). At least the schedule's t_eps; found by bisection.
// Throws InputError for a level with std <= 0.
double flowTime(const NoiseSchedule& schedule, const NoiseLevel& level);

} // namespace ss
