#pragma once
// A mean of independent values and its standard error, sd / sqrt(n) with the
// n - 1 sample variance (0 for fewer than two values): the uncertainty the
// measurements print beside their means (ELBO terms, Fisher divergence, NLL).
#include <Eigen/Core>

#include <cmath>

namespace ss {

struct MeanEstimate {
    double mean = 0;
    double standardError = 0;
};

inline MeanEstimate meanWithError(const Eigen::Ref<const Eigen::VectorXd>& values)
{
    MeanEstimate e;
    const auto n = values.size();
    if (n == 0) return e;
    e.mean = values.mean();
    if (n > 1) e.standardError = std::sqrt((values.array() - e.mean).square().sum() / double(n - 1) / double(n));
    return e;
}

} // namespace ss
