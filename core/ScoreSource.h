#pragma once
// A score source answers s(x, noise level) for a batch of points (DESIGN.md):
// the learned network in any parametrisation, the exact score of the data, or
// a guided combination. Every sampler, likelihood and metric takes one, so the
// exact score is always there to compare against.
//
// Thread safety: score() and jvp() are const and may run concurrently on
// disjoint columns (the samplers split particles over a pool).
// Layout: points are 2 x n, one point per column, like ExactScore.
#include "core/Dataset.h"
#include "core/ExactClassifier.h"
#include "core/ModelFile.h"
#include "core/NoiseSchedule.h"
#include "core/SamplerDefaults.h"
#include "core/ScoreNet.h"

#include <memory>
#include <string>

namespace ss {

class ThreadPool;

class ScoreSource {
public:
    virtual ~ScoreSource() = default;

    // out.col(j) = grad_x log p_level(x.col(j)); out has x's size.
    virtual void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                       Eigen::Ref<Eigen::Matrix2Xd> out) const = 0;

    // Jacobian-vector products of the score: out.col(j) = J(x_j) v_j. The
    // default uses central differences (step 1e-5 times the point's scale),
    // accurate to ~1e-8 relative for double-precision sources; the network
    // overrides it with its exact tangent pass.
    virtual void jvp(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                     const Eigen::Ref<const Eigen::Matrix2Xd>& v, Eigen::Ref<Eigen::Matrix2Xd> out) const;

    // out(j) = tr J(x_j), the exact divergence of the score in 2D (two
    // Jacobian-vector products; the network does both in one tangent pass).
    virtual void divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                            Eigen::Ref<Eigen::VectorXd> out) const;

    // Smallest noise std at which score() is defined (0: also the clean data).
    virtual double minimumStd() const { return 0.0; }

    // The extent of the data the score is of (SamplerDefaults dataExtentOf),
    // zero when unknown: EDM's default sigma_max follows it (edmDefaultSigmaMax).
    virtual DataExtent dataExtent() const { return {}; }

    // For status lines and files: "exact (8gaussians)", "network (ema)", ...
    virtual std::string describe() const = 0;
};

// score() split over a pool in slices; same result as source.score().
void scoreParallel(const ScoreSource& source, const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                   Eigen::Ref<Eigen::Matrix2Xd> out, ThreadPool& pool);

// The exact score of a data set (analytic mixture or empirical ideal denoiser).
class ExactScoreSource final : public ScoreSource {
public:
    // Throws InputError when the data set is empty.
    explicit ExactScoreSource(std::shared_ptr<const Dataset> data);
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override;
    // The data's closed-form divergence (not differences of scores).
    void divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                    Eigen::Ref<Eigen::VectorXd> out) const override;
    double minimumStd() const override;
    DataExtent dataExtent() const override { return extent_; }
    std::string describe() const override;
    const Dataset& data() const { return *data_; }
    const ExactScore& exact() const { return *exact_; }

private:
    std::shared_ptr<const Dataset> data_;
    std::shared_ptr<const ExactScore> exact_;
    DataExtent extent_;
};

// A trained network turned into a score at any level of its parametrisation,
// with an optional class label (-1: none). Evaluated in float, returned in double.
class NetworkScoreSource final : public ScoreSource {
public:
    // label must be -1 or below the model's numClasses (else InputError).
    explicit NetworkScoreSource(ScoreNet net, int label = -1, std::string name = "network");
    // The model file's network with EMA weights (useEma) or the raw ones.
    NetworkScoreSource(const TrainedModel& model, bool useEma, int label = -1);
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override;
    void jvp(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
             const Eigen::Ref<const Eigen::Matrix2Xd>& v, Eigen::Ref<Eigen::Matrix2Xd> out) const override;
    void divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                    Eigen::Ref<Eigen::VectorXd> out) const override;
    double minimumStd() const override;
    std::string describe() const override;
    const ScoreNet& net() const { return net_; }
    int label() const { return label_; }
    // The training data's extent, when the caller knows it (zero: unknown, the
    // default); set before the source is shared.
    DataExtent dataExtent() const override { return extent_; }
    void setDataExtent(const DataExtent& extent) { extent_ = extent; }

private:
    // Tangent pass with directions xdot(k, j) for k < K (one per coordinate
    // block of K n columns); calls use(begin, n, output) per chunk, output =
    // [y | ydot_1 .. ydot_K] of that chunk, already scaled to score units.
    template <typename Directions, typename Use>
    void tangentPass(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level, int K,
                     Directions&& directions, Use&& use) const;

    ScoreNet net_;
    int label_;
    std::string name_;
    DataExtent extent_;
};

// Classifier-free guidance (docs/reference/scores.md#classifier-free-guidance):
// s = (1 + w) s(x | y) - w s(x), one label-conditional network with label y and with none.
class ClassifierFreeGuidance final : public ScoreSource {
public:
    // Throws InputError unless the network has classes and 0 <= label < classes,
    // and w is finite.
    ClassifierFreeGuidance(ScoreNet net, int label, double w);
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override;
    double minimumStd() const override { return conditional_.minimumStd(); }
    DataExtent dataExtent() const override { return conditional_.dataExtent(); }
    std::string describe() const override;

private:
    NetworkScoreSource conditional_, unconditional_;
    double w_;
};

// Classifier guidance (docs/reference/scores.md#classifier-guidance): s(x|y) = s(x) + w grad log p_t(y|x),
// with the exact noisy classifier of a labelled data set (ExactClassifier:
// a mixture's components, or labelled points). w is the exponent gamma of the
// tilted target p(x) p(y|x)^gamma; classifier-free guidance's w is gamma - 1.
class ClassifierGuidance final : public ScoreSource {
public:
    // base: the unconditional score (exact or learned). Throws InputError when
    // label is not a class with data or w is not finite.
    ClassifierGuidance(std::shared_ptr<const ScoreSource> base, std::shared_ptr<const ExactClassifier> classifier,
                       int label, double w);
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override;
    double minimumStd() const override;
    DataExtent dataExtent() const override { return base_->dataExtent(); }
    std::string describe() const override;

    // grad_x log p_level(y | x) for each point (the guidance direction alone).
    void classifierGradient(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                            Eigen::Ref<Eigen::Matrix2Xd> out) const;

private:
    std::shared_ptr<const ScoreSource> base_;
    std::shared_ptr<const ExactClassifier> classifier_;
    int label_;
    double w_;
};

// The component -> class map of a labelled mixture preset: its components in
// order are its classes (8gaussians: 8 classes, ncsn: 2), so the identity.
std::vector<int> componentClasses(const Dataset& data);

} // namespace ss
