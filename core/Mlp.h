#pragma once
// A fully connected network with hand-written batched forward, backward, and
// forward-mode tangent (Jacobian-vector product) passes.
//
// LAYOUT (the one place it is written down):
//  - Activations are column-major matrices of shape (features x batch): one
//    example per column, its features contiguous.
//  - Layer l maps in_l -> out_l: z = W_l h + b_l, W_l is (out_l x in_l),
//    column-major; hidden layers apply the activation, the last layer is linear.
//  - All parameters live in one flat vector, layer by layer, W_l (column-major)
//    then b_l, so the optimiser, EMA, clipping and files see one array.
//
// Tangents: forward(x, xdot, K) pushes K tangent directions alongside the batch.
// The tape stores, per layer, the input [h | hdot_1 .. hdot_K] side by side
// ((in x (1+K)B)), so each layer is one matrix product over (1+K)B columns.
// The output is [y | ydot_1 .. ydot_K] with ydot_k = J(x) xdot_k.
// backward() takes dL/d[y | ydot_1..K] and accumulates dL/dparams, including the
// second-derivative terms the tangent outputs bring in (for ISM/SSM).
//
// Threading: an Mlp is read-only during forward/backward; each thread brings
// its own Tape and gradient vector.
#include "core/Activation.h"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace ss {

template <typename T>
class MlpT {
public:
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
    using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
    using MatrixMap = Eigen::Map<Matrix>;
    using ConstMatrixMap = Eigen::Map<const Matrix>;
    using VectorMap = Eigen::Map<Vector>;
    using ConstVectorMap = Eigen::Map<const Vector>;
    using Array = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic>;

    // What backward() needs from forward(); reused across calls so the hot loop
    // does not allocate once sizes are stable.
    struct Tape {
        int batch = 0;
        int tangents = 0;
        std::vector<Matrix> input; // per layer: (in_l x (1+K)B)
        std::vector<Array> d1;     // per hidden layer: act'(z), (out_l x B)
        std::vector<Array> d2;     // per hidden layer when K > 0: act''(z)
        std::vector<Matrix> zdot;  // per hidden layer when K > 0: (out_l x KB)
        Matrix output;             // (outputs x (1+K)B)
        Matrix grad, gradNext;     // scratch for backward
        Matrix transposed;         // scratch: W^T of the layer being back-propagated
        Array gz;                  // scratch: dL/dz when K > 0 (kept: a fresh array per
                                   // layer and step cost page faults and heap trims)
        // Optional: W_l^T of every layer from transposeWeights(), shared by the
        // tapes of one step. The caller owns its freshness: it must be remade
        // after every weight change, or left null (backward then transposes).
        const std::vector<Matrix>* transposes = nullptr;
    };

    MlpT() = default;
    // widths = {inputs, hidden..., outputs}, at least {in, out}. Weights and
    // biases uniform in +-1/sqrt(fan_in), drawn from Rng(seed): deterministic.
    MlpT(std::vector<int> widths, Activation activation, std::uint64_t seed);

    const std::vector<int>& widths() const { return widths_; }
    int inputs() const { return widths_.front(); }
    int outputs() const { return widths_.back(); }
    int numLayers() const { return int(widths_.size()) - 1; }
    Activation activation() const { return activation_; }
    Eigen::Index numParams() const { return params_.size(); }

    Vector& params() { return params_; }
    const Vector& params() const { return params_; }
    // Views into params() (valid until params() is resized).
    ConstMatrixMap weight(int layer) const;
    ConstVectorMap bias(int layer) const;
    MatrixMap weight(int layer);
    VectorMap bias(int layer);
    // Same views into any vector shaped like params() (gradients, Adam moments).
    MatrixMap weightIn(Eigen::Ref<Vector> flat, int layer) const;
    VectorMap biasIn(Eigen::Ref<Vector> flat, int layer) const;

    // out[l] = W_l^T for every layer (see Tape::transposes).
    void transposeWeights(std::vector<Matrix>& out) const;

    // Multiply-adds of one forward pass per example (for GFLOP/s reports).
    double forwardMacsPerExample() const;

    // x: (inputs x n), n the columns of this call (a chunk of a batch).
    // xdot: (inputs x K*n), tangent k of example j in column k*n + j; ignored
    // when K = 0. Result in tape.output: [y | ydot_1 .. ydot_K], ydot_k in
    // columns (1+k)*n + j. Throws std::invalid_argument on a size mismatch.
    void forward(const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& xdot, int K,
                 Tape& tape) const;

    // gradOut: (outputs x (1+K)B) = dL/d tape.output. Adds dL/dparams to grads
    // (size numParams()). The tape must come from the last forward().
    // gradInput, when given, gets dL/dx (inputs x B): the input gradient of the
    // primal columns, with the tangent inputs xdot held fixed (the CNF's adjoint).
    void backward(Tape& tape, const Eigen::Ref<const Matrix>& gradOut, Eigen::Ref<Vector> grads,
                  Matrix* gradInput = nullptr) const;

    // Plain inference without a tape: out (outputs x B) = net(x). scratch holds
    // two buffers reused between calls; any B (callers chunk for cache size).
    void evaluate(const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> out, Matrix scratch[2]) const;

    template <typename U>
    MlpT<U> cast() const;

private:
    Eigen::Index offsetW(int layer) const { return offsets_[layer]; }
    Eigen::Index offsetB(int layer) const { return offsets_[layer] + Eigen::Index(widths_[layer + 1]) * widths_[layer]; }

    std::vector<int> widths_;
    std::vector<Eigen::Index> offsets_;
    Activation activation_ = Activation::SiLU;
    Vector params_;
};

template <typename T>
template <typename U>
MlpT<U> MlpT<T>::cast() const
{
    MlpT<U> other(widths_, activation_, 0);
    other.params() = params_.template cast<U>();
    return other;
}

using Mlp = MlpT<float>;

} // namespace ss
