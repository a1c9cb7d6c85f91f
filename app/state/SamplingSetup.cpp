#include "state/SamplingSetup.h"

namespace ss::app {

std::deque<TrajectoryFrame> trailFrames(const ParticleSnapshot& s)
{
    std::deque<TrajectoryFrame> frames;
    const std::size_t n = std::min(s.trail.size(), s.trailMarks.size());
    for (std::size_t k = 0; k < n; ++k) frames.push_back({s.trailMarks[k].step, s.trailMarks[k].level, s.trail[k]});
    return frames;
}

} // namespace ss::app
