#pragma once
// A 2D data set: the points the trainer draws from, optional class labels, and
// (for analytic presets) the true mixture density.
#include "core/GaussianMixture.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ss {

struct Dataset {
    std::string name;              // preset id, file name, or "drawn"
    Eigen::Matrix2Xd points;       // 2 x n, one point per column
    std::vector<int> labels;       // empty, or one label per point in [0, numClasses)
    int numClasses = 0;            // 0 when unlabelled
    std::optional<GaussianMixture> mixture; // the true density when analytic

    int size() const { return int(points.cols()); }
    bool labelled() const { return !labels.empty(); }

    // The exact score of this data set: the analytic mixture when there is one,
    // else the empirical distribution of the points. Throws InputError when the
    // set is empty.
    std::shared_ptr<const ExactScore> exactScore() const;

    // Mean and covariance of the points (for diagnostics such as the prior mismatch).
    Eigen::Vector2d mean() const;
    Eigen::Matrix2d covariance() const;
};

} // namespace ss
