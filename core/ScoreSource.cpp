#include "core/ScoreSource.h"

#include "core/Error.h"
#include "core/ThreadPool.h"

#include <Eigen/LU>

#include <cmath>
#include <limits>

namespace ss {

namespace {
// Smallest std a source that "needs noise" accepts: any positive value.
constexpr double kPositiveStd = std::numeric_limits<double>::min();

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
} // namespace

void ScoreSource::jvp(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                      const Eigen::Ref<const Eigen::Matrix2Xd>& v, Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    // Central differences along each v_j, with a step scaled to the point and
    // the direction so it is neither lost in rounding nor too coarse.
    const Eigen::Index n = x.cols();
    Eigen::RowVectorXd h(n);
    for (Eigen::Index j = 0; j < n; ++j) {
        const double vn = v.col(j).norm();
        h(j) = vn > 0 ? 1e-5 * std::max({1.0, x.col(j).norm(), level.marginal.std}) / vn : 0.0;
    }
    Eigen::Matrix2Xd plus = x + v.array().rowwise().operator*(h.array()).matrix();
    Eigen::Matrix2Xd minus = x - v.array().rowwise().operator*(h.array()).matrix();
    Eigen::Matrix2Xd sPlus(2, n), sMinus(2, n);
    score(plus, level, sPlus);
    score(minus, level, sMinus);
    for (Eigen::Index j = 0; j < n; ++j)
        out.col(j) = h(j) > 0 ? Eigen::Vector2d((sPlus.col(j) - sMinus.col(j)) / (2 * h(j))) : Eigen::Vector2d::Zero();
}

void ScoreSource::divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                             Eigen::Ref<Eigen::VectorXd> out) const
{
    const Eigen::Index n = x.cols();
    Eigen::Matrix2Xd e(2, n), j1(2, n), j2(2, n);
    e.row(0).setOnes();
    e.row(1).setZero();
    jvp(x, level, e, j1);
    e.row(0).setZero();
    e.row(1).setOnes();
    jvp(x, level, e, j2);
    out = (j1.row(0) + j2.row(1)).transpose();
}

void scoreParallel(const ScoreSource& source, const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                   Eigen::Ref<Eigen::Matrix2Xd> out, ThreadPool& pool)
{
    constexpr int kSlice = 512;
    pool.parallelForBalanced(int(x.cols()), kSlice, [&](int begin, int end) {
        source.score(x.middleCols(begin, end - begin), level, out.middleCols(begin, end - begin));
    });
}

// ---- exact ------------------------------------------------------------------

ExactScoreSource::ExactScoreSource(std::shared_ptr<const Dataset> data)
    : data_(std::move(data)), exact_(data_ ? data_->exactScore() : nullptr)
{
    if (!exact_) throw InputError("the exact score needs a data set");
    extent_ = dataExtentOf(*data_);
}

void ExactScoreSource::score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                             Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    exact_->score(x, level.marginal, out);
}

void ExactScoreSource::divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                                  Eigen::Ref<Eigen::VectorXd> out) const
{
    exact_->divergence(x, level.marginal, out);
}

double ExactScoreSource::minimumStd() const { return exact_->needsNoise() ? kPositiveStd : 0.0; }

std::string ExactScoreSource::describe() const { return "exact (" + data_->name + ")"; }

// ---- network ----------------------------------------------------------------

NetworkScoreSource::NetworkScoreSource(ScoreNet net, int label, std::string name)
    : net_(std::move(net)), label_(label), name_(std::move(name))
{
    const int classes = net_.config().numClasses;
    if (label_ != -1 && (label_ < 0 || label_ >= classes))
        throw InputError("label " + std::to_string(label_) + " is outside the model's " + std::to_string(classes) +
                         " classes");
}

NetworkScoreSource::NetworkScoreSource(const TrainedModel& model, bool useEma, int label)
    : NetworkScoreSource(model.net(useEma), label, useEma ? "network (ema)" : "network")
{
}

void NetworkScoreSource::score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                               Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    net_.score(x, level, label_, out);
}

template <typename Directions, typename Use>
void NetworkScoreSource::tangentPass(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level, int K,
                                     Directions&& directions, Use&& use) const
{
    // The network's own tangent pass: exact J v (in float), one pass per chunk.
    using Matrix = ScoreNet::Matrix;
    constexpr Eigen::Index kChunk = 256;
    const int inputs = net_.inputDim();
    Matrix in(inputs, kChunk), xdot = Matrix::Zero(inputs, K * kChunk);
    net_.encode(0.f, 0.f, level, label_, in, 0);
    for (Eigen::Index j = 1; j < kChunk; ++j) in.col(j).tail(inputs - 2) = in.col(0).tail(inputs - 2);
    // score = a x + b F(inScale x): J v = a v + b inScale J_F v. The
    // directions enter scaled by inScale; a v is added back from them.
    const OutputMap map = net_.outputMap(level.marginal);
    // One tape per thread, kept between calls: its buffers (~1.5 MB for the
    // default 6 x 128 network and two tangents) were allocated and first
    // touched on every call before, and the page faults made a 256-point
    // divergence ~40x the cost of the score instead of ~3x.
    thread_local Mlp::Tape tape;
    for (Eigen::Index begin = 0; begin < x.cols(); begin += kChunk) {
        const Eigen::Index n = std::min(kChunk, x.cols() - begin);
        in.topLeftCorner(2, n) = (map.inScale * x.middleCols(begin, n)).cast<float>();
        auto dirs = xdot.leftCols(K * n);
        directions(begin, n, dirs); // fills rows 0-1 of each block; the rest stay 0
        if (map.inScale != 1) dirs.topRows(2) *= float(map.inScale);
        net_.mlp().forward(in.leftCols(n), dirs, K, tape);
        tape.output *= float(map.b);
        if (map.a != 0) {
            tape.output.leftCols(n) += (map.a * x.middleCols(begin, n)).cast<float>();
            tape.output.rightCols(K * n) += float(map.a / map.inScale) * dirs.topRows(2);
        }
        use(begin, n, tape.output);
    }
}

void NetworkScoreSource::jvp(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                             const Eigen::Ref<const Eigen::Matrix2Xd>& v, Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    tangentPass(
        x, level, 1,
        [&](Eigen::Index begin, Eigen::Index n, auto& dirs) {
            dirs.topRows(2) = v.middleCols(begin, n).cast<float>();
        },
        [&](Eigen::Index begin, Eigen::Index n, const ScoreNet::Matrix& y) {
            out.middleCols(begin, n) = y.middleCols(n, n).cast<double>();
        });
}

void NetworkScoreSource::divergence(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                                    Eigen::Ref<Eigen::VectorXd> out) const
{
    // Tangents e1 and e2 in one pass: tr J = (J e1)_1 + (J e2)_2.
    tangentPass(
        x, level, 2,
        [&](Eigen::Index, Eigen::Index n, auto& dirs) {
            dirs.topRows(2).setZero();
            dirs.block(0, 0, 1, n).setOnes();
            dirs.block(1, n, 1, n).setOnes();
        },
        [&](Eigen::Index begin, Eigen::Index n, const ScoreNet::Matrix& y) {
            out.segment(begin, n) = (y.block(0, n, 1, n) + y.block(1, 2 * n, 1, n)).transpose().cast<double>();
        });
}

double NetworkScoreSource::minimumStd() const
{
    const ModelConfig& c = net_.config();
    const bool needsStd = c.parametrisation != Parametrisation::Score || c.conditioning == NoiseConditioning::LogSigma;
    return needsStd ? kPositiveStd : 0.0;
}

std::string NetworkScoreSource::describe() const
{
    return label_ >= 0 ? name_ + ", label " + std::to_string(label_) : name_;
}

// ---- classifier-free guidance --------------------------------------------------

namespace {
ScoreNet checkedConditional(ScoreNet net, int label, double w)
{
    const int classes = net.config().numClasses;
    if (classes < 1) throw InputError("classifier-free guidance needs a label-conditional network (it has no classes)");
    if (label < 0 || label >= classes)
        throw InputError("guidance label " + std::to_string(label) + " is outside the network's " +
                         std::to_string(classes) + " classes");
    if (!std::isfinite(w)) throw InputError("guidance weight w must be finite (got " + num(w) + ")");
    return net;
}
} // namespace

ClassifierFreeGuidance::ClassifierFreeGuidance(ScoreNet net, int label, double w)
    : conditional_(checkedConditional(net, label, w), label, "network"), unconditional_(std::move(net), -1),
      w_(w)
{
}

void ClassifierFreeGuidance::score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                                   Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    Eigen::Matrix2Xd plain(2, x.cols());
    conditional_.score(x, level, out);
    unconditional_.score(x, level, plain);
    out = (1.0 + w_) * out - w_ * plain;
}

std::string ClassifierFreeGuidance::describe() const
{
    // Both conventions (docs/reference/scores.md): classifier-free w is classifier-guidance weight 1 + w.
    return "classifier-free guidance (label " + std::to_string(conditional_.label()) + ", w " + num(w_) +
           " = classifier-guidance weight " + num(1.0 + w_) + "; exact conditional at w 0)";
}

// ---- classifier guidance -------------------------------------------------------

ClassifierGuidance::ClassifierGuidance(std::shared_ptr<const ScoreSource> base,
                                       std::shared_ptr<const ExactClassifier> classifier, int label, double w)
    : base_(std::move(base)), classifier_(std::move(classifier)), label_(label), w_(w)
{
    if (!base_) throw InputError("classifier guidance needs a base score");
    if (!classifier_) throw InputError("classifier guidance needs a classifier");
    classifier_->checkLabel(label_);
    if (!std::isfinite(w_)) throw InputError("guidance weight w must be finite (got " + num(w_) + ")");
}

void ClassifierGuidance::classifierGradient(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                                            Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    classifier_->gradient(x, level.marginal, label_, out);
}

double ClassifierGuidance::minimumStd() const
{
    // A point set's classifier, like its score, needs noise.
    return std::max(base_->minimumStd(), classifier_->needsNoise() ? kPositiveStd : 0.0);
}

void ClassifierGuidance::score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
                               Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    Eigen::Matrix2Xd guide(2, x.cols());
    base_->score(x, level, out);
    classifierGradient(x, level, guide);
    out += w_ * guide;
}

std::string ClassifierGuidance::describe() const
{
    return base_->describe() + " + classifier guidance (label " + std::to_string(label_) + ", w " + num(w_) +
           " = classifier-free w " + num(w_ - 1.0) + "; exact conditional at w 1)";
}

std::vector<int> componentClasses(const Dataset& data)
{
    std::vector<int> out;
    if (data.mixture)
        for (int k = 0; k < data.mixture->size(); ++k) out.push_back(k);
    return out;
}

} // namespace ss
