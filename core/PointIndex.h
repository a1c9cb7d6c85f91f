#pragma once
// A 2D k-d tree over a fixed point set, built once (O(n log n)) and then only
// read: exact nearest-neighbour queries and "every leaf within radius r"
// queries. The exact scores of point sets and of many-component mixtures use
// it to sum only the components near a query (the spatial cut-off of
// EmpiricalDistribution and GaussianMixture; the tolerance is theirs).
//
// Thread safety: const after construction, so any number of threads may query
// it at once. Determinism: a query visits leaves in a fixed order that depends
// only on the tree and the query, never on the thread or the batch.
#include <Eigen/Core>

#include <vector>

namespace ss {

class PointIndex {
public:
    // points: 2 x n, finite (callers validate). leafSize >= 1.
    explicit PointIndex(const Eigen::Matrix2Xd& points, int leafSize = 32);

    int size() const { return int(order_.size()); }
    // The points in tree order (leaves are contiguous ranges of these) and,
    // for each tree position, the column of the point in the input.
    const Eigen::ArrayXd& xs() const { return xs_; }
    const Eigen::ArrayXd& ys() const { return ys_; }
    const std::vector<int>& order() const { return order_; }

    // Squared distance from (qx, qy) to the nearest point; *position gets its
    // tree position (the first in tree order among equally near ones). Exact.
    double nearest(double qx, double qy, int* position) const;

    // Squared distance from (qx, qy) to the farthest corner of the bounding
    // box of all points: when a cut-off radius reaches it, every point is in.
    double farthestCorner2(double qx, double qy) const;

    // Calls visit(begin, end) for the tree-order range of every leaf whose box
    // comes within squared distance r2 of (qx, qy) (a superset of the points
    // within sqrt(r2); points of a visited leaf may lie farther).
    template <typename Visit>
    void forEachLeafNear(double qx, double qy, double r2, Visit&& visit) const;

private:
    struct Node {
        double x0, y0, x1, y1; // bounding box of the node's points
        int begin, end;        // tree-order range
        int left = -1, right = -1; // children (-1: a leaf)
    };
    int build(const Eigen::Matrix2Xd& points, int begin, int end, int leafSize, int depth);
    static double boxDistance2(const Node& n, double qx, double qy)
    {
        const double dx = qx < n.x0 ? n.x0 - qx : (qx > n.x1 ? qx - n.x1 : 0.0);
        const double dy = qy < n.y0 ? n.y0 - qy : (qy > n.y1 ? qy - n.y1 : 0.0);
        return dx * dx + dy * dy;
    }

    std::vector<Node> nodes_; // nodes_[0] is the root
    Eigen::ArrayXd xs_, ys_;
    std::vector<int> order_;
};

template <typename Visit>
void PointIndex::forEachLeafNear(double qx, double qy, double r2, Visit&& visit) const
{
    // Depth is at most ~2 log2(n / leafSize) + 2 < 64 for any n that fits in
    // memory (median splits halve the count).
    int stack[128];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
        const Node& n = nodes_[std::size_t(stack[--top])];
        if (boxDistance2(n, qx, qy) > r2) continue;
        if (n.left < 0) {
            visit(n.begin, n.end);
            continue;
        }
        stack[top++] = n.right; // left first: a fixed order
        stack[top++] = n.left;
    }
}

} // namespace ss
