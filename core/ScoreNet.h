#pragma once
// A score network: an Mlp plus how its inputs are built from (x, noise level,
// label) and how its output becomes a score (the parametrisation).
//
// Inputs of example j, in this order (inputDim() in all):
//   x1, x2
//   c                       when conditioning != None and rawNoiseInput
//   sin(w_f c), cos(w_f c)  for f < embeddingFrequencies, w_f = pi 2^f / 2
//   one-hot label           numClasses entries; all zero = no label (used by
//                           classifier-free guidance's label dropout)
// where c = log(std) (LogSigma) or the normalised time t (Time).
//
// x1, x2 enter multiplied by the output map's inScale (EDM's c_in / mean; 1
// for the other parametrisations).
//
// Output -> score, per example (core/Parametrisation.h): score = a x + b net,
// e.g. b = 1/std (ScoreOverSigma), -1/std (Epsilon: net predicts the noise;
// docs/reference/scores.md), a = -1/std^2 and b = mean/std^2 (X0). Every
// parametrisation but Score needs std > 0.
#include "core/Mlp.h"
#include "core/NoiseSchedule.h"
#include "core/Parametrisation.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace ss {

enum class NoiseConditioning { None, LogSigma, Time };

std::string conditioningName(NoiseConditioning c);        // "none", "log-sigma", "time"
NoiseConditioning conditioningFromName(const std::string&);  // throws InputError

struct ModelConfig {
    // Six hidden layers of 128 by default: depth, not width, is what lets the
    // network resolve thin structures (rings 0.875 apart, spiral arms) at small
    // sigma. Three layers (the old default) left rings and spirals blurred after
    // any number of steps (share near the data 0.77 / 0.92 against the data's
    // 0.99); 2x512 was worse, 6x128 reaches 0.97-0.98 (scripts/sharpness.sh).
    std::vector<int> hidden{128, 128, 128, 128, 128, 128};
    Activation activation = Activation::SiLU;
    Parametrisation parametrisation = Parametrisation::ScoreOverSigma;
    NoiseConditioning conditioning = NoiseConditioning::LogSigma;
    bool rawNoiseInput = true;
    int embeddingFrequencies = 0;
    int numClasses = 0;
    std::uint64_t seed = 0;
    // EDM preconditioning and weighting: the data's scale (core/Parametrisation.h
    // dataSigma). 0: derived from the data when training starts
    // (Objective::withDataDefaults); a network cannot be made from 0 with edm.
    double sigmaData = 0;

    static constexpr std::int64_t kMaxParams = 4'000'000; // far beyond what a 2D model needs

    // Throws InputError naming the bad field (no hidden layer, width < 1 or >
    // 4096, more than 16 layers, embedding frequencies > 32, classes > 1024,
    // more than kMaxParams parameters in all, sigmaData negative or not finite).
    void validate() const;
    int inputDim() const;
    // Weights and biases of the network this config builds (no allocation).
    std::int64_t numParams() const;
    bool operator==(const ModelConfig&) const = default;
};

template <typename T>
class ScoreNetT {
public:
    using Matrix = typename MlpT<T>::Matrix;
    using Vector = typename MlpT<T>::Vector;

    ScoreNetT() : ScoreNetT(ModelConfig{}) {}
    explicit ScoreNetT(const ModelConfig& config); // validates, initialises from config.seed

    const ModelConfig& config() const { return config_; }
    MlpT<T>& mlp() { return mlp_; }
    const MlpT<T>& mlp() const { return mlp_; }
    int inputDim() const { return config_.inputDim(); }

    // Writes the network input of example j into column `col` of `in`.
    // label < 0 or numClasses == 0: no label.
    void encode(T x1, T x2, const NoiseLevel& level, int label, Eigen::Ref<Matrix> in, Eigen::Index col) const;

    // How the network output becomes a score at a level: score = a x + b net(inScale x).
    OutputMap outputMap(const Marginal& level) const;

    // Scores of points x (2 x n, double) at one noise level, with an optional
    // label (-1: none). Evaluated in cache-sized chunks; single-threaded (callers
    // parallelise over points).
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level, int label,
               Eigen::Ref<Eigen::Matrix2Xd> out) const;

    template <typename U>
    ScoreNetT<U> cast() const
    {
        ScoreNetT<U> other(config_);
        other.mlp().params() = mlp_.params().template cast<U>();
        return other;
    }

private:
    ModelConfig config_;
    MlpT<T> mlp_;
};

using ScoreNet = ScoreNetT<float>;

} // namespace ss

namespace ss {
class ThreadPool;
// net.score(...) split over a thread pool in 2,048-point slices (each worker
// evaluates in cache-sized chunks). Same result as net.score().
void scoreParallel(const ScoreNet& net, const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                   int label, Eigen::Ref<Eigen::Matrix2Xd> out, ThreadPool& pool);
} // namespace ss
