#pragma once
// What Cnf.cpp and CnfBackprop.cpp share (not for other callers): the time
// loop and the size of a tape.
#include "core/Cnf.h"

#include <cstdint>

namespace ss {

// Integrates y from t0 to t1 with solve.method: fixed methods take exactly
// solve.steps steps of (t1 - t0)/steps (landing on each t_n by index, so
// rounding never adds a step); rk45 adapts from a first step of |t1 - t0|/10.
// Returns the F evaluations. Throws InputError on a non-finite velocity, a
// collapsed rk45 step, or more than 100,000 evaluations.
long long integrateCnf(const OdeRhs& f, double t0, double t1, const CnfSolveConfig& solve, Eigen::MatrixXd& y);

// Bytes of the activations a forward pass left on the tape (what reverse mode
// must keep per evaluation).
template <typename T>
std::int64_t tapeBytes(const typename MlpT<T>::Tape& tape)
{
    std::int64_t n = tape.output.size();
    for (const auto& m : tape.input) n += m.size();
    for (const auto& m : tape.d1) n += m.size();
    for (const auto& m : tape.d2) n += m.size();
    for (const auto& m : tape.zdot) n += m.size();
    return n * std::int64_t(sizeof(T));
}

} // namespace ss
