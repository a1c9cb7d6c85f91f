#include "core/SampleFidelity.h"

#include "core/Error.h"
#include "core/Rng.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace ss {

namespace {

constexpr int kMaxK = 1000;

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

void checkPoints(const Eigen::Ref<const Eigen::Matrix2Xd>& p, const char* what, const char* which, int minPoints)
{
    if (p.cols() == 0) throw InputError(std::string(what) + ": the " + which + " is empty");
    if (p.cols() < minPoints)
        throw InputError(std::string(what) + ": the " + which + " has " + std::to_string(p.cols()) +
                         " point(s); at least " + std::to_string(minPoints) + " are needed");
    for (Eigen::Index j = 0; j < p.cols(); ++j)
        for (int r = 0; r < 2; ++r)
            if (!std::isfinite(p(r, j)))
                throw InputError(std::string(what) + ": point " + std::to_string(j) + " of the " + which +
                                 " is not finite (" + num(p(r, j)) + ")");
}

void checkK(int k)
{
    if (k < 1 || k > kMaxK)
        throw InputError("precision/recall: k must be in [1, " + std::to_string(kMaxK) + "] (got " +
                         std::to_string(k) + ")");
}

// A point set sorted by x (ties by y), as two arrays; a seeded subsample of
// kMaxManifoldPoints points when larger (partial Fisher–Yates).
struct SortedSet {
    std::vector<double> x, y;
    int size() const { return int(x.size()); }
};

SortedSet sortedSet(const Eigen::Ref<const Eigen::Matrix2Xd>& p, Rng rng)
{
    const int n = int(p.cols());
    std::vector<int> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    if (n > kMaxManifoldPoints) {
        for (int i = 0; i < kMaxManifoldPoints; ++i) std::swap(idx[i], idx[i + rng.uniformInt(n - i)]);
        idx.resize(kMaxManifoldPoints);
    }
    std::sort(idx.begin(), idx.end(), [&](int a, int b) {
        return p(0, a) < p(0, b) || (p(0, a) == p(0, b) && p(1, a) < p(1, b));
    });
    SortedSet s;
    s.x.reserve(idx.size());
    s.y.reserve(idx.size());
    for (const int i : idx) {
        s.x.push_back(p(0, i));
        s.y.push_back(p(1, i));
    }
    return s;
}

// Squared distance from each point to its k-th nearest other point of the set
// (needs size() > k). Scans outwards in x from the point and stops a side once
// the x gap alone exceeds the current k-th best.
std::vector<double> kthNeighbourSquared(const SortedSet& s, int k)
{
    const int n = s.size();
    std::vector<double> out(n), best(k);
    for (int i = 0; i < n; ++i) {
        std::fill(best.begin(), best.end(), std::numeric_limits<double>::infinity());
        const auto consider = [&](int j) {
            const double dx = s.x[i] - s.x[j];
            if (dx * dx > best[k - 1]) return false;
            const double dy = s.y[i] - s.y[j];
            const double d2 = dx * dx + dy * dy;
            if (d2 < best[k - 1]) { // insert into the sorted k smallest
                int q = k - 1;
                for (; q > 0 && best[q - 1] > d2; --q) best[q] = best[q - 1];
                best[q] = d2;
            }
            return true;
        };
        for (int j = i - 1; j >= 0 && consider(j); --j) {}
        for (int j = i + 1; j < n && consider(j); ++j) {}
        out[i] = best[k - 1];
    }
    return out;
}

// Share of the query points inside some ball (support point j, squared radius r2[j]).
double coverage(const SortedSet& query, const SortedSet& support, const std::vector<double>& r2)
{
    const double rMax = std::sqrt(*std::max_element(r2.begin(), r2.end()));
    long long inside = 0;
    for (int i = 0; i < query.size(); ++i) {
        const double qx = query.x[i], qy = query.y[i];
        auto j = int(std::lower_bound(support.x.begin(), support.x.end(), qx - rMax) - support.x.begin());
        for (; j < support.size() && support.x[j] <= qx + rMax; ++j) {
            const double dx = qx - support.x[j], dy = qy - support.y[j];
            if (dx * dx + dy * dy <= r2[j]) {
                ++inside;
                break;
            }
        }
    }
    return double(inside) / double(query.size());
}

// Independent streams, so the subsample of one set does not depend on the other's size.
enum Stream : std::uint64_t { kSamplesStream = 11, kReferenceStream = 12 };

} // namespace

double manifoldCoverage(const Eigen::Ref<const Eigen::Matrix2Xd>& query,
                        const Eigen::Ref<const Eigen::Matrix2Xd>& support, int k, std::uint64_t seed)
{
    checkK(k);
    checkPoints(query, "manifold coverage", "query set", 1);
    checkPoints(support, "manifold coverage", "support set", k + 1);
    const Rng root(seed);
    const SortedSet q = sortedSet(query, root.split(kSamplesStream));
    const SortedSet s = sortedSet(support, root.split(kReferenceStream));
    return coverage(q, s, kthNeighbourSquared(s, k));
}

PrecisionRecall precisionRecall(const Eigen::Ref<const Eigen::Matrix2Xd>& samples,
                                const Eigen::Ref<const Eigen::Matrix2Xd>& reference, int k, std::uint64_t seed)
{
    checkK(k);
    checkPoints(samples, "precision/recall", "sample set", k + 1);
    checkPoints(reference, "precision/recall", "reference set", k + 1);
    const Rng root(seed);
    const SortedSet a = sortedSet(samples, root.split(kSamplesStream));
    const SortedSet b = sortedSet(reference, root.split(kReferenceStream));
    return {coverage(a, b, kthNeighbourSquared(b, k)), coverage(b, a, kthNeighbourSquared(a, k))};
}

MeanLogDensity meanLogDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& points, const ExactScore& reference)
{
    checkPoints(points, "mean log-density", "point set", 1);
    if (reference.needsNoise())
        throw InputError("mean log-density: the reference is a point set, which has no density without noise "
                         "(use an analytic preset such as 8gaussians)");
    Eigen::VectorXd logp(points.cols());
    reference.logDensity(points, Marginal{1.0, 0.0}, logp);
    MeanLogDensity out;
    const Eigen::Index n = logp.size();
    out.mean = logp.mean();
    if (n > 1) {
        const double var = (logp.array() - out.mean).square().sum() / double(n - 1);
        out.standardError = std::sqrt(var / double(n));
    }
    return out;
}

} // namespace ss
