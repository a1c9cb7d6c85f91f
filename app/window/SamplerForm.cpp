#include "window/SamplerForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QObject>
#include <QSpinBox>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <type_traits>

namespace ss::window {

namespace {
using K = SamplerKind;
using Setup = app::SamplingSetup;
using Applies = std::function<bool(const SamplerConfig&)>;

template <class T>
double toNumber(T v)
{
    if constexpr (std::is_enum_v<T>)
        return double(int(v));
    else
        return double(v);
}

template <class T>
T fromNumber(double v)
{
    if constexpr (std::is_enum_v<T>)
        return T(int(std::lround(v)));
    else if constexpr (std::is_same_v<T, bool>)
        return v != 0;
    else if constexpr (std::is_integral_v<T>)
        return T(std::llround(v));
    else
        return T(v);
}

// A field of the sampler's config, or of the setup around it.
template <class T>
SamplerField ofSampler(T SamplerConfig::*member)
{
    return {[member](const Setup& s) { return toNumber(s.sampler.*member); },
            [member](Setup& s, double v) { s.sampler.*member = fromNumber<T>(v); }};
}
template <class T>
SamplerField ofSetup(T Setup::*member)
{
    return {[member](const Setup& s) { return toNumber(s.*member); },
            [member](Setup& s, double v) { s.*member = fromNumber<T>(v); }};
}

// A field of a part of the setup (its guidance, its SDEdit start).
template <class Part, class T>
SamplerField ofSetupPart(Part Setup::*part, T Part::*member)
{
    return {[part, member](const Setup& s) { return toNumber(s.*part.*member); },
            [part, member](Setup& s, double v) { s.*part.*member = fromNumber<T>(v); }};
}

Applies kinds(std::initializer_list<K> list)
{
    return [chosen = std::vector<K>(list)](const SamplerConfig& c) {
        return std::find(chosen.begin(), chosen.end(), c.kind) != chosen.end();
    };
}

QString kindTitle(K k)
{
    switch (k) {
    case K::Langevin: return QObject::tr("Langevin (one level)");
    case K::AnnealedLangevin: return QObject::tr("Annealed Langevin");
    case K::Ddpm: return QObject::tr("DDPM ancestral");
    case K::Ddim: return QObject::tr("DDIM");
    case K::ReverseSde: return QObject::tr("Reverse SDE (Euler–Maruyama)");
    case K::PredictorCorrector: return QObject::tr("Predictor–corrector");
    case K::ProbabilityFlow: return QObject::tr("Probability-flow ODE");
    case K::Edm: return QObject::tr("EDM (Heun, σ grid)");
    case K::DpmSolver: return QObject::tr("DPM-Solver (ε prediction)");
    case K::DpmSolverPp: return QObject::tr("DPM-Solver++ (x₀ prediction)");
    }
    return {};
}

std::vector<std::pair<QString, int>> kindChoices()
{
    std::vector<std::pair<QString, int>> out;
    for (K k : {K::Langevin, K::AnnealedLangevin, K::Ddpm, K::Ddim, K::ReverseSde, K::PredictorCorrector,
                K::ProbabilityFlow, K::Edm, K::DpmSolver, K::DpmSolverPp})
        out.emplace_back(kindTitle(k), int(k));
    return out;
}

// EDM's and DPM-Solver's options (docs/reference/samplers.md#edm, #dpm-solver).
std::vector<SamplerRow> fastSamplerRows()
{
    using W = SamplerRow::Widget;
    const auto tr = [](const char* text) { return QObject::tr(text); };
    const Applies edm = kinds({K::Edm}), dpm = kinds({K::DpmSolver, K::DpmSolverPp});
    const Applies churn = [](const SamplerConfig& c) { return c.kind == K::Edm && c.edmChurn > 0; };
    return {
        {.name = "edmSteps",
         .label = tr("EDM steps"),
         .tooltip = tr("N: σ levels σ₀ > … > σ_{N−1}, then σ_N = 0. Heun's 2nd order on each step, Euler\n"
                       "on the last: 2N − 1 score evaluations (18 steps: 35, as in Karras et al. 2022)"),
         .widget = W::Integer, .lo = 1, .hi = 100000, .initial = 18, .appliesTo = edm,
         .field = ofSampler(&SamplerConfig::edmSteps)},
        {.name = "edmRho",
         .label = tr("ρ"),
         .tooltip = tr("σ_i = (σ_max^(1/ρ) + i/(N−1)·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ: larger ρ puts more steps\n"
                       "at low noise (7: EDM's choice; 1: uniform in σ)"),
         .widget = W::Real, .lo = 0.1, .hi = 100, .decimals = 2, .initial = 7, .appliesTo = edm,
         .field = ofSampler(&SamplerConfig::edmRho)},
        {.name = "edmSigmaMin",
         .label = tr("σ_min"),
         .tooltip = tr("The grid's smallest σ = std/mean (0: the schedule's, at the samplers' end time)"),
         .widget = W::Real, .lo = 0, .hi = 1e6, .decimals = 4, .initial = 0, .appliesTo = edm,
         .field = ofSampler(&SamplerConfig::edmSigmaMin)},
        {.name = "edmSigmaMax",
         .label = tr("σ_max"),
         .tooltip = tr("The grid's largest σ = std/mean (0: the data's diameter or 30·|mean|, at most the schedule's largest)"),
         .widget = W::Real, .lo = 0, .hi = 1e6, .decimals = 3, .initial = 0, .appliesTo = edm,
         .field = ofSampler(&SamplerConfig::edmSigmaMax)},
        {.name = "edmChurn",
         .label = tr("S_churn"),
         .tooltip = tr("Stochastic EDM (Algorithm 2): each step first raises σ to σ̂ = σ(1 + γ),\n"
                       "γ = min(S_churn/N, √2 − 1), with fresh noise. 0: deterministic Heun.\n"
                       "Churn needs more steps to pay off (try 50 steps)."),
         .widget = W::Real, .lo = 0, .hi = 1000, .decimals = 1, .initial = 0, .appliesTo = edm,
         .field = ofSampler(&SamplerConfig::edmChurn)},
        {.name = "edmTmin",
         .label = tr("S_tmin"),
         .tooltip = tr("Churn only where σ ≥ S_tmin"),
         .widget = W::Real, .lo = 0, .hi = 1e6, .decimals = 3, .initial = 0.05, .appliesTo = churn,
         .field = ofSampler(&SamplerConfig::edmTmin)},
        {.name = "edmTmax",
         .label = tr("S_tmax"),
         .tooltip = tr("Churn only where σ ≤ S_tmax"),
         .widget = W::Real, .lo = 0, .hi = 1e6, .decimals = 2, .initial = 50, .appliesTo = churn,
         .field = ofSampler(&SamplerConfig::edmTmax)},
        {.name = "edmNoise",
         .label = tr("S_noise"),
         .tooltip = tr("The churn noise's scale (1 with the exact score; EDM used 1.003–1.007 for networks)"),
         .widget = W::Real, .lo = 0, .hi = 10, .decimals = 3, .initial = 1, .appliesTo = churn,
         .field = ofSampler(&SamplerConfig::edmNoise)},
        {.name = "dpmSteps",
         .label = tr("DPM-Solver steps"),
         .tooltip = tr("Time steps from t = 1 to the end time. Multistep: one score evaluation a step;\n"
                       "single-step: one per order"),
         .widget = W::Integer, .lo = 1, .hi = 100000, .initial = 20, .appliesTo = dpm,
         .field = ofSampler(&SamplerConfig::dpmSteps)},
        {.name = "dpmOrder",
         .label = tr("Order"),
         .tooltip = tr("1: DDIM (η = 0) exactly; 2, 3: the exponential integrator's higher orders"),
         .widget = W::Integer, .lo = 1, .hi = 3, .initial = 2, .appliesTo = dpm,
         .field = ofSampler(&SamplerConfig::dpmOrder)},
        {.name = "dpmMethod",
         .label = tr("Method"),
         .tooltip = tr("Multistep: reuses the last steps' predictions (one evaluation a step; warm-up at the\n"
                       "start and, below 10 steps, lower order at the end). Single-step: evaluates at\n"
                       "intermediate points inside each step"),
         .widget = W::Choice,
         .choices = {{tr("Multistep"), int(DpmMethod::Multistep)}, {tr("Single-step"), int(DpmMethod::Singlestep)}},
         .initial = int(DpmMethod::Multistep), .appliesTo = dpm,
         .field = ofSampler(&SamplerConfig::dpmMethod)},
        {.name = "dpmSpacing",
         .label = tr("Time grid"),
         .tooltip = tr("Uniform in λ = log(mean/std) (half the log-SNR; DPM-Solver's default) or in t"),
         .widget = W::Choice,
         .choices = {{tr("Uniform in λ (log-SNR)"), int(DpmSpacing::LogSnr)}, {tr("Uniform in t"), int(DpmSpacing::Time)}},
         .initial = int(DpmSpacing::LogSnr), .appliesTo = dpm,
         .field = ofSampler(&SamplerConfig::dpmSpacing)},
    };
}

std::vector<SamplerRow> buildRows()
{
    using W = SamplerRow::Widget;
    const auto tr = [](const char* text) { return QObject::tr(text); };
    // Fixed-step time grid: plain Langevin's step count, em, pc, a fixed-step ODE.
    const Applies fixedGrid = [](const SamplerConfig& c) {
        return c.kind == K::Langevin || c.kind == K::ReverseSde || c.kind == K::PredictorCorrector ||
            (c.kind == K::ProbabilityFlow && c.ode != OdeMethod::Rk45);
    };
    const Applies conditioned = [](const SamplerConfig& c) { return c.fixCoordinate >= 0; };
    const auto guided = [](const Setup& s) { return s.guidance.kind != GuidanceKind::None; };
    const auto stroke = [](const Setup& s) { return s.sdedit.points != nullptr; };
    const auto sdediting = [](const Setup& s) { return s.sdedit.active(); };
    const Applies adaptiveOde = [](const SamplerConfig& c) {
        return c.kind == K::ProbabilityFlow && c.ode == OdeMethod::Rk45;
    };
    std::vector<SamplerRow> rows{
        {.name = "samplerKind",
         .label = tr("Sampler"),
         .tooltip = tr("How particles move from noise to data: Langevin dynamics at one σ, annealed over the σ levels,\n"
                       "an ancestral DDPM step, DDIM, the reverse SDE, predictor–corrector or the probability-flow ODE"),
         .widget = W::Choice,
         .choices = kindChoices(),
         .initial = int(K::Langevin),
         .field = ofSampler(&SamplerConfig::kind)},
        {.name = "scoreSource",
         .label = tr("Score"),
         .tooltip = tr("Exact: the sampler's own error alone; learned: plus the network's"),
         .widget = W::Choice,
         .choices = {{tr("Learned score"), int(app::SourceKind::Learned)},
                     {tr("Exact score"), int(app::SourceKind::Exact)}},
         .initial = int(app::SourceKind::Learned),
         .field = ofSetup(&Setup::source),
         .emits = SamplerRow::Emits::Source},
        {.name = "particles",
         .label = tr("Particles"),
         .tooltip = tr("N: the number of particles sampled together (each an independent draw)"),
         .widget = W::Integer,
         .lo = 1,
         .hi = 200000,
         .initial = 2000,
         .field = ofSampler(&SamplerConfig::particles)},
        {.name = "start",
         .label = tr("Start from"),
         .tooltip = tr("Prior: N(0, σ_max² I) for VE schedules, N(0, I) for VP ones"),
         .widget = W::Choice,
         .choices = {{tr("The prior"), int(StartKind::Prior)},
                     {tr("Uniform in a box"), int(StartKind::UniformBox)}},
         .initial = int(StartKind::Prior),
         .field = ofSampler(&SamplerConfig::start)},
        // SDEdit (Data dock: the "SDEdit" draw tool): shown once a stroke is drawn.
        {.name = "sdedit",
         .label = tr("SDEdit the drawn stroke"),
         .tooltip = tr("Start from the stroke drawn with the Data dock's SDEdit tool, noised to t₀ by the forward\n"
                       "process, then denoised by the sampler (Meng et al. 2022). The Exact target layer shows exact\n"
                       "draws of p(x₀ | x_t₀) from the same noised points: what an exact reverse process would give.\n"
                       "Untick to start from the prior again."),
         .widget = W::Check,
         .initial = 0,
         .setupApplies = stroke,
         .field = ofSetupPart(&Setup::sdedit, &app::SdeditStart::on)},
        {.name = "sdeditT0",
         .label = tr("SDEdit t₀"),
         .tooltip = tr("How far the stroke is noised before denoising: t₀ near 0 keeps it (little noise),\n"
                       "t₀ = 1 forgets it (pure noise). The realism–faithfulness trade-off of SDEdit."),
         .widget = W::Real,
         .lo = 0.01,
         .hi = 1,
         .decimals = 2,
         .initial = 0.5,
         .setupApplies = sdediting,
         .field = ofSetupPart(&Setup::sdedit, &app::SdeditStart::t0)},
        {.name = "stepsPerFrame",
         .label = tr("Steps per frame"),
         .tooltip = tr("Sampler steps taken between two pictures: higher runs faster, lower shows more of the path"),
         .widget = W::Integer,
         .lo = 1,
         .hi = 1000,
         .initial = 5,
         .field = ofSetup(&Setup::stepsPerTick)},
        {.name = "trailLength",
         .label = tr("Trail length"),
         .tooltip = tr("Positions kept per particle for its fading trail (1: none; the Trails layer draws them)"),
         .widget = W::Integer,
         .lo = 1,
         .hi = 200,
         .initial = 12,
         .field = ofSetup(&Setup::trailLength)},
        {.name = "loop",
         .label = tr("Start again when a run ends"),
         .tooltip = tr("When the run reaches the data end (t = 0 or σ_min), start again from the prior"),
         .widget = W::Check,
         .initial = 0,
         .field = ofSetup(&Setup::loop)},
        {.name = "samplerSeed",
         .label = tr("Seed"),
         .tooltip = tr("Seed of the start points and the noise z: the same seed repeats a run exactly"),
         .widget = W::Integer,
         .lo = 0,
         .hi = 1000000,
         .initial = 0,
         .field = ofSampler(&SamplerConfig::seed)},
        {.name = "stepSize",
         .label = tr("Step size (ε / η)"),
         .tooltip =
             tr("Langevin: x' = x + η/2·s(x, σ) + √η·z with the step η. Annealed: ε, with α_l = ε σ_l² / σ_L²\n"
                "and x' = x + α_l/2·s(x, σ_l) + √α_l·z.\n"
                "Until you type one it follows the schedule: relative step a = η / width² chosen so the\n"
                "particles reach each level's width within its steps (Song & Ermon 2020, technique 4;\n"
                "a ≤ 1/2, stable below 4); ε = a σ_L², η = a (σ² + the narrowest mode's variance)."),
         .widget = W::Real,
         .lo = 1e-9,
         .hi = 10,
         .decimals = 9,
         .initial = 5e-4,
         .appliesTo = kinds({K::Langevin, K::AnnealedLangevin}),
         .field = ofSampler(&SamplerConfig::stepSize)},
        {.name = "langevinStd",
         .label = tr("Score at σ"),
         .tooltip = tr("The noise level of the score plain Langevin follows (0: the clean data).\n"
                       "Until you type one: a single-σ model's own σ, else the schedule's smallest σ."),
         .widget = W::Real,
         .lo = 0,
         .hi = 100,
         .decimals = 4,
         .initial = 0,
         .appliesTo = kinds({K::Langevin}),
         .field = ofSampler(&SamplerConfig::langevinStd)},
        {.name = "stepsPerLevel",
         .label = tr("Steps per level"),
         .tooltip = tr("T: Langevin steps at each σ_l before moving to the next level\n"
                       "(x' = x + α_l/2·s(x, σ_l) + √α_l·z, T times per level)"),
         .widget = W::Integer,
         .lo = 1,
         .hi = 10000,
         .initial = 30,
         .appliesTo = kinds({K::AnnealedLangevin}),
         .field = ofSampler(&SamplerConfig::stepsPerLevel)},
        {.name = "annealedLevels",
         .label = tr("Levels (continuous VE)"),
         .tooltip = tr("Continuous VE schedules: geometric levels to anneal over"),
         .widget = W::Integer,
         .lo = 1,
         .hi = 1000,
         .initial = 10,
         .appliesTo = kinds({K::AnnealedLangevin}),
         .field = ofSampler(&SamplerConfig::annealedLevels)},
        {.name = "timeSteps",
         .label = tr("Time steps"),
         .tooltip = tr("N: steps over t ∈ [t_end, 1] (a fixed grid); for plain Langevin the number of steps"),
         .widget = W::Integer,
         .lo = 1,
         .hi = 100000,
         .initial = 300,
         .appliesTo = fixedGrid,
         .field = ofSampler(&SamplerConfig::steps)},
        {.name = "ddpmVariance",
         .label = tr("Variance"),
         .tooltip = tr("The variance σ_t² of the ancestral step's noise: β_t (Ho et al.'s choice for x_0 ~ N(0, I))\n"
                       "or the posterior's β̃_t = (1 − ᾱ_{t−1})/(1 − ᾱ_t)·β_t"),
         .widget = W::Choice,
         .choices = {{tr("σ² = β_t"), int(DdpmVariance::Beta)},
                     {tr("σ² = β̃_t (posterior)"), int(DdpmVariance::BetaTilde)}},
         .initial = int(DdpmVariance::Beta),
         .appliesTo = kinds({K::Ddpm}),
         .field = ofSampler(&SamplerConfig::ddpmVariance)},
        {.name = "ddimSteps",
         .label = tr("DDIM steps"),
         .tooltip = tr("S: DDIM visits S of the T levels (the spacing chooses which)"),
         .widget = W::Integer,
         .lo = 1,
         .hi = 100000,
         .initial = 50,
         .appliesTo = kinds({K::Ddim}),
         .field = ofSampler(&SamplerConfig::ddimSteps)},
        {.name = "eta",
         .label = tr("DDIM η"),
         .tooltip = tr("η ∈ [0, 1]: the noise of each DDIM step; σ_t = η·√((1 − ᾱ_{t−1})/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_{t−1}).\n"
                       "0: deterministic (an ODE solver), 1: like DDPM"),
         .widget = W::Real,
         .lo = 0,
         .hi = 1,
         .decimals = 2,
         .initial = 0,
         .appliesTo = kinds({K::Ddim}),
         .field = ofSampler(&SamplerConfig::eta)},
        {.name = "ddimSpacing",
         .label = tr("Spacing"),
         .tooltip = tr("Uniform: levels 1 + (i−1)T/S, from 1 up to 1 + (S−1)T/S.\n"
                       "Trailing: iT/S, reaching T: use it to encode data → noise.\n"
                       "Quadratic: denser at low noise, up to 1 + 0.8T."),
         .widget = W::Choice,
         .choices = {{tr("Uniform"), int(DdimSpacing::Uniform)},
                     {tr("Quadratic"), int(DdimSpacing::Quadratic)},
                     {tr("Trailing"), int(DdimSpacing::Trailing)}},
         .initial = int(DdimSpacing::Uniform),
         .appliesTo = kinds({K::Ddim}),
         .field = ofSampler(&SamplerConfig::spacing)},
        {.name = "predictor",
         .label = tr("Predictor"),
         .tooltip = tr("The predictor step of PC sampling: Euler–Maruyama on the reverse SDE, reverse diffusion\n"
                       "(the forward discretisation reversed) or ancestral (DDPM's step)"),
         .widget = W::Choice,
         .choices = {{tr("Euler–Maruyama"), int(Predictor::EulerMaruyama)},
                     {tr("Reverse diffusion"), int(Predictor::ReverseDiffusion)},
                     {tr("Ancestral"), int(Predictor::Ancestral)}},
         .initial = int(Predictor::EulerMaruyama),
         .appliesTo = kinds({K::PredictorCorrector}),
         .field = ofSampler(&SamplerConfig::predictor)},
        {.name = "correctorSteps",
         .label = tr("Corrector steps"),
         .tooltip = tr("M: Langevin corrector steps after each predictor step (0: the predictor alone)"),
         .widget = W::Integer,
         .lo = 0,
         .hi = 100,
         .initial = 1,
         .appliesTo = kinds({K::PredictorCorrector}),
         .field = ofSampler(&SamplerConfig::correctorSteps)},
        {.name = "snr",
         .label = tr("Corrector SNR"),
         .tooltip = tr("r: the corrector's signal-to-noise ratio; its step ε = 2α·(r·|z| / |s|)²,\n"
                       "x' = x + ε·s + √(2ε)·z (Song et al. 2021)"),
         .widget = W::Real,
         .lo = 0.001,
         .hi = 10,
         .decimals = 3,
         .initial = 0.16,
         .appliesTo = kinds({K::PredictorCorrector}),
         .field = ofSampler(&SamplerConfig::snr)},
        {.name = "odeMethod",
         .label = tr("ODE method"),
         .tooltip = tr("How dx/dt = f(x, t) − ½ g(t)² s(x, t) is integrated: Euler (1 score per step), Heun (2),\n"
                       "RK4 (4), or RK45 with adaptive steps (Dormand–Prince)"),
         .widget = W::Choice,
         .choices = {{tr("Euler"), int(OdeMethod::Euler)},
                     {tr("Heun"), int(OdeMethod::Heun)},
                     {tr("RK4"), int(OdeMethod::Rk4)},
                     {tr("RK45, adaptive"), int(OdeMethod::Rk45)}},
         .initial = int(OdeMethod::Euler),
         .appliesTo = kinds({K::ProbabilityFlow}),
         .field = ofSampler(&SamplerConfig::ode)},
        {.name = "rtol",
         .label = tr("Relative tolerance"),
         .tooltip = tr("RK45: the relative error allowed per step (with the absolute tolerance: err ≤ atol + rtol·|x|)"),
         .widget = W::Real,
         .lo = 1e-9,
         .hi = 0.1,
         .decimals = 9,
         .initial = 1e-5,
         .appliesTo = adaptiveOde,
         .field = ofSampler(&SamplerConfig::rtol)},
        {.name = "atol",
         .label = tr("Absolute tolerance"),
         .tooltip = tr("RK45: the absolute error allowed per step (err ≤ atol + rtol·|x|)"),
         .widget = W::Real,
         .lo = 1e-9,
         .hi = 0.1,
         .decimals = 9,
         .initial = 1e-5,
         .appliesTo = adaptiveOde,
         .field = ofSampler(&SamplerConfig::atol)},
        {.name = "direction",
         .label = tr("Direction"),
         .tooltip =
             tr("Encoding starts from the data set's points.\n"
                "DDIM encoding ends at the spacing's last level: 1 + (S−1)T/S with Uniform\n"
                "(981 of 1000 for S = 50: latents of variance ≈ 0.82), T with Trailing (latents ≈ N(0, I))"),
         .widget = W::Choice,
         .choices = {{tr("Noise → data (sample)"), int(Direction::NoiseToData)},
                     {tr("Data → noise (encode)"), int(Direction::DataToNoise)}},
         .initial = int(Direction::NoiseToData),
         .appliesTo = kinds({K::ProbabilityFlow, K::Ddim}),
         .field = ofSampler(&SamplerConfig::direction)},
        // Replacement / RePaint conditioning (every sampler, noise to data only:
        // the worker refuses it with encoding, saying so).
        {.name = "fixCoordinate",
         .label = tr("Condition on"),
         .tooltip =
             tr("Replacement conditioning: after every step the chosen coordinate is overwritten with a\n"
                "forward-noised copy of the fixed value, so the particles sample (approximately)\n"
                "p(x | x_j = value); the Exact target layer draws the true law. Sampling only\n"
                "(noise → data)."),
         .widget = W::Choice,
         .choices = {{tr("Nothing"), -1}, {tr("x₁ = value"), 0}, {tr("x₂ = value"), 1}},
         .initial = -1,
         .field = ofSampler(&SamplerConfig::fixCoordinate)},
        {.name = "fixValue",
         .label = tr("Fixed value"),
         .tooltip = tr("The value v of the fixed coordinate: the particles sample p(x | x_j = v)"),
         .widget = W::Real,
         .lo = -100,
         .hi = 100,
         .decimals = 3,
         .initial = 0,
         .appliesTo = conditioned,
         .field = ofSampler(&SamplerConfig::fixValue)},
        {.name = "resampleRounds",
         .label = tr("Resampling rounds"),
         .tooltip = tr("RePaint: U > 1 re-noises each step and repeats it U times; more rounds usually\n"
                       "come closer to the conditional (and cost U times the score evaluations)."),
         .widget = W::Integer,
         .lo = 1,
         .hi = 100,
         .initial = 1,
         .appliesTo = conditioned,
         .field = ofSampler(&SamplerConfig::resampleRounds)},
        {.name = "fixPinned",
         .label = tr("Pin it exactly (conditional score)"),
         .tooltip = tr("Keep the coordinate at exactly m·a, with no noise, instead of a noised copy:\n"
                       "each Langevin step then follows the score of p_σ(x_free | x_fixed = a), so annealed\n"
                       "Langevin (or predictor–corrector's corrector) converges to the exact target the layer\n"
                       "draws. Replacement only approximates it: the gap between the two is the lesson."),
         .widget = W::Check,
         .initial = 0,
         .appliesTo = conditioned,
         .field = ofSampler(&SamplerConfig::fixPinned)},
        // Guidance (core/Guidance.h): wraps the score, any sampler.
        {.name = "guidance",
         .label = tr("Guidance"),
         .tooltip = tr("Steer the run towards one class, following the score of the tilted target\n"
                       "p(x) p(y | x)^γ (the Exact target layer draws it):\n"
                       "Classifier: s + γ ∇log p(y | x) with the exact noisy classifier of the labelled data\n"
                       "(a mixture preset: one class per component; or labelled points).\n"
                       "Classifier-free: one network trained with class labels and label dropout (Model dock),\n"
                       "read with and without the label: s_u + γ (s_c − s_u)."),
         .widget = W::Choice,
         .choices = {{tr("Off"), int(GuidanceKind::None)},
                     {tr("Classifier (exact noisy classifier)"), int(GuidanceKind::Classifier)},
                     {tr("Classifier-free (labelled model)"), int(GuidanceKind::ClassifierFree)}},
         .initial = int(GuidanceKind::None),
         .field = ofSetupPart(&Setup::guidance, &GuidanceConfig::kind)},
        {.name = "guidanceClass",
         .label = tr("Towards class"),
         .tooltip = tr("The class y the run is steered towards (a mixture preset's components in order,\n"
                       "e.g. 8 Gaussians: 0 on the +x axis, counting counter-clockwise)"),
         .widget = W::Integer,
         .lo = 0,
         .hi = 1023,
         .initial = 0,
         .setupApplies = guided,
         .field = ofSetupPart(&Setup::guidance, &GuidanceConfig::label)},
        {.name = "guidanceScale",
         .label = tr("Guidance scale γ"),
         .tooltip = tr("γ, the exponent of p(y | x) in the target p(x) p(y | x)^γ. Two conventions name it:\n"
                       "  ŝ = s_u + γ (s_c − s_u)   (guidance scale; diffusers' guidance_scale)\n"
                       "  ŝ = (1 + w) s_c − w s_u   (Ho & Salimans' w)\n"
                       "are the same run with w = γ − 1. γ = 1 (w = 0) samples p(x | y) exactly;\n"
                       "γ > 1 sharpens towards the class; γ = 0 is the unguided model."),
         .widget = W::Real,
         .lo = -GuidanceConfig::kMaxGamma,
         .hi = GuidanceConfig::kMaxGamma,
         .decimals = 2,
         .initial = 3,
         .setupApplies = guided,
         .field = ofSetupPart(&Setup::guidance, &GuidanceConfig::gamma)},
    };
    // EDM's and DPM-Solver's rows after DDIM's.
    const auto after = std::find_if(rows.begin(), rows.end(), [](const SamplerRow& r) { return std::string_view(r.name) == "ddimSpacing"; });
    std::vector<SamplerRow> fast = fastSamplerRows();
    rows.insert(after + 1, fast.begin(), fast.end());
    return rows;
}
} // namespace

const std::vector<SamplerRow>& samplerRows()
{
    static const std::vector<SamplerRow> rows = buildRows();
    return rows;
}

bool rowApplies(const SamplerRow& row, const app::SamplingSetup& setup)
{
    return (!row.appliesTo || row.appliesTo(setup.sampler)) &&
           (!row.setupApplies || row.setupApplies(setup));
}

bool rowApplies(const SamplerRow& row, const SamplerConfig& config)
{
    app::SamplingSetup setup;
    setup.sampler = config;
    return rowApplies(row, setup);
}

QWidget* makeRowWidget(const SamplerRow& row, QWidget* parent)
{
    QWidget* w = nullptr;
    switch (row.widget) {
    case SamplerRow::Widget::Integer: {
        auto* box = new QSpinBox(parent);
        box->setRange(int(row.lo), int(row.hi));
        w = box;
        break;
    }
    case SamplerRow::Widget::Real: {
        auto* box = new QDoubleSpinBox(parent);
        box->setDecimals(row.decimals);
        box->setRange(row.lo, row.hi);
        w = box;
        break;
    }
    case SamplerRow::Widget::Choice: {
        auto* box = new QComboBox(parent);
        for (const auto& [text, value] : row.choices) box->addItem(text, value);
        w = box;
        break;
    }
    case SamplerRow::Widget::Check: w = new QCheckBox(row.label, parent); break;
    }
    w->setObjectName(row.name);
    if (!row.tooltip.isEmpty()) w->setToolTip(row.tooltip);
    setRowValue(row, w, row.initial);
    return w;
}

double rowValue(const SamplerRow& row, const QWidget* w)
{
    switch (row.widget) {
    case SamplerRow::Widget::Integer: return static_cast<const QSpinBox*>(w)->value();
    case SamplerRow::Widget::Real: return static_cast<const QDoubleSpinBox*>(w)->value();
    case SamplerRow::Widget::Choice: return static_cast<const QComboBox*>(w)->currentData().toInt();
    case SamplerRow::Widget::Check: return static_cast<const QCheckBox*>(w)->isChecked() ? 1 : 0;
    }
    return 0;
}

void setRowValue(const SamplerRow& row, QWidget* w, double value)
{
    switch (row.widget) {
    case SamplerRow::Widget::Integer: static_cast<QSpinBox*>(w)->setValue(int(std::lround(value))); break;
    case SamplerRow::Widget::Real: static_cast<QDoubleSpinBox*>(w)->setValue(value); break;
    case SamplerRow::Widget::Choice: {
        auto* box = static_cast<QComboBox*>(w);
        box->setCurrentIndex(box->findData(int(std::lround(value))));
        break;
    }
    case SamplerRow::Widget::Check: static_cast<QCheckBox*>(w)->setChecked(value != 0); break;
    }
}

void onRowEdited(const SamplerRow& row, QWidget* w, QObject* context, std::function<void()> onEdit)
{
    switch (row.widget) {
    case SamplerRow::Widget::Integer:
        QObject::connect(static_cast<QSpinBox*>(w), &QSpinBox::editingFinished, context, onEdit);
        break;
    case SamplerRow::Widget::Real:
        QObject::connect(static_cast<QDoubleSpinBox*>(w), &QDoubleSpinBox::editingFinished, context, onEdit);
        break;
    case SamplerRow::Widget::Choice:
        QObject::connect(static_cast<QComboBox*>(w), &QComboBox::currentIndexChanged, context, onEdit);
        break;
    case SamplerRow::Widget::Check:
        QObject::connect(static_cast<QCheckBox*>(w), &QCheckBox::toggled, context, onEdit);
        break;
    }
}

} // namespace ss::window
