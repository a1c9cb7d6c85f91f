#pragma once
// Score-matching objectives (docs/reference/objectives.md): what a training step minimises.
//
//  dsm     1/2 E || s(x + sigma eps) + eps/sigma ||^2 at one sigma
//  ncsn    E || std s(x_t) + eps ||^2, one noise level per example drawn from the
//          schedule (uniform level, or uniform t for continuous schedules):
//          the lambda = sigma^2 weighting of Song & Ermon
//  ddpm    E || eps - eps_hat(x_t) ||^2 with eps_hat = -std s: L_simple. It is the
//          same expression as ncsn (the "DDPM is denoising score matching" link);
//          the two differ by the schedule they are used with and by the optional
//          VLB weights (discrete DDPM schedules only, normalised to mean 1, with
//          btilde_1 replaced by beta_1 so term 1 is finite).
//  ncsn and ddpm take a weighting (core/Weighting.h): the loss is
//          w(lambda) E || eps - eps_hat ||^2, computed as the regression of the
//          network output F on its target F* (core/Parametrisation.h):
//          w(lambda)/ratio || F - F* ||^2, ratio = |F error|^2/|eps error|^2. With
//          the natural weighting that is the parametrisation's own MSE (x0-MSE
//          for x0, v-MSE for v, EDM's loss for edm, ...).
//  ism     E[ 1/2 ||s||^2 + tr J ], tr J exact via two tangent passes
//  ssm     E_v[ v^T J v + 1/2 (v^T s)^2 ], Gaussian or Rademacher v
//  ssm-vr  E_v[ v^T J v ] + 1/2 ||s||^2, Gaussian v
// ism, ssm and ssm-vr train a single-sigma model on data perturbed by `sigma`
// (sigma = 0: the clean data, possible only with the score parametrisation).
//
// Use: draw() fills a batch (data indices, noise, levels, projections) from an
// Rng; accumulate() adds the gradient of the batch-mean loss over a column
// range, so a batch can be split over threads and cache-sized chunks. The loss
// for a drawn batch is a deterministic function of the weights (finite-
// difference checks rely on this).
#include "core/Dataset.h"
#include "core/NoiseSchedule.h"
#include "core/Rng.h"
#include "core/ScoreNet.h"
#include "core/Weighting.h"

#include <string>
#include <vector>

namespace ss {

enum class ObjectiveKind { Dsm, Ncsn, Ddpm, Ism, Ssm, SsmVr };
enum class Projection { Gaussian, Rademacher };

std::string objectiveName(ObjectiveKind k); // "dsm", "ncsn", "ddpm", "ism", "ssm", "ssm-vr"
ObjectiveKind objectiveFromName(const std::string& name); // throws InputError

struct ObjectiveConfig {
    ObjectiveKind kind = ObjectiveKind::Ncsn;
    double sigma = 0.1;        // dsm, ism, ssm, ssm-vr: the single noise level
    int projections = 1;       // ssm, ssm-vr: directions per example (1..16)
    Projection projection = Projection::Gaussian; // ssm (ssm-vr is always Gaussian)
    bool vlbWeights = false;   // ddpm on a discrete DDPM schedule
    double labelDropout = 0.0; // probability a label is dropped (classifier-free guidance)
    Weighting weighting = Weighting::Natural; // ncsn, ddpm: the loss weight over log-SNR
    double minSnrGamma = 5.0;  // min-snr weighting's gamma (Hang et al. 2023)
    bool operator==(const ObjectiveConfig&) const = default;
};

template <typename T>
struct BatchT {
    using Matrix = typename MlpT<T>::Matrix;
    using Vector = typename MlpT<T>::Vector;
    int size = 0;
    Matrix input;  // (inputDim x B): encoded noisy points, levels, labels
    Matrix x;      // (2 x B): the noisy points (the a x of the output map)
    Matrix target; // (2 x B): the output's regression target F* (dsm, ncsn, ddpm)
    Vector a, b, inScale; // output map per example: score = a x + b F(inScale x)
    Vector weight; // loss weight per example, on | F - F* |^2
    Matrix v;      // (2 x K B): projection k of example j in column k B + j (ssm)
    std::vector<int> bin; // per-level statistics bin of each example
    Vector loss;   // per-example loss, written by accumulate()
};

template <typename T>
struct ObjectiveWorkspace {
    typename MlpT<T>::Tape tape;
    typename MlpT<T>::Matrix xdot, gradOut;
};

class Objective {
public:
    // Throws InputError when the combination cannot train (see validate()).
    Objective(const ObjectiveConfig& config, const NoiseSchedule& schedule, const ModelConfig& model);

    const ObjectiveConfig& config() const { return config_; }
    const NoiseSchedule& schedule() const { return schedule_; }
    // Replaces the schedule between steps; throws InputError (and keeps the old
    // one) when the new one does not fit the model/objective.
    void setSchedule(const NoiseSchedule& schedule);

    // Tangent directions per example the loss needs (ism 2, ssm projections, else 0).
    int tangents() const;
    // Statistics bins: discrete schedules one per level (k = 1..N -> bin k-1),
    // continuous ones 10 bins over t, single-sigma objectives one bin.
    int numBins() const;
    // A representative noise std of each bin (for labelling per-level losses).
    std::vector<Marginal> binMarginals() const; // each bin's noise: mean (signal scale) and std
    std::vector<double> binStd() const;
    std::vector<double> binMean() const; // the signal's scale of each bin: sqrt(alpha-bar) (VP), 1 (VE)

    // Draws B examples (with replacement) from data: prepare(), then
    // drawExamples() from rng's streams, then rng advances once. Throws
    // InputError when the data set is empty or its labels do not fit the model.
    template <typename T>
    void draw(const Dataset& data, const ScoreNetT<T>& net, int B, Rng& rng, BatchT<T>& batch) const;

    // A batch in parts (the trainer draws each worker's part on its worker):
    // prepare() checks the data against the model (InputError as draw()) and
    // sizes the batch for B examples; drawExamples() fills examples
    // [begin, end), example j from stream j of `streams` (Rng::split), so a
    // batch is the same however it is split.
    template <typename T>
    void prepare(const Dataset& data, const ScoreNetT<T>& net, int B, BatchT<T>& batch) const;
    template <typename T>
    void drawExamples(const Dataset& data, const ScoreNetT<T>& net, const Rng& streams, BatchT<T>& batch, int begin,
                      int end) const;

    // Adds d(batch-mean loss)/dparams restricted to examples [begin, end) to
    // grads, writes batch.loss for them, returns their loss sum divided by B.
    template <typename T>
    double accumulate(const ScoreNetT<T>& net, BatchT<T>& batch, int begin, int end,
                      ObjectiveWorkspace<T>& ws, Eigen::Ref<typename MlpT<T>::Vector> grads) const;

    // Throws InputError naming the problem: dsm needs sigma > 0; a model other
    // than score needs sigma > 0; vlbWeights needs a discrete DDPM
    // schedule; projections in [1, 16]; labelDropout in [0, 1]; a weighting
    // other than natural needs ncsn or ddpm (VLB weights: natural or simple);
    // min-SNR gamma finite and > 0.
    static void validate(const ObjectiveConfig& config, const NoiseSchedule& schedule, const ModelConfig& model);

    // The model with what it leaves to the data filled in: sigmaData (when 0
    // and the parametrisation or the weighting is edm). Throws InputError for
    // an empty data set when it needs one.
    static ModelConfig withDataDefaults(ModelConfig model, const ObjectiveConfig& config, const Dataset& data);

    // The weighting this objective trains with (natural resolved for the
    // model's parametrisation) and its weight on the epsilon-space error at a level.
    Weighting weighting() const;
    double epsWeight(const Marginal& level) const;

private:
    // What an example's level fixes (core/Parametrisation): the output map
    // score = a x + b F(inScale x), the target F* = cx0 x0 + ceps eps and the
    // weight on |F - F*|^2. Single-sigma objectives and discrete schedules have
    // a few levels: levelTerms_ holds them per bin, made once (draw() then does
    // no per-example conversions); continuous schedules compute them per example.
    struct LevelTerms {
        OutputMap map;
        TargetCoefficients target;
        double weight = 0;
    };
    LevelTerms levelTerms(const NoiseLevel& level, int bin, Parametrisation p, double sigmaData) const;
    NoiseLevel drawLevel(Rng& rng, int& bin) const;
    void rebuildVlbWeights();
    void rebuildLevelTerms(); // after the schedule or the VLB weights change

    ObjectiveConfig config_;
    NoiseSchedule schedule_;
    ModelConfig model_;
    std::vector<double> vlbWeight_; // index k = 1..T, entry 0 unused
    std::vector<LevelTerms> levelTerms_; // per bin, for model_; empty: per example
};

} // namespace ss
