#pragma once
// The rules that derive sampler step sizes from the schedule in use, in one
// place: the CLI's defaults, the window's defaults, the schedule dock's
// diagnostics and the divergence messages all read them, so they never
// disagree. Each rule states its reasoning where it is computed.
namespace ss {

// The largest stable Langevin step eta at noise std `std` (> 0): the score of
// data smoothed by N(0, std^2 I) has -Hessian <= I / std^2 (the posterior
// covariance term only lowers it), so the drift x += (eta/2) s contracts only
// while eta < 4 std^2; beyond that the particles overshoot and grow.
double langevinStepLimit(double std);

} // namespace ss
