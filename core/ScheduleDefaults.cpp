#include "core/ScheduleDefaults.h"

#include "core/Dataset.h"
#include "core/Error.h"

#include <algorithm>
#include <cmath>

namespace ss {

double dataDiameter(const Dataset& data)
{
    if (data.points.cols() == 0) return 0;
    const Eigen::Index n = std::min<Eigen::Index>(data.points.cols(), 10000);
    const Eigen::Vector2d mean = data.points.leftCols(n).rowwise().mean();
    return 2.0 * (data.points.leftCols(n).colwise() - mean).colwise().norm().maxCoeff();
}

double derivedSigmaMax(double diameter, double sigmaMin)
{
    return std::max(diameter > 0 ? diameter : 10.0, 2 * sigmaMin);
}

bool hasDerivableSigmaMax(const NoiseSchedule& schedule)
{
    return schedule.kind() == ScheduleKind::Geometric || schedule.kind() == ScheduleKind::VeContinuous;
}

NoiseSchedule withSigmaMax(const NoiseSchedule& schedule, double sigmaMax)
{
    if (schedule.kind() == ScheduleKind::Geometric)
        return NoiseSchedule::geometric(schedule.sigmaMin(), sigmaMax, schedule.numLevels());
    if (schedule.kind() == ScheduleKind::VeContinuous) return NoiseSchedule::veContinuous(schedule.sigmaMin(), sigmaMax);
    throw InputError("a " + schedule.name() + " schedule has no sigma_max to set");
}

bool sigmaMaxIs(const NoiseSchedule& schedule, double value)
{
    // Half the dock's last decimal (0.001), and a relative margin for values
    // too large to show that many digits.
    return hasDerivableSigmaMax(schedule) && std::abs(schedule.sigmaMax() - value) <= 5e-4 + 1e-9 * value;
}

} // namespace ss
