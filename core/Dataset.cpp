#include "core/Dataset.h"

#include "core/EmpiricalDistribution.h"
#include "core/Error.h"

namespace ss {

// The returned object owns a copy of the mixture or of the points, so it stays
// valid (and thread-safe to query) after this Dataset is edited or destroyed.
std::shared_ptr<const ExactScore> Dataset::exactScore() const
{
    if (mixture) return std::make_shared<GaussianMixture>(*mixture);
    if (points.cols() == 0)
        throw InputError("data set '" + name + "' has no points, so it has no exact score");
    return std::make_shared<EmpiricalDistribution>(points);
}

// Zero for an empty set.
Eigen::Vector2d Dataset::mean() const
{
    if (points.cols() == 0) return Eigen::Vector2d::Zero();
    return points.rowwise().mean();
}

// The covariance of the empirical distribution (divides by n, not n - 1), the
// same normalisation as EmpiricalDistribution; zero for an empty set.
Eigen::Matrix2d Dataset::covariance() const
{
    if (points.cols() == 0) return Eigen::Matrix2d::Zero();
    const Eigen::Matrix2Xd centred = points.colwise() - mean();
    return centred * centred.transpose() / double(points.cols());
}

} // namespace ss
