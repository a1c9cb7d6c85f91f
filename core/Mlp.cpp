#include "core/Mlp.h"

#include "core/Gemm.h"
#include "core/Rng.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace ss {

namespace {

// The three products of a layer. float goes through the AVX2 kernels of
// Gemm.h (they fall back to Eigen for shapes they do not cover); double (the
// gradient-check build) uses Eigen directly.

// out = W in, plus the bias on the first `biased` columns (the primal ones;
// tangent columns carry no bias), then SiLU on those columns when `silu` is
// given (float only: see fusesSilu).
template <typename T, typename W, typename In, typename Bias, typename Out>
void multiplyForward(const W& w, const In& in, const Bias& bias, Eigen::Index biased, Out& out,
                     const gemm::SiluEpilogue* silu = nullptr)
{
    if constexpr (std::is_same_v<T, float>) {
        const int M = int(w.rows()), K = int(w.cols()), ldb = int(in.outerStride()), ldc = int(out.outerStride());
        gemm::multiplyAB(M, int(biased), K, w.data(), int(w.outerStride()), in.data(), 1, ldb, out.data(), ldc, false,
                         bias.data(), silu);
        if (in.cols() > biased)
            gemm::multiplyAB(M, int(in.cols() - biased), K, w.data(), int(w.outerStride()), in.data() + biased * ldb,
                             1, ldb, out.data() + biased * ldc, ldc, false);
    } else {
        out.noalias() = w * in;
        out.leftCols(biased).colwise() += bias;
    }
}

// dW += G in^T
template <typename T, typename G, typename In, typename DW>
void accumulateWeightGradient(const G& g, const In& in, DW&& dw)
{
    if constexpr (std::is_same_v<T, float>) {
        if (g.rows() % 16 != 0 && in.rows() % 16 == 0) {
            // Few output rows (the last layer): dW^T = in G^T runs the wide kernel.
            thread_local typename MlpT<T>::Matrix dwT;
            dwT.resize(in.rows(), g.rows());
            gemm::multiplyAB(int(in.rows()), int(g.rows()), int(g.cols()), in.data(), int(in.outerStride()), g.data(),
                             int(g.outerStride()), 1, dwT.data(), int(dwT.outerStride()), false);
            dw += dwT.transpose();
            return;
        }
        gemm::multiplyAB(int(g.rows()), int(in.rows()), int(g.cols()), g.data(), int(g.outerStride()), in.data(),
                         int(in.outerStride()), 1, dw.data(), int(dw.outerStride()), true);
    } else {
        dw.noalias() += g * in.transpose();
    }
}

// t = w^T in 8 x 8 tiles: Eigen's plain transposed assignment walks one side
// with a stride, a cache miss per element at these sizes (~5% of a training
// step when the copy was made that way).
template <typename W, typename M>
void transposeInto(const W& w, M& t)
{
    constexpr int kTile = 8;
    t.resize(w.cols(), w.rows());
    for (Eigen::Index j0 = 0; j0 < w.cols(); j0 += kTile)
        for (Eigen::Index i0 = 0; i0 < w.rows(); i0 += kTile) {
            const Eigen::Index jn = std::min<Eigen::Index>(kTile, w.cols() - j0);
            const Eigen::Index in = std::min<Eigen::Index>(kTile, w.rows() - i0);
            t.block(j0, i0, jn, in) = w.block(i0, j0, in, jn).transpose();
        }
}

// next = W^T G, through a transposed copy of W so the product runs the same
// broadcast kernel as the forward pass. The copy is the caller's when `shared`
// is given (made once per weight update), else made here into `wt`.
template <typename T, typename W, typename G, typename M>
void multiplyTransposed(const W& w, const G& g, const M* shared, M& wt, M& next)
{
    if constexpr (std::is_same_v<T, float>) {
        next.resize(w.cols(), g.cols());
        if (g.cols() < 48) {
            // Few columns: the copy would cost as much as the product; use dot
            // products of W's and G's contiguous columns instead.
            gemm::multiplyAtB(int(w.cols()), int(g.cols()), int(w.rows()), w.data(), int(w.outerStride()), g.data(),
                              int(g.outerStride()), next.data(), int(next.outerStride()));
            return;
        }
        if (!shared) transposeInto(w, wt);
        const M& t = shared ? *shared : wt;
        gemm::multiplyAB(int(t.rows()), int(g.cols()), int(t.cols()), t.data(), int(t.outerStride()), g.data(), 1,
                         int(g.outerStride()), next.data(), int(next.outerStride()), false);
    } else {
        next.noalias() = w.transpose() * g;
    }
}

// float SiLU layers apply the activation inside the product (multiplyForward's
// epilogue); everything else applies it afterwards with activate().
template <typename T>
bool fusesSilu(Activation a)
{
    return std::is_same_v<T, float> && a == Activation::SiLU;
}

// The epilogue that writes act' and act'' into a tape's arrays (rows x B).
template <typename Array>
gemm::SiluEpilogue siluInto(Array& d1, Array* d2, int rows)
{
    if constexpr (std::is_same_v<typename Array::Scalar, float>)
        return {d1.data(), d2 ? d2->data() : nullptr, rows};
    else
        return {}; // never used: double layers do not fuse
}

// h = act(z) in place on a contiguous block, with act' and act'' when asked,
// by the Eigen expressions of Activation.h (every layer fusesSilu() leaves).
template <typename Block, typename Array>
void activate(Activation a, Block&& block, Array* d1, Array* d2)
{
    auto z = block.array();
    applyActivation(a, z, z, d1, d2);
}

} // namespace

template <typename T>
MlpT<T>::MlpT(std::vector<int> widths, Activation activation, std::uint64_t seed)
    : widths_(std::move(widths)), activation_(activation)
{
    if (widths_.size() < 2)
        throw std::invalid_argument("Mlp needs at least an input and an output width");
    for (int w : widths_)
        if (w < 1) throw std::invalid_argument("Mlp widths must be positive");
    Eigen::Index total = 0;
    offsets_.clear();
    for (int l = 0; l < numLayers(); ++l) {
        offsets_.push_back(total);
        total += Eigen::Index(widths_[l + 1]) * (widths_[l] + 1);
    }
    params_.resize(total);
    Rng rng(seed);
    for (int l = 0; l < numLayers(); ++l) {
        const double bound = 1.0 / std::sqrt(double(widths_[l]));
        const Eigen::Index begin = offsets_[l];
        const Eigen::Index end = begin + Eigen::Index(widths_[l + 1]) * (widths_[l] + 1);
        for (Eigen::Index i = begin; i < end; ++i) params_[i] = T(rng.uniform(-bound, bound));
    }
}

template <typename T>
typename MlpT<T>::ConstMatrixMap MlpT<T>::weight(int layer) const
{
    return ConstMatrixMap(params_.data() + offsetW(layer), widths_[layer + 1], widths_[layer]);
}

template <typename T>
typename MlpT<T>::ConstVectorMap MlpT<T>::bias(int layer) const
{
    return ConstVectorMap(params_.data() + offsetB(layer), widths_[layer + 1]);
}

template <typename T>
typename MlpT<T>::MatrixMap MlpT<T>::weight(int layer)
{
    return MatrixMap(params_.data() + offsetW(layer), widths_[layer + 1], widths_[layer]);
}

template <typename T>
typename MlpT<T>::VectorMap MlpT<T>::bias(int layer)
{
    return VectorMap(params_.data() + offsetB(layer), widths_[layer + 1]);
}

template <typename T>
typename MlpT<T>::MatrixMap MlpT<T>::weightIn(Eigen::Ref<Vector> flat, int layer) const
{
    return MatrixMap(flat.data() + offsetW(layer), widths_[layer + 1], widths_[layer]);
}

template <typename T>
typename MlpT<T>::VectorMap MlpT<T>::biasIn(Eigen::Ref<Vector> flat, int layer) const
{
    return VectorMap(flat.data() + offsetB(layer), widths_[layer + 1]);
}

template <typename T>
void MlpT<T>::transposeWeights(std::vector<Matrix>& out) const
{
    out.resize(numLayers());
    for (int l = 0; l < numLayers(); ++l) transposeInto(weight(l), out[l]);
}

template <typename T>
double MlpT<T>::forwardMacsPerExample() const
{
    double macs = 0;
    for (int l = 0; l < numLayers(); ++l) macs += double(widths_[l]) * widths_[l + 1];
    return macs;
}

template <typename T>
void MlpT<T>::forward(const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& xdot, int K,
                      Tape& tape) const
{
    const Eigen::Index B = x.cols();
    const Eigen::Index cols = (1 + K) * B;
    const int L = numLayers();
    // Always checked (Release builds have no Eigen asserts): a mismatch would
    // read past the end of xdot.
    if (x.rows() != inputs() || K < 0 || (K > 0 && (xdot.rows() != inputs() || xdot.cols() != K * B)))
        throw std::invalid_argument("Mlp::forward: x must be inputs x n and xdot inputs x K*n");
    tape.batch = int(B);
    tape.tangents = K;
    tape.input.resize(L);
    tape.d1.resize(L - 1);
    tape.d2.resize(K > 0 ? L - 1 : 0);
    tape.zdot.resize(K > 0 ? L - 1 : 0);

    Matrix& in0 = tape.input[0];
    in0.resize(inputs(), cols);
    in0.leftCols(B) = x;
    if (K > 0) in0.rightCols(K * B) = xdot;

    for (int l = 0; l < L; ++l) {
        const bool hidden = l + 1 < L;
        Matrix& out = hidden ? tape.input[l + 1] : tape.output;
        out.resize(widths_[l + 1], cols);
        if (!hidden) {
            multiplyForward<T>(weight(l), tape.input[l], bias(l), B, out);
            break;
        }
        Array& d1 = tape.d1[l];
        Array* d2 = K > 0 ? &tape.d2[l] : nullptr;
        if (fusesSilu<T>(activation_)) {
            d1.resize(widths_[l + 1], B);
            if (d2) d2->resize(widths_[l + 1], B);
            const gemm::SiluEpilogue silu = siluInto(d1, d2, widths_[l + 1]);
            multiplyForward<T>(weight(l), tape.input[l], bias(l), B, out, &silu);
        } else {
            multiplyForward<T>(weight(l), tape.input[l], bias(l), B, out);
            activate(activation_, out.leftCols(B), &d1, d2);
        }
        if (K > 0) tape.zdot[l] = out.rightCols(K * B); // pre-activation: tangent columns are not activated
        // hdot = act'(z) * zdot for every tangent direction.
        for (int k = 0; k < K; ++k) out.middleCols((1 + k) * B, B).array() *= d1;
    }
}

template <typename T>
void MlpT<T>::backward(Tape& tape, const Eigen::Ref<const Matrix>& gradOut, Eigen::Ref<Vector> grads,
                       Matrix* gradInput) const
{
    const Eigen::Index B = tape.batch;
    const int K = tape.tangents;
    const int L = numLayers();
    Matrix* g = &tape.grad;
    Matrix* next = &tape.gradNext;
    *g = gradOut;

    for (int l = L - 1; l >= 0; --l) {
        if (l < L - 1) {
            // From dL/d[h | hdot_k] to dL/d[z | zdot_k]:
            //   dz    = dh * act'(z) + sum_k dhdot_k * zdot_k * act''(z)
            //   dzdot_k = dhdot_k * act'(z)
            auto gh = g->leftCols(B).array();
            const auto& d1 = tape.d1[l];
            if (K == 0) {
                gh *= d1;
            } else {
                const auto& d2 = tape.d2[l];
                Array& gz = tape.gz;
                gz = gh * d1;
                for (int k = 0; k < K; ++k) {
                    auto ghdot = g->middleCols((1 + k) * B, B).array();
                    gz += ghdot * tape.zdot[l].middleCols(k * B, B).array() * d2;
                    ghdot *= d1;
                }
                gh = gz;
            }
        }
        accumulateWeightGradient<T>(*g, tape.input[l], weightIn(grads, l));
        biasIn(grads, l) += g->leftCols(B).rowwise().sum();
        if (l > 0) {
            next->resize(widths_[l], g->cols());
            const Matrix* shared = tape.transposes ? &(*tape.transposes)[l] : nullptr;
            multiplyTransposed<T>(weight(l), *g, shared, tape.transposed, *next);
            std::swap(g, next);
        } else if (gradInput) {
            gradInput->noalias() = weight(0).transpose() * g->leftCols(B);
        }
    }
}

template <typename T>
void MlpT<T>::evaluate(const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> out, Matrix scratch[2]) const
{
    const Eigen::Index B = x.cols();
    const int L = numLayers();
    const Matrix* prev = nullptr;
    // Layer l's product into dst, reading x for the first layer.
    auto product = [&](int l, auto& dst, const gemm::SiluEpilogue* act) {
        if (prev) multiplyForward<T>(weight(l), *prev, bias(l), B, dst, act);
        else multiplyForward<T>(weight(l), x, bias(l), B, dst, act);
    };
    const gemm::SiluEpilogue silu; // h only: no derivatives
    for (int l = 0; l + 1 < L; ++l) {
        Matrix& o = scratch[l % 2];
        o.resize(widths_[l + 1], B);
        if (fusesSilu<T>(activation_)) {
            product(l, o, &silu);
        } else {
            product(l, o, nullptr);
            activate(activation_, o, static_cast<Array*>(nullptr), static_cast<Array*>(nullptr));
        }
        prev = &o;
    }
    product(L - 1, out, nullptr); // the output layer is linear
}

template class MlpT<float>;
template class MlpT<double>;

} // namespace ss
