#pragma once
// Loss weightings of the multi-level denoising objectives (docs/reference/objectives.md#weightings),
// each written once as the weight w(lambda) on the epsilon-space error
// |eps_hat - eps|^2 at log-SNR lambda = log(mean^2 / std^2):
//
//   simple         1                              DDPM's L_simple (Ho et al. 2020)
//   ncsn           1                              NCSN's lambda(sigma) = sigma^2 on the score error (Song & Ermon 2019): the same loss
//   x0             e^-lambda                      the x0 error (1/SNR)
//   v              1 + e^-lambda                  the v error (Salimans & Ho 2022)
//   edm            1 + e^-lambda / sd^2           EDM's (sigma^2+sd^2)/(sigma sd)^2 on the x0 error (Karras et al. 2022)
//   min-snr        min(SNR, gamma) / SNR          min-SNR-gamma (Hang et al. 2023), SNR = e^lambda
//   flow-matching  (1 + e^-lambda/2)^2            the linear path's velocity error (Lipman et al. 2023; Liu et al. 2023)
//   natural        the parametrisation's own MSE: score, score-over-sigma -> ncsn, epsilon -> simple,
//                  x0 -> x0, v -> v, velocity -> flow-matching, edm -> edm
//
// The optimum of every weighting is the same at each level (the posterior
// mean, i.e. the exact score): a weighting only moves the network's capacity
// between levels.
#include "core/Parametrisation.h"

#include <string>
#include <vector>

namespace ss {

enum class Weighting { Natural, Simple, Ncsn, X0, V, Edm, MinSnr, FlowMatching };

// "natural", "simple", "ncsn", "x0", "v", "edm", "min-snr", "flow-matching"
std::string weightingName(Weighting w);
Weighting weightingFromName(const std::string& name); // throws InputError
// Every weighting but natural, in the order above (for charts and menus).
const std::vector<Weighting>& explicitWeightings();

// The weighting a parametrisation trains with under `natural`.
Weighting naturalWeighting(Parametrisation p);
Weighting resolveWeighting(Weighting w, Parametrisation p);

struct WeightingParams {
    double sigmaData = 1;   // edm
    double gamma = 5;       // min-snr
};

// w(lambda) on the epsilon-space error; `w` must not be natural (resolve it first).
double epsWeight(Weighting w, double lambda, const WeightingParams& params);

// lambda = log(mean^2 / std^2) of a level (std > 0).
double logSnr(const Marginal& m);

} // namespace ss
