#include "core/SamplerConfig.h"

#include "core/Error.h"

#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

namespace ss {

namespace {

// One table per enum: the names are the CLI's and the files' spelling.
template <typename E>
using NameTable = std::vector<std::pair<E, const char*>>;

const NameTable<SamplerKind> kKinds = {{SamplerKind::Langevin, "langevin"},
                                       {SamplerKind::AnnealedLangevin, "annealed"},
                                       {SamplerKind::Ddpm, "ddpm"},
                                       {SamplerKind::Ddim, "ddim"},
                                       {SamplerKind::ReverseSde, "em"},
                                       {SamplerKind::PredictorCorrector, "pc"},
                                       {SamplerKind::ProbabilityFlow, "ode"},
                                       {SamplerKind::Edm, "edm"},
                                       {SamplerKind::DpmSolver, "dpm-solver"},
                                       {SamplerKind::DpmSolverPp, "dpm-solver++"}};
const NameTable<DdpmVariance> kVariances = {{DdpmVariance::Beta, "beta"}, {DdpmVariance::BetaTilde, "beta-tilde"}};
const NameTable<DdimSpacing> kSpacings = {
    {DdimSpacing::Uniform, "uniform"}, {DdimSpacing::Quadratic, "quadratic"}, {DdimSpacing::Trailing, "trailing"}};
const NameTable<Predictor> kPredictors = {{Predictor::EulerMaruyama, "em"},
                                          {Predictor::ReverseDiffusion, "reverse-diffusion"},
                                          {Predictor::Ancestral, "ancestral"}};
const NameTable<Direction> kDirections = {{Direction::NoiseToData, "noise-to-data"},
                                          {Direction::DataToNoise, "data-to-noise"}};
const NameTable<StartKind> kStarts = {{StartKind::Prior, "prior"}, {StartKind::UniformBox, "uniform"}};
const NameTable<DpmMethod> kDpmMethods = {{DpmMethod::Multistep, "multistep"}, {DpmMethod::Singlestep, "singlestep"}};
const NameTable<DpmSpacing> kDpmSpacings = {{DpmSpacing::LogSnr, "logsnr"}, {DpmSpacing::Time, "time"}};

template <typename E>
std::string nameOf(const NameTable<E>& table, E value)
{
    for (const auto& [e, name] : table)
        if (e == value) return name;
    return "?";
}

template <typename E>
E fromName(const NameTable<E>& table, const std::string& name, const char* what)
{
    std::string choices;
    for (const auto& [e, n] : table) {
        if (name == n) return e;
        choices += (choices.empty() ? "" : ", ") + std::string(n);
    }
    throw InputError("unknown " + std::string(what) + " '" + name + "' (expected one of: " + choices + ")");
}

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

void require(bool ok, const std::string& message)
{
    if (!ok) throw InputError("sampler: " + message);
}

} // namespace

std::string samplerKindName(SamplerKind k) { return nameOf(kKinds, k); }
SamplerKind samplerKindFromName(const std::string& n) { return fromName(kKinds, n, "sampler"); }
std::string ddpmVarianceName(DdpmVariance v) { return nameOf(kVariances, v); }
DdpmVariance ddpmVarianceFromName(const std::string& n) { return fromName(kVariances, n, "DDPM variance"); }
std::string ddimSpacingName(DdimSpacing s) { return nameOf(kSpacings, s); }
DdimSpacing ddimSpacingFromName(const std::string& n) { return fromName(kSpacings, n, "DDIM spacing"); }
std::string predictorName(Predictor p) { return nameOf(kPredictors, p); }
Predictor predictorFromName(const std::string& n) { return fromName(kPredictors, n, "predictor"); }
std::string directionName(Direction d) { return nameOf(kDirections, d); }
Direction directionFromName(const std::string& n) { return fromName(kDirections, n, "direction"); }
std::string startKindName(StartKind s) { return nameOf(kStarts, s); }
StartKind startKindFromName(const std::string& n) { return fromName(kStarts, n, "start"); }
std::string dpmMethodName(DpmMethod m) { return nameOf(kDpmMethods, m); }
DpmMethod dpmMethodFromName(const std::string& n) { return fromName(kDpmMethods, n, "DPM-Solver method"); }
std::string dpmSpacingName(DpmSpacing s) { return nameOf(kDpmSpacings, s); }
DpmSpacing dpmSpacingFromName(const std::string& n) { return fromName(kDpmSpacings, n, "DPM-Solver spacing"); }

void SamplerConfig::validate() const
{
    const auto positive = [](double v) { return v > 0 && std::isfinite(v); };
    require(particles >= 1 && particles <= 10'000'000,
            "particles must be in [1, 10000000] (got " + std::to_string(particles) + ")");
    require(std::isfinite(boxMin) && std::isfinite(boxMax) && boxMin < boxMax,
            "the start box needs finite boxMin < boxMax (got " + num(boxMin) + ", " + num(boxMax) + ")");
    require(positive(stepSize), "step size must be positive and finite (got " + num(stepSize) + ")");
    require(langevinStd >= 0 && std::isfinite(langevinStd),
            "Langevin noise level must be >= 0 and finite (got " + num(langevinStd) + ")");
    require(stepsPerLevel >= 1 && stepsPerLevel <= 1'000'000,
            "steps per level must be in [1, 1000000] (got " + std::to_string(stepsPerLevel) + ")");
    require(annealedLevels >= 1 && annealedLevels <= 10'000,
            "annealed levels must be in [1, 10000] (got " + std::to_string(annealedLevels) + ")");
    require(steps >= 1 && steps <= 10'000'000, "steps must be in [1, 10000000] (got " + std::to_string(steps) + ")");
    require(eta >= 0 && eta <= 1, "DDIM eta must be in [0, 1] (got " + num(eta) + ")");
    require(ddimSteps >= 1 && ddimSteps <= 100'000,
            "DDIM steps must be in [1, 100000] (got " + std::to_string(ddimSteps) + ")");
    require(correctorSteps >= 0 && correctorSteps <= 1000,
            "corrector steps must be in [0, 1000] (got " + std::to_string(correctorSteps) + ")");
    require(positive(snr), "corrector signal-to-noise ratio must be positive (got " + num(snr) + ")");
    require(positive(rtol) && positive(atol), "ODE tolerances must be positive (rtol " + num(rtol) + ", atol " +
                                                  num(atol) + ")");
    require(edmSteps >= 1 && edmSteps <= 100'000,
            "EDM steps must be in [1, 100000] (got " + std::to_string(edmSteps) + ")");
    require(positive(edmRho), "EDM rho must be positive and finite (got " + num(edmRho) + ")");
    require(edmSigmaMin >= 0 && std::isfinite(edmSigmaMin) && edmSigmaMax >= 0 && std::isfinite(edmSigmaMax),
            "EDM sigma_min and sigma_max must be >= 0 (0: the schedule's) and finite (got " + num(edmSigmaMin) +
                ", " + num(edmSigmaMax) + ")");
    require(edmSigmaMin == 0 || edmSigmaMax == 0 || edmSigmaMin < edmSigmaMax,
            "EDM sigma_min must be below sigma_max (got " + num(edmSigmaMin) + ", " + num(edmSigmaMax) + ")");
    require(edmChurn >= 0 && std::isfinite(edmChurn), "EDM S_churn must be >= 0 and finite (got " + num(edmChurn) + ")");
    require(edmTmin >= 0 && std::isfinite(edmTmin) && std::isfinite(edmTmax) && edmTmin <= edmTmax,
            "EDM churn range needs finite 0 <= S_tmin <= S_tmax (got " + num(edmTmin) + ", " + num(edmTmax) + ")");
    require(edmNoise >= 0 && std::isfinite(edmNoise), "EDM S_noise must be >= 0 and finite (got " + num(edmNoise) + ")");
    require(dpmSteps >= 1 && dpmSteps <= 100'000,
            "DPM-Solver steps must be in [1, 100000] (got " + std::to_string(dpmSteps) + ")");
    require(dpmOrder >= 1 && dpmOrder <= 3, "DPM-Solver order must be 1, 2 or 3 (got " + std::to_string(dpmOrder) + ")");
    require(fixCoordinate >= -1 && fixCoordinate <= 1,
            "fixed coordinate must be 0 (x1), 1 (x2) or -1 (off) (got " + std::to_string(fixCoordinate) + ")");
    require(std::isfinite(fixValue), "fixed value must be finite (got " + num(fixValue) + ")");
    require(resampleRounds >= 1 && resampleRounds <= 100,
            "resampling rounds must be in [1, 100] (got " + std::to_string(resampleRounds) + ")");
    require(recordEvery >= 0, "record interval must be >= 0 (got " + std::to_string(recordEvery) + ")");
    require(recordBytes >= 0, "trajectory memory bound must be >= 0");
    const bool encodes = direction == Direction::DataToNoise;
    require(!encodes || kind == SamplerKind::ProbabilityFlow || (kind == SamplerKind::Ddim && eta == 0),
            "only the probability-flow ODE and DDIM with eta = 0 run from data to noise");
    require(!encodes || fixCoordinate < 0, "replacement conditioning runs from noise to data only");
}

} // namespace ss
