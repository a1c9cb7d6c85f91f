#pragma once
// The exact noisy classifier of a labelled data set (docs/reference/scores.md#classifier-guidance),
// and the exact target guidance aims at.
//
// A labelled data set splits its density by class, p(x) = sum_y pi_y p(x | y),
// and so does every noised marginal. The classifier at a level is then
//     p_level(y | x) = pi_y p_level(x | y) / p_level(x),
//     grad_x log p_level(y | x) = s_y(x) - s(x),
// with s_y the exact score of class y's part. A labelled Gaussian mixture
// (a preset: each component is a class, componentClasses) splits into
// sub-mixtures; labelled points (a CSV with labels, or drawn in the window
// with classes) into their classes' points. Guidance with weight gamma,
// s + gamma (s_y - s), follows the score of the tilted density
//     p~_level(x) ∝ p_level(x) p_level(y | x)^gamma,
// which tiltedLogDensity() gives and sampleTilted() draws from exactly.
//
// Thread safety: const methods may run concurrently.
#include "core/Dataset.h"
#include "core/Rng.h"

#include <memory>
#include <vector>

namespace ss {

class ExactClassifier {
public:
    // Throws InputError when the data set has no classes to guide by: neither
    // an analytic mixture nor labelled points, or fewer than two classes with
    // points.
    explicit ExactClassifier(const Dataset& data);
    // A mixture whose component k belongs to class classOfComponent[k] (a
    // class may hold several components; classes are 0 .. max). Throws
    // InputError when the map does not fit the mixture or has a negative class.
    ExactClassifier(const GaussianMixture& mixture, const std::vector<int>& classOfComponent);

    int numClasses() const { return int(prior_.size()); }
    // pi_y: the class's share of the data (0 for a class with no points).
    double prior(int y) const;
    // Throws InputError naming the classes when y has no data.
    void checkLabel(int y) const;
    // Point sets have no density at std 0: callers keep std > 0 (as for their score).
    bool needsNoise() const { return all_->needsNoise(); }

    // out(j) = log p_level(y | x_j) (<= 0).
    void logPosterior(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, int y,
                      Eigen::Ref<Eigen::VectorXd> out) const;
    // out.col(j) = grad_x log p_level(y | x_j) = s_y - s.
    void gradient(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, int y,
                  Eigen::Ref<Eigen::Matrix2Xd> out) const;

    // log p_level(x) + gamma log p_level(y | x): the tilted target up to its
    // normalising constant (gamma = 1: the exact conditional log p_level(x | y) + log pi_y).
    void tiltedLogDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, int y, double gamma,
                          Eigen::Ref<Eigen::VectorXd> out) const;

    // n independent draws from p_level (the data, noised to the level).
    Eigen::Matrix2Xd sampleLevel(int n, Marginal m, Rng& rng) const;
    // n exact draws from the tilted target at the level, by rejection: a draw
    // of p_level is kept with probability p_level(y | x)^gamma <= 1. Needs
    // gamma >= 0 (else InputError). Throws InputError when fewer than n are
    // accepted in maxDraws proposals (a class too rare under a large gamma).
    Eigen::Matrix2Xd sampleTilted(int n, Marginal m, int y, double gamma, Rng& rng,
                                  long long maxDraws = 20'000'000) const;

private:
    void checkClasses(const std::string& name) const;
    std::vector<double> prior_;
    std::vector<std::shared_ptr<const ExactScore>> part_; // p(x | y) per class (null: no data)
    std::shared_ptr<const ExactScore> all_;
    std::shared_ptr<const Dataset> data_; // for sampling: its mixture, or its points
};

// Guided samples against the exact tilted target they aim at: `reference` is
// as many exact draws (sampleTilted) as there are samples, sw2 their sliced
// W2 distance to the samples, floor the distance between two independent
// exact draws of that size (what a perfect sampler would show). Same seed,
// same numbers.
struct TiltedComparison {
    Eigen::Matrix2Xd reference;
    double sw2 = 0, floor = 0;
};
TiltedComparison compareWithTilted(const ExactClassifier& classifier, Marginal m, int y, double gamma,
                                   const Eigen::Ref<const Eigen::Matrix2Xd>& samples, std::uint64_t seed);

} // namespace ss
