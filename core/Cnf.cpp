#include "core/Cnf.h"

#include "core/CnfSolve.h"
#include "core/Error.h"
#include "core/Rng.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ss {

std::string traceEstimatorName(TraceEstimator e) { return e == TraceEstimator::Exact ? "exact" : "hutchinson"; }

TraceEstimator traceEstimatorFromName(const std::string& name)
{
    for (auto e : {TraceEstimator::Exact, TraceEstimator::Hutchinson})
        if (traceEstimatorName(e) == name) return e;
    throw InputError("unknown trace estimator '" + name + "' (expected exact or hutchinson)");
}

std::string probeKindName(ProbeKind p) { return p == ProbeKind::Gaussian ? "gaussian" : "rademacher"; }

ProbeKind probeKindFromName(const std::string& name)
{
    for (auto p : {ProbeKind::Gaussian, ProbeKind::Rademacher})
        if (probeKindName(p) == name) return p;
    throw InputError("unknown probe '" + name + "' (expected gaussian or rademacher)");
}

std::string cnfGradientName(CnfGradient g) { return g == CnfGradient::Adjoint ? "adjoint" : "backprop"; }

CnfGradient cnfGradientFromName(const std::string& name)
{
    for (auto g : {CnfGradient::Adjoint, CnfGradient::Backprop})
        if (cnfGradientName(g) == name) return g;
    throw InputError("unknown gradient method '" + name + "' (expected adjoint or backprop)");
}

void CnfConfig::validate() const
{
    if (hidden.empty() || hidden.size() > 8)
        throw InputError("cnf hidden: 1 to 8 hidden layers (got " + std::to_string(hidden.size()) + ")");
    for (size_t i = 0; i < hidden.size(); ++i)
        if (hidden[i] < 1 || hidden[i] > 1024)
            throw InputError("cnf hidden layer " + std::to_string(i + 1) + " width must be in [1, 1024] (got " +
                             std::to_string(hidden[i]) + ")");
}

std::int64_t CnfConfig::numParams() const
{
    std::int64_t total = 0, in = kInputs;
    for (int h : hidden) {
        total += (in + 1) * std::int64_t(h);
        in = h;
    }
    return total + (in + 1) * 2;
}

void CnfSolveConfig::validate() const
{
    if (probes < 1 || probes > 64) throw InputError("probes must be in [1, 64] (got " + std::to_string(probes) + ")");
    if (steps < 1 || steps > 100000)
        throw InputError("ode steps must be in [1, 100000] (got " + std::to_string(steps) + ")");
    if (!(rtol > 0 && rtol < 1) || !(atol > 0 && atol < 1))
        throw InputError("rtol and atol must be in (0, 1)");
    if (gradient == CnfGradient::Backprop && method == OdeMethod::Rk45)
        throw InputError("gradient backprop needs a fixed-step solver (euler, heun or rk4), not rk45");
}

TraceProbes makeProbes(const CnfSolveConfig& solve, int B, Rng& rng)
{
    TraceProbes p;
    if (solve.trace == TraceEstimator::Exact) {
        p.count = 2;
        p.directions = Eigen::MatrixXd::Zero(2, 2 * B);
        p.directions.row(0).head(B).setOnes();
        p.directions.row(1).tail(B).setOnes();
        p.weight = 1;
        return p;
    }
    p.count = solve.probes;
    p.directions.resize(2, Eigen::Index(solve.probes) * B);
    for (Eigen::Index j = 0; j < p.directions.cols(); ++j)
        for (int i = 0; i < 2; ++i)
            p.directions(i, j) = solve.probe == ProbeKind::Gaussian ? rng.normal() : (rng.next() >> 63 ? 1.0 : -1.0);
    p.weight = 1.0 / solve.probes;
    return p;
}

template <typename T>
CnfNetT<T>::CnfNetT(const CnfConfig& config) : config_(config)
{
    config_.validate();
    std::vector<int> widths{CnfConfig::kInputs};
    widths.insert(widths.end(), config_.hidden.begin(), config_.hidden.end());
    widths.push_back(2);
    mlp_ = MlpT<T>(widths, config_.activation, config_.seed);
}

template <typename T>
void CnfNetT<T>::velocity(const Eigen::Ref<const Eigen::Matrix2Xd>& z, double t,
                          Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    constexpr Eigen::Index kChunk = 256;
    Matrix in(3, kChunk), y(2, kChunk), scratch[2];
    in.row(2).setConstant(T(t));
    for (Eigen::Index begin = 0; begin < z.cols(); begin += kChunk) {
        const Eigen::Index n = std::min(kChunk, z.cols() - begin);
        in.topLeftCorner(2, n) = z.middleCols(begin, n).template cast<T>();
        auto yn = y.leftCols(n);
        mlp_.evaluate(in.leftCols(n), yn, scratch);
        out.middleCols(begin, n) = yn.template cast<double>();
    }
}

template <typename T>
void CnfNetT<T>::velocityDivergence(const Eigen::Ref<const Eigen::Matrix2Xd>& z, double t, const TraceProbes& probes,
                                    Tape& tape, Eigen::Ref<Eigen::Matrix2Xd> v,
                                    Eigen::Ref<Eigen::VectorXd> div) const
{
    const Eigen::Index B = z.cols();
    const int K = probes.count;
    Matrix in(3, B), dirs = Matrix::Zero(3, K * B);
    in.topRows(2) = z.template cast<T>();
    in.row(2).setConstant(T(t));
    dirs.topRows(2) = probes.directions.template cast<T>(); // the time input has no tangent
    mlp_.forward(in, dirs, K, tape);
    const Matrix& out = tape.output;
    v = out.leftCols(B).template cast<double>();
    div.setZero();
    for (int k = 0; k < K; ++k)
        div += (probes.directions.middleCols(k * B, B).array() *
                out.middleCols((1 + k) * B, B).template cast<double>().array())
                   .colwise()
                   .sum()
                   .matrix()
                   .transpose();
    div *= probes.weight;
}

template <typename T>
void CnfNetT<T>::vectorJacobian(Tape& tape, const TraceProbes& probes, const Eigen::Ref<const Eigen::Matrix2Xd>& az,
                                const Eigen::Ref<const Eigen::VectorXd>& al, Eigen::Ref<Vector> grads,
                                Eigen::Ref<Eigen::Matrix2Xd> gz) const
{
    const Eigen::Index B = az.cols();
    const int K = probes.count;
    // div_j = w sum_k eps_kj . ydot_kj, so dL/dydot_kj = al_j w eps_kj.
    Matrix gradOut(2, (1 + K) * B);
    gradOut.leftCols(B) = az.template cast<T>();
    for (int k = 0; k < K; ++k)
        gradOut.middleCols((1 + k) * B, B) =
            (probes.directions.middleCols(k * B, B).array().rowwise() * (probes.weight * al).transpose().array())
                .matrix()
                .template cast<T>();
    Matrix gin;
    mlp_.backward(tape, gradOut, grads, &gin);
    gz = gin.topRows(2).template cast<double>();
}

template <typename T>
Eigen::Matrix4Xd CnfNetT<T>::jacobian(const Eigen::Ref<const Eigen::Matrix2Xd>& z, double t) const
{
    const Eigen::Index B = z.cols();
    Rng unused(0);
    const TraceProbes e = makeProbes(CnfSolveConfig{}, int(B), unused);
    Tape tape;
    Eigen::Matrix2Xd v(2, B);
    Eigen::VectorXd div(B);
    velocityDivergence(z, t, e, tape, v, div);
    Eigen::Matrix4Xd J(4, B);
    J.topRows(2) = tape.output.middleCols(B, B).template cast<double>();
    J.bottomRows(2) = tape.output.middleCols(2 * B, B).template cast<double>();
    return J;
}

long long integrateCnf(const OdeRhs& f, double t0, double t1, const CnfSolveConfig& solve, Eigen::MatrixXd& y)
{
    constexpr long long kMaxEvaluations = 100000;
    OdeSolver solver(solve.method, solve.rtol, solve.atol);
    if (solve.method != OdeMethod::Rk45) {
        double hNext = 0;
        for (int n = 0; n < solve.steps; ++n) {
            const double a = t0 + (t1 - t0) * n / solve.steps, b = t0 + (t1 - t0) * (n + 1) / solve.steps;
            solver.step(f, a, b, b - a, y, hNext);
        }
        return solver.evaluations();
    }
    double t = t0, h = (t1 - t0) / 10;
    while (t != t1) {
        t = solver.step(f, t, t1, h, y, h);
        if (solver.evaluations() > kMaxEvaluations)
            throw InputError("the flow needed more than " + std::to_string(kMaxEvaluations) +
                             " evaluations (rk45 with rtol " + std::to_string(solve.rtol) + "): too stiff");
    }
    return solver.evaluations();
}

double standardNormalLogDensity(const Eigen::Vector2d& z)
{
    return -0.5 * z.squaredNorm() - std::log(2 * std::numbers::pi);
}

template <typename T>
CnfDensity cnfLogDensity(const CnfNetT<T>& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                         const CnfSolveConfig& solve, Rng& rng)
{
    solve.validate();
    const Eigen::Index B = x.cols();
    const TraceProbes probes = makeProbes(solve, int(B), rng);
    typename CnfNetT<T>::Tape tape;
    Eigen::Matrix2Xd v(2, B);
    Eigen::VectorXd div(B);
    // State rows: z1, z2, l.
    const OdeRhs f = [&](double t, const Eigen::MatrixXd& y, Eigen::MatrixXd& dy) {
        net.velocityDivergence(y.topRows(2), t, probes, tape, v, div);
        dy.topRows(2) = v;
        dy.row(2) = div.transpose();
    };
    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(3, B);
    y.topRows(2) = x;
    CnfDensity r;
    r.evaluations = integrateCnf(f, 0.0, 1.0, solve, y);
    r.base = y.topRows(2);
    r.logDensity.resize(B);
    for (Eigen::Index j = 0; j < B; ++j) r.logDensity(j) = standardNormalLogDensity(r.base.col(j)) + y(2, j);
    return r;
}

template <typename T>
long long cnfTransportToData(const CnfNetT<T>& net, Eigen::Matrix2Xd& z, const CnfSolveConfig& solve)
{
    return cnfTransport(net, z, 1.0, 0.0, solve);
}

template <typename T>
long long cnfTransport(const CnfNetT<T>& net, Eigen::Matrix2Xd& z, double t0, double t1, const CnfSolveConfig& solve)
{
    solve.validate();
    Eigen::Matrix2Xd v(2, z.cols());
    const OdeRhs f = [&](double t, const Eigen::MatrixXd& y, Eigen::MatrixXd& dy) {
        net.velocity(y, t, v);
        dy = v;
    };
    Eigen::MatrixXd y = z;
    const long long nfe = integrateCnf(f, t0, t1, solve, y);
    z = y;
    return nfe;
}

template <typename T>
CnfGradientResult cnfLossGradient(const CnfNetT<T>& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                                  const CnfSolveConfig& solve, const TraceProbes& probes)
{
    return solve.gradient == CnfGradient::Adjoint ? cnfAdjointGradient(net, x, solve, probes)
                                                  : cnfBackpropGradient(net, x, solve, probes);
}

template <typename T>
CnfGradientResult cnfAdjointGradient(const CnfNetT<T>& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                                     const CnfSolveConfig& solve, const TraceProbes& probes)
{
    solve.validate();
    const Eigen::Index B = x.cols(), P = net.mlp().numParams();
    typename CnfNetT<T>::Tape tape;
    Eigen::Matrix2Xd v(2, B), gz(2, B);
    Eigen::VectorXd div(B);
    CnfGradientResult r;

    // Forward: [z, l] from t = 0 to 1.
    const OdeRhs forward = [&](double t, const Eigen::MatrixXd& y, Eigen::MatrixXd& dy) {
        net.velocityDivergence(y.topRows(2), t, probes, tape, v, div);
        dy.topRows(2) = v;
        dy.row(2) = div.transpose();
    };
    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(3, B);
    y.topRows(2) = x;
    r.forwardEvaluations = integrateCnf(forward, 0.0, 1.0, solve, y);
    double loss = 0;
    for (Eigen::Index j = 0; j < B; ++j) loss -= standardNormalLogDensity(y.col(j).head<2>()) + y(2, j);
    r.loss = loss / double(B);

    // Backward (Chen et al. 2018, appendix B): the state [z, a_z, g] from t = 1
    // to 0, with a_z(1) = dL/dz(1) = z(1)/B, g(1) = 0 and a_l = dL/dl = -1/B
    // constant (l feeds nothing back):
    //   dz/dt = v,  da_z/dt = -(a_z^T dv/dz + a_l ddiv/dz),  dg/dt = -(a_z^T dv/dtheta + a_l ddiv/dtheta).
    // Then g(0) = dL/dtheta and a_z(0) = dL/dx. One column: z and a_z are
    // per particle, g is shared.
    const Eigen::VectorXd al = Eigen::VectorXd::Constant(B, -1.0 / double(B));
    typename CnfNetT<T>::Vector gradsT(P);
    const OdeRhs backward = [&](double t, const Eigen::MatrixXd& s, Eigen::MatrixXd& ds) {
        const Eigen::Map<const Eigen::Matrix2Xd> z(s.data(), 2, B), az(s.data() + 2 * B, 2, B);
        net.velocityDivergence(z, t, probes, tape, v, div);
        gradsT.setZero();
        net.vectorJacobian(tape, probes, az, al, gradsT, gz);
        Eigen::Map<Eigen::Matrix2Xd>(ds.data(), 2, B) = v;
        Eigen::Map<Eigen::Matrix2Xd>(ds.data() + 2 * B, 2, B) = -gz;
        ds.bottomRows(P) = -gradsT.template cast<double>();
    };
    Eigen::MatrixXd s = Eigen::MatrixXd::Zero(4 * B + P, 1);
    Eigen::Map<Eigen::Matrix2Xd>(s.data(), 2, B) = y.topRows(2);
    Eigen::Map<Eigen::Matrix2Xd>(s.data() + 2 * B, 2, B) = y.topRows(2) / double(B);
    r.backwardEvaluations = integrateCnf(backward, 1.0, 0.0, solve, s);
    r.gradient = s.bottomRows(P);
    r.inputGradient = Eigen::Map<const Eigen::Matrix2Xd>(s.data() + 2 * B, 2, B);
    // Held at once: one tape and the backward solver's state with its stage
    // buffers (the forward solve's are smaller and freed by then).
    const int stages = OdeSolver(solve.method).stagesPerStep();
    r.bytesStored = tapeBytes<T>(tape) + std::int64_t(stages + 2) * (4 * B + P) * std::int64_t(sizeof(double));
    return r;
}

double hutchinsonVariance(const Eigen::Vector4d& J, ProbeKind probe, int probes)
{
    const double offDiagonal = 0.5 * (J(1) + J(2)); // A_12 = A_21 of A = (J + J^T)/2
    const double v = probe == ProbeKind::Gaussian
                         ? 2 * (J(0) * J(0) + J(3) * J(3) + 2 * offDiagonal * offDiagonal)
                         : 4 * offDiagonal * offDiagonal;
    return v / probes;
}

#define SS_INSTANTIATE_CNF(T)                                                                                         \
    template class CnfNetT<T>;                                                                                       \
    template CnfDensity cnfLogDensity(const CnfNetT<T>&, const Eigen::Ref<const Eigen::Matrix2Xd>&,                  \
                                      const CnfSolveConfig&, Rng&);                                                  \
    template long long cnfTransportToData(const CnfNetT<T>&, Eigen::Matrix2Xd&, const CnfSolveConfig&);              \
    template long long cnfTransport(const CnfNetT<T>&, Eigen::Matrix2Xd&, double, double, const CnfSolveConfig&);   \
    template CnfGradientResult cnfLossGradient(const CnfNetT<T>&, const Eigen::Ref<const Eigen::Matrix2Xd>&,         \
                                               const CnfSolveConfig&, const TraceProbes&);                           \
    template CnfGradientResult cnfAdjointGradient(const CnfNetT<T>&, const Eigen::Ref<const Eigen::Matrix2Xd>&,      \
                                                  const CnfSolveConfig&, const TraceProbes&);
SS_INSTANTIATE_CNF(float)
SS_INSTANTIATE_CNF(double)
#undef SS_INSTANTIATE_CNF

} // namespace ss
