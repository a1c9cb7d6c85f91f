#pragma once
// A continuous normalizing flow (FFJORD, Grathwohl et al. 2019; neural ODE,
// Chen et al. 2018): a velocity field v_theta(x, t) whose flow carries the
// data to a standard normal.
//
// CONVENTION (docs/reference/cnf.md): time runs from the data at t = 0 to the
// base N(0, I) at t = 1:
//   dz/dt = v(z, t),  z(0) = x;   dl/dt = tr(dv/dz),  l(0) = 0
//   log p(x) = log N(z(1); 0, I) + l(1)
// Sampling integrates dz/dt = v from z(1) ~ N(0, I) back to t = 0.
//
// The network is the project's Mlp with inputs (x1, x2, t) and output v. The
// divergence is exact (the 2x2 Jacobian by two tangent passes) or Hutchinson's
// estimate (1/K) sum_k eps_k^T J eps_k with K probes drawn once per solve
// (Gaussian or Rademacher) and held fixed over it, as the adjoint requires.
//
// Gradients of the mean NLL over a batch: by the adjoint method (an augmented
// ODE integrated backwards, Cnf.cpp) or by backpropagation through every stage
// of a fixed-step solver (CnfBackprop.cpp). Templated on the Mlp's scalar:
// float for training, double for the finite-difference checks.
#include "core/Activation.h"
#include "core/Mlp.h"
#include "core/OdeSolver.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace ss {

class Rng;

enum class TraceEstimator { Exact, Hutchinson };
enum class ProbeKind { Gaussian, Rademacher };
enum class CnfGradient { Adjoint, Backprop };

std::string traceEstimatorName(TraceEstimator e); // "exact", "hutchinson"
TraceEstimator traceEstimatorFromName(const std::string& name); // throws InputError
std::string probeKindName(ProbeKind p);           // "gaussian", "rademacher"
ProbeKind probeKindFromName(const std::string& name);
std::string cnfGradientName(CnfGradient g);       // "adjoint", "backprop"
CnfGradient cnfGradientFromName(const std::string& name);

// The network. Smooth activations only matter for the divergence's gradient
// (it needs act''): ReLU would make it zero.
struct CnfConfig {
    std::vector<int> hidden{64, 64, 64};
    Activation activation = Activation::SiLU;
    std::uint64_t seed = 0;

    static constexpr int kInputs = 3; // x1, x2, t
    // Throws InputError naming the field (1..8 hidden layers of width 1..1024).
    void validate() const;
    std::int64_t numParams() const;
    bool operator==(const CnfConfig&) const = default;
};

// How the flow is integrated and differentiated.
struct CnfSolveConfig {
    TraceEstimator trace = TraceEstimator::Exact;
    int probes = 1;                     // Hutchinson: probes per particle, 1..64
    ProbeKind probe = ProbeKind::Gaussian;
    CnfGradient gradient = CnfGradient::Adjoint;
    OdeMethod method = OdeMethod::Rk4;  // euler, heun, rk4 (fixed steps) or rk45
    int steps = 8;                      // fixed-step methods: steps over [0, 1]
    double rtol = 1e-5, atol = 1e-5;    // rk45

    // Throws InputError naming the field; backprop needs a fixed-step method.
    void validate() const;
    bool operator==(const CnfSolveConfig&) const = default;
};

// The directions the divergence is read along, per particle: K direction
// matrices (2 x B each, side by side: 2 x K*B) and the weight of each, so that
// div = weight * sum_k eps_k^T J eps_k. Exact: e1, e2 with weight 1.
struct TraceProbes {
    int count = 0;
    Eigen::MatrixXd directions;
    double weight = 1;
};
// Draws the probes of one solve for B particles (exact: no randomness used).
TraceProbes makeProbes(const CnfSolveConfig& solve, int B, Rng& rng);

template <typename T>
class CnfNetT {
public:
    using Matrix = typename MlpT<T>::Matrix;
    using Vector = typename MlpT<T>::Vector;
    using Tape = typename MlpT<T>::Tape;

    CnfNetT() : CnfNetT(CnfConfig{}) {}
    explicit CnfNetT(const CnfConfig& config); // validates, initialises from config.seed

    const CnfConfig& config() const { return config_; }
    MlpT<T>& mlp() { return mlp_; }
    const MlpT<T>& mlp() const { return mlp_; }

    // v(z, t) of every column (no tape).
    void velocity(const Eigen::Ref<const Eigen::Matrix2Xd>& z, double t, Eigen::Ref<Eigen::Matrix2Xd> out) const;

    // v and the divergence estimate along the probes; the tape keeps what
    // vectorJacobian() needs.
    void velocityDivergence(const Eigen::Ref<const Eigen::Matrix2Xd>& z, double t, const TraceProbes& probes,
                            Tape& tape, Eigen::Ref<Eigen::Matrix2Xd> v, Eigen::Ref<Eigen::VectorXd> div) const;

    // After velocityDivergence() on this tape: with cotangents az (2 x B) of v
    // and al (B) of div, adds az^T dv/dtheta + al ddiv/dtheta to grads and
    // writes az^T dv/dz + al ddiv/dz into gz (2 x B).
    void vectorJacobian(Tape& tape, const TraceProbes& probes, const Eigen::Ref<const Eigen::Matrix2Xd>& az,
                        const Eigen::Ref<const Eigen::VectorXd>& al, Eigen::Ref<Vector> grads,
                        Eigen::Ref<Eigen::Matrix2Xd> gz) const;

    // The exact Jacobian dv/dz at (z, t): 4 x B, rows J11, J21, J12, J22.
    Eigen::Matrix4Xd jacobian(const Eigen::Ref<const Eigen::Matrix2Xd>& z, double t) const;

    template <typename U>
    CnfNetT<U> cast() const
    {
        CnfNetT<U> other(config_);
        other.mlp().params() = mlp_.params().template cast<U>();
        return other;
    }

private:
    CnfConfig config_;
    MlpT<T> mlp_;
};

using CnfNet = CnfNetT<float>;

// log N(z; 0, I) in 2D.
double standardNormalLogDensity(const Eigen::Vector2d& z);

struct CnfDensity {
    Eigen::VectorXd logDensity; // per point, nats
    Eigen::Matrix2Xd base;      // z(1) of each point
    long long evaluations = 0;  // velocity-and-divergence evaluations (NFE)
};
// log p(x) of each column by integrating [z, l] from t = 0 to 1 with the
// solve's method and trace (probes from rng). Throws InputError when the
// velocity becomes non-finite or rk45's step collapses.
template <typename T>
CnfDensity cnfLogDensity(const CnfNetT<T>& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                         const CnfSolveConfig& solve, Rng& rng);

// Samples: z ~ given base points (2 x n, from N(0, I)) carried from t = 1 to
// t = 0 by dz/dt = v (velocity only). Returns the NFE.
template <typename T>
long long cnfTransportToData(const CnfNetT<T>& net, Eigen::Matrix2Xd& z, const CnfSolveConfig& solve);
// The same flow over any part [t0 -> t1] of it (the window animates a
// sample run piece by piece). Throws InputError as cnfLogDensity.
template <typename T>
long long cnfTransport(const CnfNetT<T>& net, Eigen::Matrix2Xd& z, double t0, double t1, const CnfSolveConfig& solve);

struct CnfGradientResult {
    double loss = 0;            // mean NLL of the batch (nats), from the forward solve
    Eigen::VectorXd gradient;   // d loss / d params
    Eigen::Matrix2Xd inputGradient; // d loss / d x (2 x B)
    long long forwardEvaluations = 0, backwardEvaluations = 0;
    std::int64_t bytesStored = 0; // what the method holds to form the gradient (tapes or ODE state)
};

// The mean NLL of x and its gradient, by solve.gradient, with the given probes
// (fixed over the forward and backward solves).
template <typename T>
CnfGradientResult cnfLossGradient(const CnfNetT<T>& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                                  const CnfSolveConfig& solve, const TraceProbes& probes);

// The two routes (Cnf.cpp, CnfBackprop.cpp); cnfLossGradient dispatches.
template <typename T>
CnfGradientResult cnfAdjointGradient(const CnfNetT<T>& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                                     const CnfSolveConfig& solve, const TraceProbes& probes);
template <typename T>
CnfGradientResult cnfBackpropGradient(const CnfNetT<T>& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x,
                                      const CnfSolveConfig& solve, const TraceProbes& probes);

// Variance of the K-probe Hutchinson estimate of tr J for one particle, from
// its exact Jacobian (columns of CnfNetT::jacobian): with A = (J + J^T)/2,
// Gaussian 2 ||A||_F^2 / K, Rademacher 2 sum_{i != j} A_ij^2 / K.
double hutchinsonVariance(const Eigen::Vector4d& jacobian, ProbeKind probe, int probes);

} // namespace ss
