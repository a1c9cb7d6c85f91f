#pragma once
// The rule that derives a variance-exploding schedule's sigma_max from the
// data, in one place: the CLI's --sigma-max default, the window's default
// scene, the window's re-derivation when the data set changes and the Noise
// schedule dock's diagnostics all read it. sigma_min has no data rule: it is
// the schedule's own (CLI 0.01, window 0.05; below the built-in presets' mode
// widths), and a re-derived schedule keeps it, its kind and its levels.
// Discrete DDPM and VP schedules have no sigma_max: no rule here moves them.
#include "core/NoiseSchedule.h"

namespace ss {

struct Dataset;

// About the largest distance between two points of the data: twice the
// largest distance of a point from their mean (at least the largest pairwise
// distance, at most twice it), over at most the first 10,000 points; 0 for
// no points.
double dataDiameter(const Dataset& data);

// Song & Ermon 2020, technique 1: sigma_max about the largest pairwise
// distance, so the noisiest level mixes every part of the data. With a
// smaller sigma_max the prior the samplers start from does not cover the
// data, and the learned score is blurred where no level reached (the middle
// of "rings", diameter ~7.5, under sigma_max 4). The rule: the diameter
// (10 when unknown, diameter <= 0), and at least 2 sigma_min so the levels
// span a factor of two whatever the data.
double derivedSigmaMax(double diameter, double sigmaMin);

// Whether the schedule has a sigma_max the rule may set: geometric levels and
// continuous VE. User-edited levels and custom curves are drawn by hand; DDPM
// and VP schedules have none.
bool hasDerivableSigmaMax(const NoiseSchedule& schedule);

// The same schedule (kind, sigma_min, number of levels) with another
// sigma_max; throws InputError when the schedule has none to set
// (hasDerivableSigmaMax) or sigmaMax <= sigma_min.
NoiseSchedule withSigmaMax(const NoiseSchedule& schedule, double sigmaMax);

// Whether the schedule's sigma_max is `value` as the Noise schedule dock shows
// it (three decimals): re-applying the dock's fields after another edit (the
// number of levels, say) keeps a derived sigma_max derived.
bool sigmaMaxIs(const NoiseSchedule& schedule, double value);

} // namespace ss
