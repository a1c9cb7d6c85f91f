#include "state/SamplingSetup.h"

#include "core/SamplerDefaults.h"

namespace ss::app {

std::deque<TrajectoryFrame> trailFrames(const ParticleSnapshot& s)
{
    std::deque<TrajectoryFrame> frames;
    const std::size_t n = std::min(s.trail.size(), s.trailMarks.size());
    for (std::size_t k = 0; k < n; ++k) frames.push_back({s.trailMarks[k].step, s.trailMarks[k].level, s.trail[k]});
    return frames;
}

std::shared_ptr<const ScoreSource> learnedScoreSource(const ScoreNet& net, const Dataset* data)
{
    auto source = std::make_shared<NetworkScoreSource>(net, -1, "learned");
    if (data && data->size() > 0) source->setDataExtent(dataExtentOf(*data));
    return source;
}

} // namespace ss::app
