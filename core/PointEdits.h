#pragma once
// Editing a data set by hand (the Data dock's draw mode). Every edit returns an
// empirical data set named "drawn": an analytic mixture is dropped, because the
// exact density of hand-edited points is their empirical distribution. The
// original's points and labels are kept; unlabelled points join class 0, so a
// drawn set with points is always labelled (an empty one has no labels).
#include "core/Dataset.h"
#include "core/Rng.h"

namespace ss {

// An empty drawn set ("Clear all points").
Dataset emptyDrawnSet();

// data with `added` (2 x k) appended, each in class `label` (>= 0, else InputError).
Dataset withPointsAdded(const Dataset& data, const Eigen::Matrix2Xd& added, int label);

// data without its points at distance <= radius from centre.
Dataset withPointsErased(const Dataset& data, const Eigen::Vector2d& centre, double radius);

// How many points of data lie at distance <= radius from centre.
int countWithin(const Dataset& data, const Eigen::Vector2d& centre, double radius);

// `count` points uniform in the disc of `radius` around centre (the spray).
Eigen::Matrix2Xd sprayDisc(const Eigen::Vector2d& centre, double radius, int count, Rng& rng);

} // namespace ss
