#pragma once
// What the scene's fields are computed from (FieldRequest) and what comes out
// (FieldSnapshot), and the pure computation itself (computeField), run by the
// field worker on its thread and by the animation export on its own. Plain
// values and functions: no Qt object, widget or GL here.
#include "core/Dataset.h"
#include "core/NoiseSchedule.h"
#include "core/ScoreNet.h"

#include <cstdint>
#include <memory>

namespace ss::app {

struct FieldRequest {
    double xMin = -3, xMax = 3, yMin = -3, yMax = 3; // the region (world units)
    NoiseLevel level{{1.0, 0.1}, 0.0};
    int arrows = 32; // arrows per side
    int heat = 128;  // heat-map cells per side
    bool error = false; // also the score-error map (one more network pass over the heat grid)
    bool operator==(const FieldRequest& o) const
    {
        return xMin == o.xMin && xMax == o.xMax && yMin == o.yMin && yMax == o.yMax && arrows == o.arrows &&
               heat == o.heat && error == o.error && level.marginal.mean == o.level.marginal.mean &&
               level.marginal.std == o.level.marginal.std && level.t == o.level.t;
    }
};

struct FieldSnapshot {
    FieldRequest request;
    Eigen::Matrix2Xd grid;          // arrow positions, row-major over y then x
    Eigen::Matrix2Xd exact, learned; // scores at grid (learned: empty without a network)
    Eigen::ArrayXXf logDensity;     // heat x heat, (row = y index from yMin, col = x index)
    Eigen::ArrayXXf error;          // same shape; empty without a network
    Eigen::Matrix2Xd noised;        // the first kMaxNoised data points, noised to the level
    bool hasNetwork = false;
    std::int64_t serial = 0;
};
using FieldPtr = std::shared_ptr<const FieldSnapshot>;

constexpr Eigen::Index kMaxNoised = 20000; // points drawn by the noised-data layer

// One field computation, on the calling thread (the worker's, or an export's):
// arrows, density, noised data (noise: one standard-normal column per shown
// point) and, with a network and r.error, the error map.
FieldSnapshot computeField(const FieldRequest& r, const Dataset& data, const ExactScore& exact, const ScoreNet* net,
                           const Eigen::Matrix2Xd& noise);
// The noised layer's eps for `count` points (at most kMaxNoised), keeping the
// columns of `kept` and drawing the rest from a fixed seed.
Eigen::Matrix2Xd noisedDataNoise(Eigen::Index count, const Eigen::Matrix2Xd& kept = {});

} // namespace ss::app
