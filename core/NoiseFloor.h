#pragma once
// The noise floor of the sample metrics (Metrics.h compareSamples): what a
// perfect sampler scores. Finite samples of the very law of the reference
// still have SW2, MMD and energy above 0, precision and recall below 1, and a
// mean log-density that differs from the reference's by its own spread; a
// metric says something only by how far it lies beyond this floor.
//
//  - presetNoiseFloor: the metrics of an independent draw of the preset (n
//    points, as many as the judged samples; a seed other than the
//    reference's) against the same reference set. The judged samples and the
//    floor then differ only in where their points come from.
//  - splitNoiseFloor: for a reference given as points (no law to draw from):
//    the metrics between two disjoint random halves of the reference. Each
//    half has m/2 points, so this floor is that of m/2 samples, not of n.
// Both throw InputError like compareSamples (and makePreset for the preset).
#include "core/Metrics.h"

#include <string>

namespace ss {

SampleMetrics presetNoiseFloor(const std::string& presetId, int n, std::uint64_t drawSeed,
                               const Eigen::Ref<const Eigen::Matrix2Xd>& reference, const GaussianMixture* mixture,
                               int projections = 128, std::uint64_t seed = 0, int k = kDefaultManifoldK);

SampleMetrics splitNoiseFloor(const Eigen::Ref<const Eigen::Matrix2Xd>& reference, const GaussianMixture* mixture,
                              int projections = 128, std::uint64_t seed = 0, int k = kDefaultManifoldK);

} // namespace ss
