#include "core/Activation.h"

#include "core/Error.h"

namespace ss {

std::string activationName(Activation a)
{
    switch (a) {
    case Activation::SiLU: return "silu";
    case Activation::Softplus: return "softplus";
    case Activation::Tanh: return "tanh";
    case Activation::ReLU: return "relu";
    }
    return "silu";
}

Activation activationFromName(const std::string& name)
{
    for (auto a : {Activation::SiLU, Activation::Softplus, Activation::Tanh, Activation::ReLU})
        if (activationName(a) == name) return a;
    throw InputError("unknown activation '" + name + "' (expected silu, softplus, tanh or relu)");
}

} // namespace ss
