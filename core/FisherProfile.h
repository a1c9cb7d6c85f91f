#pragma once
// The Fisher divergence of a score against the exact one, level by level
// (docs/reference/measurements.md#fisher-divergence): the NCSN lesson as a
// curve over the noise (the model is wrong where the data are sparse and at
// small sigma). Each level uses core/FisherDivergence's density-weighted
// estimate on its own samples of that level's marginal, plus its standard error.
//
// The axis: sigma = std / mean of the level's marginal x = mean x0 + std eps,
// the noise-to-signal ratio (for VE kinds the level's sigma itself; for VP
// kinds the VE sigma with the same signal-to-noise ratio), so every kind
// spans decades on a log axis.
#include "core/FisherDivergence.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace ss {

class ThreadPool;

struct FisherLevel {
    NoiseLevel level;            // where it was measured
    int index = 0;               // discrete kinds: the level k in [1, N]; continuous: 0
    double sigma = 0;            // std / mean (see above)
    FisherDivergence value;      // D_F and the relative form
    double standardError = 0;    // of value.divergence, over the samples
};

// count levels of the schedule (count >= 1), noisiest last, spaced evenly in
// log sigma from the least noisy level (t_eps) to the noisiest: discrete kinds
// take the nearest distinct levels (all of them when there are no more than
// count), continuous kinds the time whose sigma is the target. Throws InputError
// for count < 1.
std::vector<FisherLevel> fisherLevels(const NoiseSchedule& schedule, int count);

// Fills each level's value: `samples` draws of the data set's marginal at the
// level (each level from its own random stream, named by seed and its std, so
// any subset or order gives the same numbers), score a against the reference b.
// progress(done, total) after each level, on the calling thread; *cancel (when
// given) is read after each, and a cancelled run returns nothing. Throws InputError for samples < 1 or a level
// below either score's minimum std.
std::optional<std::vector<FisherLevel>> fisherProfile(const ScoreSource& a, const ScoreSource& b,
                                                      const Dataset& data, std::vector<FisherLevel> levels,
                                                      int samples, std::uint64_t seed, ThreadPool& pool,
                                                      const std::atomic<bool>* cancel = nullptr,
                                                      const std::function<void(int done, int total)>& progress = {});

} // namespace ss
