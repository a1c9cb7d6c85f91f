#include "core/PointEdits.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>

namespace ss {

namespace {
// The labels of data, one per point; unlabelled points get class 0.
std::vector<int> labelsOf(const Dataset& data)
{
    if (data.labelled()) return data.labels;
    return std::vector<int>(std::size_t(data.size()), 0);
}
} // namespace

Dataset emptyDrawnSet()
{
    Dataset d;
    d.name = "drawn";
    d.points.resize(2, 0);
    return d;
}

Dataset withPointsAdded(const Dataset& data, const Eigen::Matrix2Xd& added, int label)
{
    if (label < 0) throw InputError("a class label must be non-negative (got " + std::to_string(label) + ")");
    Dataset d = emptyDrawnSet();
    d.points.resize(2, data.points.cols() + added.cols());
    d.points.leftCols(data.points.cols()) = data.points;
    d.points.rightCols(added.cols()) = added;
    d.labels = labelsOf(data);
    d.labels.resize(std::size_t(d.points.cols()), label);
    d.numClasses = std::max(data.numClasses, label + 1);
    if (d.points.cols() == 0) d = emptyDrawnSet();
    return d;
}

Dataset withPointsErased(const Dataset& data, const Eigen::Vector2d& centre, double radius)
{
    const std::vector<int> labels = labelsOf(data);
    Dataset d = emptyDrawnSet();
    d.points.resize(2, data.points.cols());
    Eigen::Index kept = 0;
    for (Eigen::Index i = 0; i < data.points.cols(); ++i) {
        if ((data.points.col(i) - centre).norm() <= radius) continue;
        d.points.col(kept++) = data.points.col(i);
        d.labels.push_back(labels[std::size_t(i)]);
    }
    d.points.conservativeResize(2, kept);
    d.numClasses = kept > 0 ? std::max(data.numClasses, 1) : 0;
    return d;
}

int countWithin(const Dataset& data, const Eigen::Vector2d& centre, double radius)
{
    return int(((data.points.colwise() - centre).colwise().norm().array() <= radius).count());
}

Eigen::Matrix2Xd sprayDisc(const Eigen::Vector2d& centre, double radius, int count, Rng& rng)
{
    Eigen::Matrix2Xd p(2, std::max(0, count));
    for (Eigen::Index i = 0; i < p.cols(); ++i) {
        // sqrt: uniform in area, not crowded at the centre.
        const double r = radius * std::sqrt(rng.uniform());
        const double a = 6.283185307179586 * rng.uniform();
        p.col(i) = centre + r * Eigen::Vector2d(std::cos(a), std::sin(a));
    }
    return p;
}

} // namespace ss
