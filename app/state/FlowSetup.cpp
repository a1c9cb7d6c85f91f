#include "state/FlowSetup.h"

#include "core/CnfTrainer.h"
#include "core/Error.h"

#include <cstdio>
#include <string>

namespace ss::app {

namespace {

// "12" for 1.2e10: whole billions, however large (no int cast to overflow).
std::string gigas(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", value / 1e9);
    return text;
}

} // namespace

void FlowSettings::validate() const
{
    model.validate();
    solve.validate();
    optimizer.validate();
    if (model.activation == Activation::ReLU)
        throw InputError("the flow's activation cannot be ReLU: its second derivative is 0, so the divergence "
                         "would not train (use SiLU, softplus or tanh)");
    CnfTrainerConfig{batchSize}.validate();
    if (sampleSteps < 1 || sampleSteps > 1000)
        throw InputError("sample steps must be in [1, 1000] (got " + std::to_string(sampleSteps) + ")");
    if (particles < 1 || particles > 20000)
        throw InputError("flow particles must be in [1, 20000] (got " + std::to_string(particles) + ")");
    if (evalPoints < 16 || evalPoints > 100000)
        throw InputError("held-out points must be in [16, 100000] (got " + std::to_string(evalPoints) + ")");
    if (evalEvery < 1) throw InputError("steps between NLLs must be at least 1");
    if (!(optimizer.learningRate >= kMinLearningRate))
        throw InputError("the flow's learning rate must be at least 1e-6");
    if (solve.method == OdeMethod::Rk45 && !(solve.rtol >= kMinTolerance && solve.rtol <= kMaxTolerance))
        throw InputError("the flow's RK45 tolerance must be in [1e-6, 0.1]");
    // What one step costs, so that no setting can take the machine down (an
    // out-of-memory kill is not an exception) or hold the flow's thread for
    // minutes: the activations kept per evaluation (backprop keeps one tape
    // per stage and step), and multiply-adds over a typical solve.
    double units = 0, products = 0;
    int previous = CnfConfig::kInputs;
    for (int w : model.hidden) {
        units += w;
        products += double(previous) * w;
        previous = w;
    }
    products += 2.0 * previous;
    const double directions = solve.trace == TraceEstimator::Exact ? 3 : solve.probes + 1; // value + tangents
    const int stages = solve.method == OdeMethod::Euler ? 1 : solve.method == OdeMethod::Heun ? 2 : solve.method == OdeMethod::Rk4 ? 4 : 6;
    const double evaluations = solve.method == OdeMethod::Rk45 ? 60 : double(solve.steps) * stages;
    const double tapes = solve.gradient == CnfGradient::Backprop ? evaluations : 2;
    const double bytes = 4.0 * 4.0 * batchSize * units * directions * tapes;
    if (bytes > kMaxStepBytes)
        throw InputError("the flow's step would hold about " + gigas(bytes) +
                         " GB (batch × widths × divergence directions" +
                         (solve.gradient == CnfGradient::Backprop ? std::string(" × solver stages") : std::string()) +
                         "): use a smaller batch, network or " +
                         (solve.gradient == CnfGradient::Backprop ? "fewer steps, or the adjoint" : "fewer probes"));
    const double flops = 2.0 * batchSize * products * directions * evaluations * 3; // forward + adjoint solve
    if (flops > kMaxStepFlops)
        throw InputError("one flow step would take minutes (about " + gigas(flops) +
                         " GFLOP: batch × network × divergence directions × solver evaluations): use a smaller "
                         "batch, network, fewer probes or steps");
}

} // namespace ss::app
