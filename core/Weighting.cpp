#include "core/Weighting.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ss {

std::string weightingName(Weighting w)
{
    switch (w) {
    case Weighting::Natural: return "natural";
    case Weighting::Simple: return "simple";
    case Weighting::Ncsn: return "ncsn";
    case Weighting::X0: return "x0";
    case Weighting::V: return "v";
    case Weighting::Edm: return "edm";
    case Weighting::MinSnr: return "min-snr";
    case Weighting::FlowMatching: return "flow-matching";
    }
    return "natural";
}

const std::vector<Weighting>& explicitWeightings()
{
    static const std::vector<Weighting> all{Weighting::Simple, Weighting::Ncsn,   Weighting::X0,
                                            Weighting::V,      Weighting::Edm,    Weighting::MinSnr,
                                            Weighting::FlowMatching};
    return all;
}

Weighting weightingFromName(const std::string& name)
{
    if (name == weightingName(Weighting::Natural)) return Weighting::Natural;
    for (Weighting w : explicitWeightings())
        if (weightingName(w) == name) return w;
    throw InputError("unknown weighting '" + name +
                     "' (expected natural, simple, ncsn, x0, v, edm, min-snr or flow-matching)");
}

Weighting naturalWeighting(Parametrisation p)
{
    switch (p) {
    // The raw score's own MSE weighs eps errors by 1/std^2, dominated by the
    // smallest level; a score network trains with NCSN's sigma^2 instead.
    case Parametrisation::Score:
    case Parametrisation::ScoreOverSigma: return Weighting::Ncsn;
    case Parametrisation::Epsilon: return Weighting::Simple;
    case Parametrisation::X0: return Weighting::X0;
    case Parametrisation::V: return Weighting::V;
    case Parametrisation::Velocity: return Weighting::FlowMatching;
    case Parametrisation::Edm: return Weighting::Edm;
    }
    return Weighting::Simple;
}

Weighting resolveWeighting(Weighting w, Parametrisation p) { return w == Weighting::Natural ? naturalWeighting(p) : w; }

double epsWeight(Weighting w, double lambda, const WeightingParams& params)
{
    const double inverseSnr = std::exp(-lambda);
    switch (w) {
    case Weighting::Natural: break;
    case Weighting::Simple:
    case Weighting::Ncsn: return 1.0;
    case Weighting::X0: return inverseSnr;
    case Weighting::V: return 1.0 + inverseSnr;
    case Weighting::Edm: return 1.0 + inverseSnr / (params.sigmaData * params.sigmaData);
    case Weighting::MinSnr: return std::min(1.0, params.gamma * inverseSnr); // min(SNR, gamma)/SNR
    case Weighting::FlowMatching: {
        const double r = 1.0 + std::exp(-0.5 * lambda);
        return r * r;
    }
    }
    throw std::logic_error("epsWeight: resolve the natural weighting first");
}

double logSnr(const Marginal& m) { return 2.0 * (std::log(m.mean) - std::log(m.std)); }

} // namespace ss
