#include "core/Trajectory.h"

#include <algorithm>

namespace ss {

void Trajectory::offer(int step, const NoiseLevel& level, const Eigen::Matrix2Xd& points, bool force)
{
    if (every_ <= 0) return;
    if (step % every_ != 0 && !force) return;
    if (!frames_.empty() && frames_.back().step == step) return; // forced twice at the end
    const long long frameBytes = 16ll * points.cols();
    const long long maxFrames = std::max(1ll, frameBytes > 0 ? maxBytes_ / frameBytes : 1ll);
    while (!frames_.empty() && (long long)frames_.size() >= maxFrames) {
        frames_.pop_front();
        ++dropped_;
    }
    frames_.push_back({step, level, points});
}

} // namespace ss
