#pragma once
// Exact draws of the clean data given a noised point, x0 ~ p(x0 | x_t), for
// the forward process x_t = m x0 + s eps (docs/reference/schedules.md#forward-process-and-posterior).
// SDEdit noises a point to t0 and runs the reverse process from there; with
// the exact score an exact reverse process ends at exactly this law, so its
// draws are SDEdit's reference (the window's Exact target layer, the CLI's
// `sample --sdedit ... --posterior-out`).
//
//  - a Gaussian mixture: p(x0 | x_t) is again a mixture, component k with
//    weight ∝ pi_k N(x_t; m mu_k, m^2 C_k + s^2 I), mean
//    mu_k + m C_k A_k^-1 (x_t - m mu_k) and covariance C_k - m^2 C_k A_k^-1 C_k,
//    A_k = m^2 C_k + s^2 I;
//  - a point set: the points themselves, point i with weight
//    ∝ exp(-|x_t - m x_i|^2 / (2 s^2)).
#include "core/Dataset.h"
#include "core/Rng.h"

namespace ss {

// One draw per column of xt. Throws InputError when the data set is empty,
// or the level has std <= 0 or mean <= 0 (then x0 is not hidden by noise).
Eigen::Matrix2Xd samplePosterior(const Dataset& data, Marginal m, const Eigen::Ref<const Eigen::Matrix2Xd>& xt,
                                 Rng& rng);

} // namespace ss
