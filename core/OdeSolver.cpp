#include "core/OdeSolver.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>

namespace ss {

std::string odeMethodName(OdeMethod m)
{
    switch (m) {
    case OdeMethod::Euler: return "euler";
    case OdeMethod::Heun: return "heun";
    case OdeMethod::Rk4: return "rk4";
    case OdeMethod::Rk45: return "rk45";
    }
    return "?";
}

OdeMethod odeMethodFromName(const std::string& name)
{
    for (OdeMethod m : {OdeMethod::Euler, OdeMethod::Heun, OdeMethod::Rk4, OdeMethod::Rk45})
        if (odeMethodName(m) == name) return m;
    throw InputError("unknown ODE method '" + name + "' (expected euler, heun, rk4 or rk45)");
}

OdeSolver::OdeSolver(OdeMethod method, double rtol, double atol) : method_(method), rtol_(rtol), atol_(atol)
{
    if (!(rtol > 0 && std::isfinite(rtol)) || !(atol > 0 && std::isfinite(atol)))
        throw InputError("ODE tolerances must be positive and finite (rtol " + std::to_string(rtol) + ", atol " +
                         std::to_string(atol) + ")");
}

int OdeSolver::stagesPerStep() const
{
    switch (method_) {
    case OdeMethod::Euler: return 1;
    case OdeMethod::Heun: return 2;
    case OdeMethod::Rk4: return 4;
    case OdeMethod::Rk45: return 7;
    }
    return 1;
}

std::vector<double> OdeSolver::weights(OdeMethod method)
{
    switch (method) {
    case OdeMethod::Euler: return {1.0};
    case OdeMethod::Heun: return {0.5, 0.5};
    case OdeMethod::Rk4: return {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6};
    case OdeMethod::Rk45: return {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0.0};
    }
    return {1.0};
}

void OdeSolver::eval(const OdeRhs& f, double t, const Eigen::MatrixXd& y, Eigen::MatrixXd& out)
{
    out.resize(y.rows(), y.cols());
    f(t, y, out);
    ++evaluations_;
    if (!out.allFinite()) throw InputError("the ODE's velocity became NaN or infinite at t = " + std::to_string(t));
}

double OdeSolver::step(const OdeRhs& f, double t, double tEnd, double hSuggested, Eigen::MatrixXd& y, double& hNext)
{
    const double span = tEnd - t;
    if (span == 0.0) {
        hNext = hSuggested;
        return t;
    }
    const double dir = span > 0 ? 1.0 : -1.0;
    double h = dir * std::min(std::abs(hSuggested) > 0 ? std::abs(hSuggested) : std::abs(span), std::abs(span));
    auto& k = k_;
    switch (method_) {
    case OdeMethod::Euler:
        eval(f, t, y, k[0]);
        y += h * k[0];
        break;
    case OdeMethod::Heun:
        eval(f, t, y, k[0]);
        tmp_ = y + h * k[0];
        eval(f, t + h, tmp_, k[1]);
        y += 0.5 * h * (k[0] + k[1]);
        break;
    case OdeMethod::Rk4:
        eval(f, t, y, k[0]);
        tmp_ = y + 0.5 * h * k[0];
        eval(f, t + 0.5 * h, tmp_, k[1]);
        tmp_ = y + 0.5 * h * k[1];
        eval(f, t + 0.5 * h, tmp_, k[2]);
        tmp_ = y + h * k[2];
        eval(f, t + h, tmp_, k[3]);
        y += h / 6.0 * (k[0] + 2.0 * k[1] + 2.0 * k[2] + k[3]);
        break;
    case OdeMethod::Rk45: {
        // Dormand–Prince 5(4): the 5th-order solution is kept, the difference
        // to the embedded 4th-order one is the error estimate.
        const double minStep = 1e-12 * std::max(1.0, std::abs(span));
        eval(f, t, y, k[0]);
        for (;;) {
            tmp_ = y + h * (1.0 / 5) * k[0];
            eval(f, t + h / 5, tmp_, k[1]);
            tmp_ = y + h * (3.0 / 40 * k[0] + 9.0 / 40 * k[1]);
            eval(f, t + 3 * h / 10, tmp_, k[2]);
            tmp_ = y + h * (44.0 / 45 * k[0] - 56.0 / 15 * k[1] + 32.0 / 9 * k[2]);
            eval(f, t + 4 * h / 5, tmp_, k[3]);
            tmp_ = y + h * (19372.0 / 6561 * k[0] - 25360.0 / 2187 * k[1] + 64448.0 / 6561 * k[2] -
                            212.0 / 729 * k[3]);
            eval(f, t + 8 * h / 9, tmp_, k[4]);
            tmp_ = y + h * (9017.0 / 3168 * k[0] - 355.0 / 33 * k[1] + 46732.0 / 5247 * k[2] + 49.0 / 176 * k[3] -
                            5103.0 / 18656 * k[4]);
            eval(f, t + h, tmp_, k[5]);
            tmp_ = y + h * (35.0 / 384 * k[0] + 500.0 / 1113 * k[2] + 125.0 / 192 * k[3] - 2187.0 / 6784 * k[4] +
                            11.0 / 84 * k[5]);
            eval(f, t + h, tmp_, k[6]);
            const Eigen::MatrixXd err =
                h * (71.0 / 57600 * k[0] - 71.0 / 16695 * k[2] + 71.0 / 1920 * k[3] - 17253.0 / 339200 * k[4] +
                     22.0 / 525 * k[5] - 1.0 / 40 * k[6]);
            const Eigen::ArrayXXd scale = atol_ + rtol_ * y.array().abs().max(tmp_.array().abs());
            const double e = (err.array().abs() / scale).maxCoeff();
            const double factor = e > 0 ? 0.9 * std::pow(e, -0.2) : 5.0;
            if (e <= 1.0) {
                y = tmp_;
                hNext = dir * std::max(std::abs(h) * std::clamp(factor, 0.2, 5.0), minStep);
                return std::abs(tEnd - (t + h)) <= minStep ? tEnd : t + h;
            }
            ++rejected_;
            h *= std::max(0.1, factor);
            if (std::abs(h) < minStep)
                throw InputError("adaptive RK45 step fell below " + std::to_string(minStep) + " at t = " +
                                 std::to_string(t) + ": the velocity is too stiff for tolerances rtol " +
                                 std::to_string(rtol_) + ", atol " + std::to_string(atol_));
        }
    }
    }
    hNext = h;
    // Land exactly on tEnd when this step reached it (no drift from rounding).
    return std::abs(span) <= std::abs(h) ? tEnd : t + h;
}

} // namespace ss
