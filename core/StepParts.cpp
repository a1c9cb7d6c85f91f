#include "core/StepParts.h"

#include <cmath>

namespace ss::parts {

PartSpec langevin(bool annealed, double a, double eps, const NoiseLevel& at, const Eigen::Matrix2Xd& s,
                  const Eigen::Matrix2Xd& z)
{
    PartSpec p;
    const std::string n = annealed ? "α" : "η";
    p.title = annealed ? "annealed Langevin" : "Langevin";
    p.equation = "x′ = x + (" + n + "/2)·s(x, σ) + √" + n + "·z";
    if (annealed) p.equation += ",  α = ε·(σ/σ_min)²";
    p.constants = {{"σ", at.marginal.std}, {n, a}};
    if (annealed) p.constants.push_back({"ε", eps});
    p.values = {{"s(x, σ)", Combo(1.0, s)}, {"z", Combo(1.0, z)}};
    p.terms = {{"(" + n + "/2)·s", TermKind::Score, Combo(0.5 * a, s)},
               {"√" + n + "·z", TermKind::Noise, Combo(std::sqrt(a), z)}};
    return p;
}

PartSpec ancestral(const std::string& title, const NoiseLevel& from, double r, double g2, double cx,
                   double cs, double noiseStd, const Eigen::Matrix2Xd& x, const Eigen::Matrix2Xd& s,
                   const Eigen::Matrix2Xd& z)
{
    // r = sqrt(alpha_t), g2 = beta_t for neighbouring DDPM levels; cx = 1/r, cs = beta_t / sqrt(alpha_t).
    PartSpec p;
    p.title = title;
    p.equation = "x′ = (x + β·s(x, t))/√α + σ_t·z";
    p.constants = {{"t", from.t}, {"β", g2}, {"√α", r}, {"σ_t", noiseStd}};
    p.values = {{"s(x, t)", Combo(1.0, s)}};
    p.terms = {{"(1/√α − 1)·x", TermKind::Drift, Combo(cx - 1.0, x)}, {"(β/√α)·s", TermKind::Score, Combo(cs, s)}};
    if (noiseStd > 0) {
        p.values.push_back({"z", Combo(1.0, z)});
        p.terms.push_back({"σ_t·z", TermKind::Noise, Combo(noiseStd, z)});
    } else {
        p.equation += "  (last step: no noise)";
    }
    return p;
}

PartSpec ddim(bool encode, double eta, const NoiseLevel& from, const NoiseLevel& to, double epsStd, double keep,
              double sigmaEta, const Eigen::Matrix2Xd& x, const Eigen::Matrix2Xd& s, const Eigen::Matrix2Xd& z)
{
    const double mf = from.marginal.mean, sf = from.marginal.std, mt = to.marginal.mean;
    PartSpec p;
    p.title = encode ? "DDIM encoding (η = 0)" : "DDIM (η = " + formatNumber(eta) + ")";
    p.equation = encode ? "x′ = √ᾱ′·x̂₀ + √(1 − ᾱ′)·ε̂,  ε̂ = −√(1 − ᾱ)·s(x, t),  x̂₀ = (x − √(1 − ᾱ)·ε̂)/√ᾱ"
                        : "x′ = √ᾱ′·x̂₀ + √(1 − ᾱ′ − σ_η²)·ε̂ + σ_η·z,  ε̂ = −√(1 − ᾱ)·s(x, t),  x̂₀ = (x − √(1 − ᾱ)·ε̂)/√ᾱ";
    p.constants = {{"ᾱ", mf * mf}, {"ᾱ′", mt * mt}};
    if (!encode) p.constants.push_back({"σ_η", sigmaEta});
    // epshat = -epsStd s; x0hat = (x + sf epsStd s) / mf.
    p.values = {{"s(x, t)", Combo(1.0, s)}, {"ε̂", Combo(-epsStd, s)},
                {"x̂₀", Combo(1.0 / mf, x).plus(sf * epsStd / mf, s)}};
    const double cx = mt / mf;
    // sqrt(abar') x0hat - x, written with the sampler's own cx = mean_to / mean_from.
    p.terms = {{"√ᾱ′·x̂₀ − x", TermKind::Drift, Combo(cx - 1.0, x).plus(cx * sf * epsStd, s)},
               {encode ? "√(1 − ᾱ′)·ε̂" : "√(1 − ᾱ′ − σ_η²)·ε̂", TermKind::Score, Combo(-keep * epsStd, s)}};
    if (sigmaEta > 0) {
        p.values.push_back({"z", Combo(1.0, z)});
        p.terms.push_back({"σ_η·z", TermKind::Noise, Combo(sigmaEta, z)});
    }
    return p;
}

PartSpec eulerMaruyama(const std::string& title, double t, double dt, double f, double g2, const Eigen::Matrix2Xd& x,
                       const Eigen::Matrix2Xd& s, const Eigen::Matrix2Xd& z)
{
    PartSpec p;
    p.title = title;
    p.equation = "x′ = x − f(t)·x·Δt + g(t)²·s(x, t)·Δt + g(t)·√Δt·z";
    p.constants = {{"t", t}, {"Δt", dt}, {"f(t)", f}, {"g(t)²", g2}};
    p.values = {{"s(x, t)", Combo(1.0, s)}, {"z", Combo(1.0, z)}};
    p.terms = {{"−f·x·Δt", TermKind::Drift, Combo(-f * dt, x)},
               {"g²·s·Δt", TermKind::Score, Combo(g2 * dt, s)},
               {"g·√Δt·z", TermKind::Noise, Combo(std::sqrt(g2 * dt), z)}};
    return p;
}

PartSpec reverseDiffusion(const std::string& title, double t, double r, double g2, const Eigen::Matrix2Xd& x,
                          const Eigen::Matrix2Xd& s, const Eigen::Matrix2Xd& z)
{
    PartSpec p;
    p.title = title;
    p.equation = "x′ = x − (r − 1)·x + G²·s(x, t) + G·z,  r = m(t)/m(t′),  G² = σ(t)² − r²σ(t′)²";
    p.constants = {{"t", t}, {"r", r}, {"G²", g2}};
    p.values = {{"s(x, t)", Combo(1.0, s)}, {"z", Combo(1.0, z)}};
    p.terms = {{"−(r − 1)·x", TermKind::Drift, Combo(1.0 - r, x)},
               {"G²·s", TermKind::Score, Combo(g2, s)},
               {"G·z", TermKind::Noise, Combo(std::sqrt(g2), z)}};
    return p;
}

PartSpec corrector(int m, int M, const NoiseLevel& at, double snr, double alpha, double sNorm, double zNorm, double e,
                   const Eigen::Matrix2Xd& s, const Eigen::Matrix2Xd& z)
{
    PartSpec p;
    p.title = "corrector " + std::to_string(m) + " of " + std::to_string(M) + " (Langevin)";
    p.equation = "x′ = x + ε·s(x, t) + √(2ε)·z,  ε = 2α·(r·‖z‖/‖s‖)²  (norms: means over the particles)";
    p.constants = {{"t", at.t}, {"r", snr}, {"α", alpha}, {"‖s‖", sNorm}, {"‖z‖", zNorm}, {"ε", e}};
    p.values = {{"s(x, t)", Combo(1.0, s)}, {"z", Combo(1.0, z)}};
    p.terms = {{"ε·s", TermKind::Score, Combo(e, s)}, {"√(2ε)·z", TermKind::Noise, Combo(std::sqrt(2.0 * e), z)}};
    return p;
}

PartSpec odeStage(int i, int n, double t, double f, double g2, const Eigen::MatrixXd& s, const Eigen::MatrixXd& v)
{
    const std::string k = std::to_string(i);
    PartSpec p;
    p.title = "ODE stage " + k + " of " + std::to_string(n);
    p.equation = "v" + k + " = f(t)·x" + k + " − ½·g(t)²·s(x" + k + ", t)";
    p.constants = {{"t", t}, {"f(t)", f}, {"g(t)²", g2}};
    p.values = {{"s(x" + k + ", t)", Combo(1.0, s)}, {"v" + k, Combo(1.0, v)}};
    p.stage = true;
    p.point = "x" + k;
    return p;
}

PartSpec odeSum(const std::string& method, double h, const std::vector<double>& weights,
                const std::vector<Eigen::MatrixXd>& velocities)
{
    PartSpec p;
    p.title = "ODE step (" + method + ")";
    p.equation = "x′ = x + h·Σᵢ bᵢ·vᵢ";
    p.constants = {{"h", h}};
    for (std::size_t i = 0; i < weights.size() && i < velocities.size(); ++i) {
        const std::string k = std::to_string(i + 1);
        p.constants.push_back({"b" + k, weights[i]});
        if (weights[i] != 0) p.terms.push_back({"h·b" + k + "·v" + k, TermKind::Stage, Combo(h * weights[i], velocities[i])});
    }
    return p;
}

} // namespace ss::parts
