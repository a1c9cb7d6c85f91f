#include "core/Parametrisation.h"

#include "core/Error.h"

#include <cmath>

namespace ss {

std::string parametrisationName(Parametrisation p)
{
    switch (p) {
    case Parametrisation::Score: return "score";
    case Parametrisation::ScoreOverSigma: return "score-over-sigma";
    case Parametrisation::Epsilon: return "epsilon";
    case Parametrisation::X0: return "x0";
    case Parametrisation::V: return "v";
    case Parametrisation::Velocity: return "velocity";
    case Parametrisation::Edm: return "edm";
    }
    return "score";
}

Parametrisation parametrisationFromName(const std::string& name)
{
    for (auto p : {Parametrisation::Score, Parametrisation::ScoreOverSigma, Parametrisation::Epsilon,
                   Parametrisation::X0, Parametrisation::V, Parametrisation::Velocity, Parametrisation::Edm})
        if (parametrisationName(p) == name) return p;
    throw InputError("unknown parametrisation '" + name +
                     "' (expected score, score-over-sigma, epsilon, x0, v, velocity or edm)");
}

Affine quantityAffine(Quantity q, const Marginal& mg)
{
    const double m = mg.mean, s = mg.std;
    switch (q) {
    case Quantity::Score: return {0.0, 1.0};
    case Quantity::Epsilon: return {0.0, -s};
    case Quantity::X0: return {1.0 / m, s * s / m};
    case Quantity::V: {
        const double r = std::hypot(m, s);
        return {-s / (m * r), -s * r / m};
    }
    case Quantity::Velocity: return {-1.0 / m, -s * (m + s) / m};
    }
    return {};
}

Eigen::Vector2d convert(Quantity from, Quantity to, const Eigen::Vector2d& value, const Eigen::Vector2d& x,
                        const Marginal& m)
{
    const Affine f = quantityAffine(from, m), t = quantityAffine(to, m);
    const Eigen::Vector2d score = (value - f.alpha * x) / f.beta;
    return t.alpha * x + t.beta * score;
}

EdmScaling edmScaling(const Marginal& m, double sd)
{
    const double sigma = m.std / m.mean, r2 = sigma * sigma + sd * sd, r = std::sqrt(r2);
    return {sd * sd / r2, sigma * sd / r, 1.0 / r};
}

Affine outputAffine(Parametrisation p, const Marginal& m, double sigmaData)
{
    switch (p) {
    case Parametrisation::Score: return quantityAffine(Quantity::Score, m);
    case Parametrisation::ScoreOverSigma: return {0.0, m.std};
    case Parametrisation::Epsilon: return quantityAffine(Quantity::Epsilon, m);
    case Parametrisation::X0: return quantityAffine(Quantity::X0, m);
    case Parametrisation::V: return quantityAffine(Quantity::V, m);
    case Parametrisation::Velocity: return quantityAffine(Quantity::Velocity, m);
    case Parametrisation::Edm: {
        // F = (x0 - c_skip x/mean) / c_out with x0 = (x + std^2 s)/mean.
        const EdmScaling c = edmScaling(m, sigmaData);
        return {(1.0 - c.cSkip) / (m.mean * c.cOut), m.std * m.std / (m.mean * c.cOut)};
    }
    }
    return {};
}

OutputMap outputMap(Parametrisation p, const Marginal& m, double sigmaData)
{
    const Affine f = outputAffine(p, m, sigmaData);
    const double inScale = p == Parametrisation::Edm ? edmScaling(m, sigmaData).cIn / m.mean : 1.0;
    return {inScale, -f.alpha / f.beta, 1.0 / f.beta};
}

TargetCoefficients outputTarget(Parametrisation p, const Marginal& m, double sigmaData)
{
    // F* = alpha x + beta (-eps/std) with x = mean x0 + std eps. x0's target is
    // exactly x0 (ceps rounds to ~1e-17, not 0).
    const Affine f = outputAffine(p, m, sigmaData);
    if (p == Parametrisation::X0) return {1.0, 0.0};
    return {f.alpha * m.mean, f.alpha * m.std - f.beta / m.std};
}

double outputErrorRatio(Parametrisation p, const Marginal& m, double sigmaData)
{
    const double r = outputAffine(p, m, sigmaData).beta / m.std;
    return r * r;
}

double dataSigma(const Eigen::Matrix2Xd& points)
{
    if (points.cols() == 0) throw InputError("the data set is empty: sigma_data needs points");
    return std::sqrt(points.squaredNorm() / (2.0 * double(points.cols())));
}

} // namespace ss
