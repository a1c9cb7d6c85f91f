#pragma once
// Activation functions with their first and second derivatives, applied
// element-wise to Eigen arrays. The second derivative is needed by the
// backward pass through the tangent (Jacobian-vector) pass, which implicit and
// sliced score matching train through.
// ReLU: derivative taken as [z > 0], second derivative 0 (a.e.); finite-
// difference checks must stay away from the kink.
#include <Eigen/Core>

#include <string>

namespace ss {

enum class Activation { SiLU, Softplus, Tanh, ReLU };

std::string activationName(Activation a);        // "silu", "softplus", "tanh", "relu"
Activation activationFromName(const std::string& name); // throws InputError

// h = act(z); when d1 / d2 are not null, *d1 = act'(z), *d2 = act''(z).
// All arrays have z's shape. h may alias z (the network applies it in place):
// every branch must finish d1 and d2 before it writes h.
template <typename Z, typename H, typename D>
inline void applyActivation(Activation a, const Z& z, H& h, D* d1, D* d2)
{
    using Scalar = typename Z::Scalar;
    switch (a) {
    case Activation::SiLU: {
        // sigmoid computed once; silu = z s, silu' = s (1 + z (1 - s)),
        // silu'' = s (1 - s) (2 + z (1 - 2 s)).
        auto s = (Scalar(1) + (-z).exp()).inverse().eval();
        if (d1) *d1 = s * (Scalar(1) + z * (Scalar(1) - s));
        if (d2) *d2 = s * (Scalar(1) - s) * (Scalar(2) + z * (Scalar(1) - Scalar(2) * s));
        h = z * s;
        break;
    }
    case Activation::Softplus: {
        // log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow for large z.
        auto s = (Scalar(1) + (-z).exp()).inverse().eval();
        if (d1) *d1 = s;
        if (d2) *d2 = s * (Scalar(1) - s);
        h = z.max(Scalar(0)) + (-z.abs()).exp().log1p();
        break;
    }
    case Activation::Tanh: {
        auto t = z.tanh().eval();
        if (d1) *d1 = Scalar(1) - t.square();
        if (d2) *d2 = Scalar(-2) * t * (Scalar(1) - t.square());
        h = t;
        break;
    }
    case Activation::ReLU:
        if (d1) *d1 = (z > Scalar(0)).template cast<Scalar>();
        if (d2) d2->setZero(z.rows(), z.cols());
        h = z.max(Scalar(0));
        break;
    }
}

} // namespace ss
