#pragma once
// Explicit Runge–Kutta steps for dy/dt = F(t, y) on a batch state (rows: the
// coordinates of one particle, plus any augmented ones such as log-density;
// columns: particles). Used by the probability-flow sampler and the likelihood.
//
// Fixed-step methods advance by exactly h (h < 0 integrates backwards in t).
// Rk45 (Dormand–Prince 5(4)) chooses its own steps: it retries a step with a
// smaller h until the scaled error max_ij |err_ij| / (atol + rtol max(|y|, |y_new|))
// is <= 1, and suggests the next h. Every F call is counted.
#include <Eigen/Core>

#include <functional>
#include <string>
#include <vector>

namespace ss {

enum class OdeMethod { Euler, Heun, Rk4, Rk45 };
std::string odeMethodName(OdeMethod m);                // "euler", "heun", "rk4", "rk45"
OdeMethod odeMethodFromName(const std::string& name);  // throws InputError

// F(t, y, dydt): dydt has y's size on entry. May throw; the step then leaves y untouched.
using OdeRhs = std::function<void(double t, const Eigen::MatrixXd& y, Eigen::MatrixXd& dydt)>;

class OdeSolver {
public:
    // Throws InputError when rtol/atol are not positive and finite.
    OdeSolver(OdeMethod method, double rtol = 1e-5, double atol = 1e-5);

    OdeMethod method() const { return method_; }
    int stagesPerStep() const; // F evaluations of one (accepted, fixed) step
    // The weights b_i of the stages in y' = y + h sum_i b_i k_i (Rk45: the
    // 5th-order solution's, 7 of them, the last 0); stagesPerStep() of them.
    static std::vector<double> weights(OdeMethod method);

    // One step from t towards tEnd (never past it): fixed methods use
    // h = clamp(hSuggested); Rk45 adapts. Updates y, returns the new t; hNext
    // gets the suggested next step (Rk45) or the same h. Throws InputError if
    // Rk45's step falls below 1e-12 (|tEnd - t| scale) or F gives NaN/Inf.
    double step(const OdeRhs& f, double t, double tEnd, double hSuggested, Eigen::MatrixXd& y, double& hNext);

    long long evaluations() const { return evaluations_; } // F calls so far
    long long rejected() const { return rejected_; }       // Rk45 retries

private:
    void eval(const OdeRhs& f, double t, const Eigen::MatrixXd& y, Eigen::MatrixXd& out);

    OdeMethod method_;
    double rtol_, atol_;
    long long evaluations_ = 0, rejected_ = 0;
    Eigen::MatrixXd k_[7], tmp_;
};

} // namespace ss
