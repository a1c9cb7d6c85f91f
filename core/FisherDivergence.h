#pragma once
// Density-weighted Fisher divergence between a score and the exact one:
//   D_F = 1/2 E_{x ~ p_m} || s(x) - grad log p_m(x) ||^2,
// estimated on samples x drawn from the marginal p_m itself (so regions the
// data never visit do not count). The relative form divides by
// 1/2 E || grad log p_m ||^2: 1 for the zero score, 0 for the truth.
#include "core/Dataset.h"
#include "core/Rng.h"
#include "core/ScoreNet.h"
#include "core/ScoreSource.h"

namespace ss {

struct FisherDivergence {
    double divergence = 0; // D_F in the score's squared units
    double relative = 0;   // D_F / (1/2 E ||exact||^2)
};

// Samples of the marginal mean * x0 + std * eps: from the mixture when the data
// set has one (the true density), else from the points (the empirical one).
Eigen::Matrix2Xd sampleMarginal(const Dataset& data, Marginal m, int n, Rng& rng);

// From two score arrays evaluated at the same samples.
FisherDivergence fisherDivergence(const Eigen::Ref<const Eigen::Matrix2Xd>& score,
                                  const Eigen::Ref<const Eigen::Matrix2Xd>& exact);

// The network at one level against the data set's exact score there, on n
// samples of that level's marginal.
FisherDivergence fisherDivergence(const ScoreNet& net, const Dataset& data, const NoiseLevel& level, int n, Rng& rng);

// Any two score sources (learned, exact, guided) at one level, on n samples of
// the data set's marginal there: a is compared with b (b plays "exact").
FisherDivergence fisherDivergence(const ScoreSource& a, const ScoreSource& b, const Dataset& data,
                                  const NoiseLevel& level, int n, Rng& rng);

} // namespace ss
