#include "core/PointIndex.h"

#include "core/Error.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace ss {

PointIndex::PointIndex(const Eigen::Matrix2Xd& points, int leafSize)
{
    if (points.cols() == 0) throw InputError("point index: the point set is empty");
    if (leafSize < 1) throw InputError("point index: the leaf size must be at least 1");
    order_.resize(std::size_t(points.cols()));
    std::iota(order_.begin(), order_.end(), 0);
    nodes_.reserve(std::size_t(4 * (points.cols() / leafSize + 1)));
    build(points, 0, int(points.cols()), leafSize, 0);
    xs_.resize(points.cols());
    ys_.resize(points.cols());
    for (Eigen::Index i = 0; i < points.cols(); ++i) {
        xs_(i) = points(0, order_[std::size_t(i)]);
        ys_(i) = points(1, order_[std::size_t(i)]);
    }
}

// Splits at the median of the box's wider side (ties in the coordinate are
// broken by column, so the tree depends only on the points). Returns the node.
int PointIndex::build(const Eigen::Matrix2Xd& points, int begin, int end, int leafSize, int depth)
{
    Node n;
    n.begin = begin;
    n.end = end;
    n.x0 = n.y0 = std::numeric_limits<double>::infinity();
    n.x1 = n.y1 = -std::numeric_limits<double>::infinity();
    for (int i = begin; i < end; ++i) {
        const int c = order_[std::size_t(i)];
        n.x0 = std::min(n.x0, points(0, c));
        n.x1 = std::max(n.x1, points(0, c));
        n.y0 = std::min(n.y0, points(1, c));
        n.y1 = std::max(n.y1, points(1, c));
    }
    const int id = int(nodes_.size());
    nodes_.push_back(n);
    // A leaf when small, when all points coincide, or deep enough that the
    // traversal stacks (128 entries) could not hold more levels.
    if (end - begin <= leafSize || (n.x1 == n.x0 && n.y1 == n.y0) || depth >= 60) return id;
    const int axis = (n.x1 - n.x0) >= (n.y1 - n.y0) ? 0 : 1;
    const int mid = begin + (end - begin) / 2;
    std::nth_element(order_.begin() + begin, order_.begin() + mid, order_.begin() + end, [&](int a, int b) {
        const double pa = points(axis, a), pb = points(axis, b);
        return pa < pb || (pa == pb && a < b);
    });
    const int left = build(points, begin, mid, leafSize, depth + 1);
    const int right = build(points, mid, end, leafSize, depth + 1);
    nodes_[std::size_t(id)].left = left;
    nodes_[std::size_t(id)].right = right;
    return id;
}

double PointIndex::nearest(double qx, double qy, int* position) const
{
    double best = std::numeric_limits<double>::infinity();
    int bestAt = 0;
    int stack[128];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
        const Node& n = nodes_[std::size_t(stack[--top])];
        if (boxDistance2(n, qx, qy) > best) continue;
        if (n.left < 0) {
            for (int i = n.begin; i < n.end; ++i) {
                const double dx = xs_(i) - qx, dy = ys_(i) - qy;
                const double d2 = dx * dx + dy * dy;
                if (d2 < best || (d2 == best && i < bestAt)) {
                    best = d2;
                    bestAt = i;
                }
            }
            continue;
        }
        // The nearer child is searched first (pushed last), so the far one is
        // usually pruned.
        const Node& l = nodes_[std::size_t(n.left)];
        const Node& r = nodes_[std::size_t(n.right)];
        if (boxDistance2(l, qx, qy) <= boxDistance2(r, qx, qy)) {
            stack[top++] = n.right;
            stack[top++] = n.left;
        } else {
            stack[top++] = n.left;
            stack[top++] = n.right;
        }
    }
    if (position) *position = bestAt;
    return best;
}

double PointIndex::farthestCorner2(double qx, double qy) const
{
    const Node& n = nodes_.front();
    const double dx = std::max(std::abs(qx - n.x0), std::abs(qx - n.x1));
    const double dy = std::max(std::abs(qy - n.y0), std::abs(qy - n.y1));
    return dx * dx + dy * dy;
}

} // namespace ss
