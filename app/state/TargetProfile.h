#pragma once
// The exact target of a conditioned run: what the particles should look like
// when the sampler keeps one coordinate fixed (SamplerConfig::fixCoordinate,
// replacement / RePaint conditioning), namely p(x_other | x_fixed = a) of the
// data at the level the run ends on (core/ConditionalDensity.h). The scene's
// "Exact target" layer draws it along the line x_fixed = a; replacement only
// approximates it, so the gap between the particles and this curve is the
// lesson. Built on the sampling worker's thread when the settings change,
// read by the painter (a plain value).
//
// The end level: plain Langevin samples p at its own noise (langevinStd); the
// other samplers end at the schedule's least noisy level. A point data set has
// no density, so its conditional is that of the points smoothed by the end
// level's noise (at least kMinPointSmoothing): the label says so.
#include "state/SamplingSetup.h"

#include "core/ConditionalDensity.h"

#include <memory>
#include <string>

namespace ss::app {

inline constexpr double kMinPointSmoothing = 1e-3;

struct TargetProfile {
    int fixedCoordinate = 0; // 0: x1 = a is fixed (the law is of x2); 1: x2 = a
    double a = 0;
    Mixture1D law;           // of the other coordinate
    double peak = 0;         // the law's largest density (at a component's mean): the curve's scale
    double smoothing = 0;    // > 0: the points were smoothed by N(0, smoothing^2 I)
    std::string label;       // "p(x2 | x1 = 0.5), exact"
};
using TargetPtr = std::shared_ptr<const TargetProfile>;

// The marginal a run with these settings ends on (see above).
Marginal runEndMarginal(const SamplingSetup& setup);

// Null when nothing is conditioned (or the setup has no data). Throws
// InputError for a value the conditional law refuses (non-finite a).
TargetPtr targetProfile(const SamplingSetup& setup);

} // namespace ss::app
