// The CNF's gradient by reverse mode through every stage of a fixed-step
// explicit Runge–Kutta solver ("discretise, then optimise"): the exact gradient
// of the discrete loss, at the price of one tape per stage of every step.
// The stages here are OdeSolver's (same tableau: tst_cnf checks the two give
// the same NLL); they are written out because OdeSolver keeps no stage inputs.
#include "core/Cnf.h"
#include "core/CnfSolve.h"
#include "core/Error.h"

#include <vector>

namespace ss {

namespace {

// Butcher tableau of an explicit method: Y_i = z + h sum_{j<i} a_ij k_j,
// k_i = f(t + c_i h, Y_i), z' = z + h sum_i b_i k_i.
struct Tableau {
    std::vector<double> c;
    std::vector<std::vector<double>> a; // a[i][j], j < i
    std::vector<double> b;
};

Tableau tableauOf(OdeMethod m)
{
    switch (m) {
    case OdeMethod::Euler: return {{0}, {{}}, OdeSolver::weights(m)};
    case OdeMethod::Heun: return {{0, 1}, {{}, {1}}, OdeSolver::weights(m)};
    case OdeMethod::Rk4: return {{0, 0.5, 0.5, 1}, {{}, {0.5}, {0, 0.5}, {0, 0, 1}}, OdeSolver::weights(m)};
    case OdeMethod::Rk45: break;
    }
    throw InputError("gradient backprop needs a fixed-step solver (euler, heun or rk4), not rk45");
}

} // namespace

template <typename T>
CnfGradientResult cnfBackpropGradient(const CnfNetT<T>& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                                      const CnfSolveConfig& solve, const TraceProbes& probes)
{
    solve.validate();
    const Tableau tab = tableauOf(solve.method);
    const int S = int(tab.b.size()), N = solve.steps;
    const Eigen::Index B = x.cols();
    const double h = 1.0 / N;
    std::vector<typename CnfNetT<T>::Tape> tapes(size_t(N) * S);
    std::vector<Eigen::Matrix2Xd> k(S, Eigen::Matrix2Xd(2, B));
    Eigen::VectorXd div(B), kl(B);
    Eigen::Matrix2Xd z = x, Y(2, B);
    Eigen::VectorXd l = Eigen::VectorXd::Zero(B);
    CnfGradientResult r;

    // Forward, keeping every stage's tape (its input is the stage's Y_i).
    for (int n = 0; n < N; ++n) {
        const double t = double(n) / N;
        kl.setZero();
        for (int i = 0; i < S; ++i) {
            Y = z;
            for (int j = 0; j < i; ++j)
                if (tab.a[i][j] != 0) Y += h * tab.a[i][j] * k[j];
            net.velocityDivergence(Y, t + tab.c[i] * h, probes, tapes[size_t(n) * S + i], k[i], div);
            if (!k[i].allFinite() || !div.allFinite())
                throw InputError("the flow's velocity became NaN or infinite at t = " + std::to_string(t));
            kl += tab.b[i] * div;
        }
        for (int i = 0; i < S; ++i) z += h * tab.b[i] * k[i];
        l += h * kl;
    }
    r.forwardEvaluations = std::int64_t(N) * S;
    for (const auto& tape : tapes) r.bytesStored += tapeBytes<T>(tape);
    double loss = 0;
    for (Eigen::Index j = 0; j < B; ++j) loss -= standardNormalLogDensity(z.col(j)) + l(j);
    r.loss = loss / double(B);

    // Reverse: zbar = dL/dz_n, starting from dL/dz_N = z_N / B; dL/dl = -1/B
    // throughout. Within a step, stage i's cotangent is
    //   kbar_i = h b_i zbar + h sum_{m>i} a_mi Ybar_m,   Ybar_i = kbar_i^T df/dY_i,
    // and zbar_n = zbar_{n+1} + sum_i Ybar_i.
    typename CnfNetT<T>::Vector grads = CnfNetT<T>::Vector::Zero(net.mlp().numParams());
    Eigen::Matrix2Xd zbar = z / double(B), kbar(2, B);
    std::vector<Eigen::Matrix2Xd> Ybar(S, Eigen::Matrix2Xd(2, B));
    for (int n = N - 1; n >= 0; --n) {
        for (int i = S - 1; i >= 0; --i) {
            kbar = h * tab.b[i] * zbar;
            for (int m = i + 1; m < S; ++m)
                if (tab.a[m][i] != 0) kbar += h * tab.a[m][i] * Ybar[m];
            const Eigen::VectorXd al = Eigen::VectorXd::Constant(B, -h * tab.b[i] / double(B));
            auto& tape = tapes[size_t(n) * S + i];
            net.vectorJacobian(tape, probes, kbar, al, grads, Ybar[i]);
            tape = {}; // done with this stage: free it
        }
        for (int i = 0; i < S; ++i) zbar += Ybar[i];
    }
    r.backwardEvaluations = r.forwardEvaluations;
    r.gradient = grads.template cast<double>();
    r.inputGradient = zbar;
    return r;
}

template CnfGradientResult cnfBackpropGradient(const CnfNetT<float>&, const Eigen::Ref<const Eigen::Matrix2Xd>&,
                                               const CnfSolveConfig&, const TraceProbes&);
template CnfGradientResult cnfBackpropGradient(const CnfNetT<double>&, const Eigen::Ref<const Eigen::Matrix2Xd>&,
                                               const CnfSolveConfig&, const TraceProbes&);

} // namespace ss
