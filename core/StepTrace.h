#pragma once
// One sampler step of a few followed particles, as the sampler's equation with
// its numbers substituted (docs/reference/samplers.md has the equations). The
// Sampler fills it for the particles it is told to follow (Sampler::follow);
// the window's step card and labelled arrows, and `scorescope-cli sample
// --follow`, show it.
//
// A step has one part per sub-step: Langevin, annealed Langevin, DDPM,
// Euler–Maruyama and reverse diffusion one; DDIM one, with its η split;
// predictor–corrector the predictor, then each corrector step; the
// probability-flow ODE one per stage (where the velocity was evaluated), then
// the stages' weighted sum; inpainting adds the replacement of the fixed
// coordinate. In every part but an ODE stage, x' = x + the sum of its terms,
// computed with the sampler's own coefficients, so the trace reproduces the
// particle's real update (tests/core/tst_step_trace checks it per sampler).
//
// Text is UTF-8 with Greek letters (σ, α, ε̂, ᾱ): the window and a terminal show it.
#include <Eigen/Core>

#include <string>
#include <vector>

namespace ss {

// What a term is, for its arrow's colour: the drift (the x-proportional
// part), the score's pull, the fresh noise, an ODE stage's share, or the
// replacement of an inpainted coordinate.
enum class TermKind { Drift, Score, Noise, Stage, Replace };

struct TracedTerm {
    std::string label;     // as written in the equation: "(α/2)·s"
    TermKind kind = TermKind::Score;
    Eigen::Vector2d value; // the displacement it adds
};

struct TracedValue {
    std::string name;      // "s(x, σ)", "z", "x̂₀"
    Eigen::Vector2d value;
};

struct TracedParticle {
    Eigen::Index index = 0;          // the particle's column
    Eigen::Vector2d x, next;         // before and after the part (an ODE stage: its point, twice)
    std::vector<TracedValue> values; // the vectors of the equation, in its order
    std::vector<TracedTerm> terms;   // next = x + their sum (none for an ODE stage)
};

struct StepConstant {
    std::string name;      // "α", "σ", "Δt"
    double value = 0;
};

struct StepPart {
    std::string title;     // "annealed Langevin", "corrector 1 of 2", "ODE stage 2 of 4"
    std::string equation;  // "x′ = x + (α/2)·s(x, σ) + √α·z"
    std::vector<StepConstant> constants;
    std::vector<TracedParticle> particles; // one per followed particle, in follow order
    bool stage = false;    // an ODE stage: evaluates the velocity, moves nothing
    std::string point = "x"; // the position's name in the equation (an ODE stage: "x2")
};

struct StepTrace {
    int step = 0;          // the step these parts took (1: the first); 0: none yet
    std::vector<StepPart> parts;
    bool empty() const { return parts.empty(); }
};

// ---- building a part (the Sampler's side) ---------------------------------------

// A vector per particle as a weighted sum of columns of 2-row, column-major
// matrices (the particles, the scores, the noise draws): sum_i c_i M_i[:, j].
struct Combo {
    struct Piece {
        double c;
        const double* columns; // M_i.data(); column j at columns + 2 j
    };
    std::vector<Piece> pieces;
    Combo() = default;
    Combo(double c, const Eigen::MatrixXd& m);
    Combo(double c, const Eigen::Matrix2Xd& m);
    Combo& plus(double c, const Eigen::MatrixXd& m);
    Combo& plus(double c, const Eigen::Matrix2Xd& m);
    Eigen::Vector2d at(Eigen::Index j) const;
};

struct PartSpec {
    std::string title, equation;
    std::vector<StepConstant> constants;
    std::vector<std::pair<std::string, Combo>> values;
    struct Term {
        std::string label;
        TermKind kind;
        Combo value;
    };
    std::vector<Term> terms;
    bool stage = false;
    std::string point = "x";
};

// The part for the followed columns of x (the positions before it; indices
// at or beyond x.cols() are left out).
StepPart tracePart(const PartSpec& spec, const Eigen::MatrixXd& x, const std::vector<Eigen::Index>& followed);
StepPart tracePart(const PartSpec& spec, const Eigen::Matrix2Xd& x, const std::vector<Eigen::Index>& followed);

// ---- reading it --------------------------------------------------------------------

// The part for followed particle k (its position in the follow order) as text
// lines: the title with the constants, the equation, the vectors' values, the
// equation with the numbers substituted, and the result. Empty when the part
// has no such particle.
std::vector<std::string> describePart(const StepPart& part, std::size_t k);
// The line before an ODE step's stages (describeStep).
inline constexpr const char* kStageVelocityLine = "the velocity at each stage i: vᵢ = f(tᵢ)·xᵢ − ½·g(tᵢ)²·s(xᵢ, tᵢ)";
// An ODE stage on one line: its title, t, its point, s and v.
std::string describeStage(const StepPart& stage, std::size_t k);
// The whole step for followed particle k: describePart of each part, except
// that an ODE stage takes one line (describeStage) after the velocity's equation.
std::vector<std::string> describeStep(const StepTrace& trace, std::size_t k);
// "(0.512, -1.2)": a vector with 4 significant digits.
std::string formatVector(const Eigen::Vector2d& v);
// "2.1e-05", "0.312": a number with 4 significant digits.
std::string formatNumber(double v);

} // namespace ss
