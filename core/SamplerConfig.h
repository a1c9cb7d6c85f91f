#pragma once
// What a sampler does (docs/reference/samplers.md): its kind and every option,
// as a value the window edits and the CLI and scene files read. validate() refuses settings
// that cannot run, with a message naming the field; names round-trip through
// the *Name/*FromName pairs (used by the CLI and JSON).
#include "core/OdeSolver.h"

#include <cstdint>
#include <string>

namespace ss {

enum class SamplerKind {
    Langevin,           // fixed noise level: x += (eta/2) s + sqrt(eta) z
    AnnealedLangevin,   // NCSN Algorithm 1 over the VE levels, largest first
    Ddpm,               // ancestral, discrete DDPM schedules
    Ddim,               // S steps on a subsequence, eta
    ReverseSde,         // Euler–Maruyama on the reverse SDE
    PredictorCorrector, // predictor + M Langevin corrector steps with SNR r
    ProbabilityFlow,    // the probability-flow ODE, either direction
    Edm,                // Karras et al. 2022: Heun on EDM's sigma grid (rho), optional churn
    DpmSolver,          // Lu et al. 2022: exponential integrator, noise prediction, order 1-3
    DpmSolverPp         // Lu et al. 2022b: the same in data prediction (DPM-Solver++)
};
enum class DdpmVariance { Beta, BetaTilde };       // sigma_t^2 of the ancestral step
enum class DdimSpacing { Uniform, Quadratic, Trailing };
enum class Predictor { EulerMaruyama, ReverseDiffusion, Ancestral };
enum class Direction { NoiseToData, DataToNoise };
enum class StartKind { Prior, UniformBox };        // where reset() puts the particles
enum class DpmMethod { Multistep, Singlestep };    // DPM-Solver: reuse past outputs, or intermediate points
enum class DpmSpacing { LogSnr, Time };            // DPM-Solver's time grid: uniform in lambda or in t

std::string samplerKindName(SamplerKind k); // langevin annealed ddpm ddim em pc ode edm dpm-solver dpm-solver++
SamplerKind samplerKindFromName(const std::string&);
std::string ddpmVarianceName(DdpmVariance v); // beta, beta-tilde
DdpmVariance ddpmVarianceFromName(const std::string&);
std::string ddimSpacingName(DdimSpacing s); // uniform, quadratic, trailing
DdimSpacing ddimSpacingFromName(const std::string&);
std::string predictorName(Predictor p); // em, reverse-diffusion, ancestral
Predictor predictorFromName(const std::string&);
std::string directionName(Direction d); // noise-to-data, data-to-noise
Direction directionFromName(const std::string&);
std::string startKindName(StartKind s); // prior, uniform
StartKind startKindFromName(const std::string&);
std::string dpmMethodName(DpmMethod m); // multistep, singlestep
DpmMethod dpmMethodFromName(const std::string&);
std::string dpmSpacingName(DpmSpacing s); // logsnr, time
DpmSpacing dpmSpacingFromName(const std::string&);

struct SamplerConfig {
    SamplerKind kind = SamplerKind::AnnealedLangevin;
    int particles = 1000;
    std::uint64_t seed = 0;
    StartKind start = StartKind::Prior; // prior: N(0, priorStd^2 I) of the schedule
    double boxMin = -8, boxMax = 8;     // UniformBox: both coordinates uniform in [boxMin, boxMax]

    // Langevin: step eta, `steps` steps, score at noise std langevinStd (0: clean).
    // Annealed: eps (alpha_l = eps sigma_l^2 / sigma_L^2), stepsPerLevel per level.
    double stepSize = 0.1;
    double langevinStd = 0.0;
    int stepsPerLevel = 100;
    int annealedLevels = 10; // continuous VE schedules: geometric levels to anneal over

    // Fixed-step time grid of em, pc and fixed-step ode (steps over t in [tEnd, 1]);
    // also the step count of plain Langevin.
    int steps = 1000;

    DdpmVariance ddpmVariance = DdpmVariance::Beta;
    double eta = 0.0; // DDIM: 0 deterministic, 1 DDPM-like
    int ddimSteps = 50;
    DdimSpacing spacing = DdimSpacing::Uniform;

    Predictor predictor = Predictor::EulerMaruyama;
    int correctorSteps = 1; // M (0: predictor only)
    double snr = 0.16;      // r

    OdeMethod ode = OdeMethod::Rk45;
    double rtol = 1e-5, atol = 1e-5;
    Direction direction = Direction::NoiseToData; // ode and ddim (eta = 0) also encode

    // EDM (docs/reference/samplers.md#edm): edmSteps = N sigma levels
    // sigma_i = (smax^(1/rho) + i/(N-1) (smin^(1/rho) - smax^(1/rho)))^rho, then sigma_N = 0;
    // Heun's 2nd order on each step, Euler on the last (2N - 1 evaluations).
    // edmSigmaMin 0: the schedule's smallest sigma = std/mean (at the samplers'
    // end time); edmSigmaMax 0: the data's diameter where the score source
    // knows it, at most the schedule's largest (SamplerDefaults edmDefaultSigmaMax).
    // Churn (Algorithm 2): gamma = min(S_churn/N, sqrt2 - 1) where sigma is in
    // [S_tmin, S_tmax], fresh noise of std S_noise sqrt(sigma_hat^2 - sigma^2); S_churn 0: deterministic.
    int edmSteps = 18;
    double edmRho = 7.0;
    double edmSigmaMin = 0.0, edmSigmaMax = 0.0;
    double edmChurn = 0.0, edmTmin = 0.05, edmTmax = 50.0, edmNoise = 1.0;

    // DPM-Solver / DPM-Solver++ (docs/reference/samplers.md#dpm-solver): dpmSteps
    // time steps from t = 1 to the samplers' end time, of order dpmOrder (1: DDIM).
    // Multistep: one evaluation a step (the first and, below 10 steps, the last
    // steps of lower order); single-step: dpmOrder evaluations a step.
    int dpmSteps = 20;
    int dpmOrder = 2;
    DpmMethod dpmMethod = DpmMethod::Multistep;
    DpmSpacing dpmSpacing = DpmSpacing::LogSnr;

    // Replacement / RePaint conditioning: after each reverse step the coordinate
    // fixCoordinate (0: x1, 1: x2; -1: off) is overwritten with a forward-noised
    // copy of fixValue; resampleRounds U > 1 re-noises one step and repeats.
    int fixCoordinate = -1;
    double fixValue = 0.0;
    int resampleRounds = 1;
    // fixPinned: the coordinate is set to mean * fixValue with no noise
    // instead (the conditional score): a Langevin step then moves the free
    // coordinate along d/dx_free log p_level(x_fixed = a, x_free), the score of
    // p_level(x_free | x_fixed = a), so annealed Langevin converges to that law
    // (the Exact target layer's), where replacement only approximates it.
    bool fixPinned = false;

    // Trajectories: every recordEvery-th step (0: off), at most recordBytes kept
    // (oldest frames dropped first).
    int recordEvery = 0;
    long long recordBytes = 64ll << 20;

    // Throws InputError naming the bad field.
    void validate() const;
    bool operator==(const SamplerConfig&) const = default;
};

} // namespace ss
