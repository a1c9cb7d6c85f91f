#include "state/FieldCompute.h"

#include "core/Rng.h"

#include <algorithm>

namespace ss::app {

FieldSnapshot computeField(const FieldRequest& r, const Dataset& data, const ExactScore& exact, const ScoreNet* net,
                           const Eigen::Matrix2Xd& noise)
{
    FieldSnapshot s;
    s.request = r;
    s.hasNetwork = net != nullptr;
    // Arrow grid: cell centres.
    const int n = std::clamp(r.arrows, 2, 256);
    s.grid.resize(2, n * n);
    for (int iy = 0; iy < n; ++iy)
        for (int ix = 0; ix < n; ++ix)
            s.grid.col(iy * n + ix) << r.xMin + (ix + 0.5) * (r.xMax - r.xMin) / n,
                r.yMin + (iy + 0.5) * (r.yMax - r.yMin) / n;
    s.exact.resize(2, s.grid.cols());
    exact.score(s.grid, r.level.marginal, s.exact);
    if (net) {
        s.learned.resize(2, s.grid.cols());
        net->score(s.grid, r.level, -1, s.learned);
    }
    const Eigen::Index shown = std::min(noise.cols(), data.points.cols());
    s.noised = r.level.marginal.mean * data.points.leftCols(shown) + r.level.marginal.std * noise.leftCols(shown);
    // Heat maps: cell centres of an m x m grid.
    const int m = std::clamp(r.heat, 2, 1024);
    Eigen::Matrix2Xd cells(2, m * m);
    for (int iy = 0; iy < m; ++iy)
        for (int ix = 0; ix < m; ++ix)
            cells.col(iy * m + ix) << r.xMin + (ix + 0.5) * (r.xMax - r.xMin) / m,
                r.yMin + (iy + 0.5) * (r.yMax - r.yMin) / m;
    Eigen::VectorXd logp(cells.cols());
    exact.logDensity(cells, r.level.marginal, logp);
    s.logDensity = Eigen::Map<const Eigen::ArrayXXd>(logp.data(), m, m).transpose().cast<float>();
    if (net && r.error) {
        Eigen::Matrix2Xd e(2, cells.cols()), l(2, cells.cols());
        exact.score(cells, r.level.marginal, e);
        net->score(cells, r.level, -1, l);
        const Eigen::ArrayXd err = logp.array().exp() * (l - e).colwise().squaredNorm().transpose().array();
        s.error = Eigen::Map<const Eigen::ArrayXXd>(err.data(), m, m).transpose().cast<float>();
    }
    return s;
}

Eigen::Matrix2Xd noisedDataNoise(Eigen::Index count, const Eigen::Matrix2Xd& kept)
{
    // Kept columns: points drawn with the mouse are appended, so the points
    // already shown keep their noise while a stroke grows the set.
    const Eigen::Index n = std::min(count, kMaxNoised), k = std::min(n, kept.cols());
    Eigen::Matrix2Xd next(2, n);
    next.leftCols(k) = kept.leftCols(k);
    Rng rng(0x6e6f69736564ull + std::uint64_t(kept.cols())); // "noised", per extension
    for (Eigen::Index j = k; j < n; ++j) next.col(j) << rng.normal(), rng.normal();
    return next;
}

} // namespace ss::app
