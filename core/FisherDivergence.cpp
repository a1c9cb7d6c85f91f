#include "core/FisherDivergence.h"

#include "core/Error.h"
#include "core/GaussianMixture.h"

namespace ss {

Eigen::Matrix2Xd sampleMarginal(const Dataset& data, Marginal m, int n, Rng& rng)
{
    Eigen::Matrix2Xd x;
    if (data.mixture) {
        x = data.mixture->sample(n, rng);
    } else {
        x.resize(2, n);
        for (int j = 0; j < n; ++j) x.col(j) = data.points.col(rng.uniformInt(data.size()));
    }
    for (int j = 0; j < n; ++j) {
        x(0, j) = m.mean * x(0, j) + m.std * rng.normal();
        x(1, j) = m.mean * x(1, j) + m.std * rng.normal();
    }
    return x;
}

FisherDivergence fisherDivergence(const Eigen::Ref<const Eigen::Matrix2Xd>& score,
                                  const Eigen::Ref<const Eigen::Matrix2Xd>& exact)
{
    FisherDivergence f;
    if (score.cols() == 0 || score.cols() != exact.cols())
        throw InputError("the Fisher divergence needs two score arrays of the same, non-zero size");
    const double n = double(score.cols());
    f.divergence = 0.5 * (score - exact).colwise().squaredNorm().sum() / n;
    const double scale = 0.5 * exact.colwise().squaredNorm().sum() / n;
    f.relative = scale > 0 ? f.divergence / scale : 0.0;
    return f;
}

FisherDivergence fisherDivergence(const ScoreNet& net, const Dataset& data, const NoiseLevel& level, int n, Rng& rng)
{
    if (n < 1) throw InputError("the Fisher divergence needs at least one sample (got " + std::to_string(n) + ")");
    const Eigen::Matrix2Xd x = sampleMarginal(data, level.marginal, n, rng);
    Eigen::Matrix2Xd learned(2, n), exact(2, n);
    net.score(x, level, -1, learned);
    data.exactScore()->score(x, level.marginal, exact);
    return fisherDivergence(learned, exact);
}

FisherDivergence fisherDivergence(const ScoreSource& a, const ScoreSource& b, const Dataset& data,
                                  const NoiseLevel& level, int n, Rng& rng)
{
    if (n < 1) throw InputError("the Fisher divergence needs at least one sample (got " + std::to_string(n) + ")");
    const Eigen::Matrix2Xd x = sampleMarginal(data, level.marginal, n, rng);
    Eigen::Matrix2Xd sa(2, n), sb(2, n);
    a.score(x, level, sa);
    b.score(x, level, sb);
    return fisherDivergence(sa, sb);
}

} // namespace ss
