#pragma once
// The model-density layer's values: what the density worker is asked for
// (DensityRequest) and what it publishes after each finished level of the
// progressive grid (DensitySnapshot). Plain values: no Qt object here. The
// computation is core/ModelDensity.h; the worker is engine/DensityWorker.h.
#include "core/ModelDensity.h"

#include <cstdint>
#include <memory>

namespace ss::app {

struct DensityRequest {
    DensityRegion region;   // the view's square (as the field worker's)
    NoiseLevel level;       // the scrubber's
    NoiseSchedule schedule; // the model's (its flow runs on the schedule's SDE view)
    bool sameAs(const DensityRequest& o) const
    {
        const Marginal &a = level.marginal, &b = o.level.marginal;
        return region.xMin == o.region.xMin && region.xMax == o.region.xMax && region.yMin == o.region.yMin &&
               region.yMax == o.region.yMax && a.mean == b.mean && a.std == b.std && level.t == o.level.t &&
               schedule.name() == o.schedule.name() && schedule.sigmaMin() == o.schedule.sigmaMin() &&
               schedule.sigmaMax() == o.schedule.sigmaMax() && schedule.numLevels() == o.schedule.numLevels() &&
               schedule.betaMin() == o.schedule.betaMin() && schedule.betaMax() == o.schedule.betaMax();
    }
};

struct DensitySnapshot {
    DensityRegion region;
    NoiseLevel level;
    int size = 0, finalSize = 0; // this level's nodes per side, and the finest level's
    Eigen::ArrayXXf logModel;    // size x size, nats: log p_theta at the nodes (core/ModelDensity.h's layout)
    Eigen::ArrayXXf logTrue;     // the same nodes: the exact log density of the data noised to the level
    double seconds = 0;          // since the computation started
    std::int64_t serial = 0;
    bool done() const { return size == finalSize; }
};
using DensityPtr = std::shared_ptr<const DensitySnapshot>;

} // namespace ss::app
