#pragma once
// Recorded particle positions of a sampler run, with a memory bound: frames are
// kept every `every`-th step in a ring, the oldest dropped once the bound is
// reached. The window draws trails from it; the CLI writes it as CSV.
#include "core/NoiseSchedule.h"

#include <Eigen/Core>

#include <deque>

namespace ss {

struct TrajectoryFrame {
    int step = 0;             // sampler steps taken when recorded (0: the start)
    NoiseLevel level;         // where the particles were then
    Eigen::Matrix2Xd points;  // 2 x particles
};

class Trajectory {
public:
    // every = 0: record nothing. maxBytes bounds the points kept (at least one
    // frame is always kept when recording).
    Trajectory(int every = 0, long long maxBytes = 64ll << 20) : every_(every), maxBytes_(maxBytes) {}

    bool recording() const { return every_ > 0; }
    int every() const { return every_; }
    void clear() { frames_.clear(); dropped_ = 0; }

    // Records when step is a multiple of every() (or force is set: the last step).
    void offer(int step, const NoiseLevel& level, const Eigen::Matrix2Xd& points, bool force = false);

    const std::deque<TrajectoryFrame>& frames() const { return frames_; }
    long long dropped() const { return dropped_; } // frames discarded by the bound

private:
    int every_;
    long long maxBytes_;
    std::deque<TrajectoryFrame> frames_;
    long long dropped_ = 0;
};

} // namespace ss
