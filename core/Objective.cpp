#include "core/Objective.h"

#include "core/Error.h"
#include "core/Parametrisation.h"

#include <algorithm>
#include <cmath>

namespace ss {

namespace {
constexpr int kContinuousBins = 10;

bool singleSigma(ObjectiveKind k) { return k != ObjectiveKind::Ncsn && k != ObjectiveKind::Ddpm; }

bool isDdpmDiscrete(const NoiseSchedule& s)
{
    return s.kind() == ScheduleKind::DdpmLinear || s.kind() == ScheduleKind::DdpmCosine ||
           s.kind() == ScheduleKind::DdpmBetas;
}
} // namespace

std::string objectiveName(ObjectiveKind k)
{
    switch (k) {
    case ObjectiveKind::Dsm: return "dsm";
    case ObjectiveKind::Ncsn: return "ncsn";
    case ObjectiveKind::Ddpm: return "ddpm";
    case ObjectiveKind::Ism: return "ism";
    case ObjectiveKind::Ssm: return "ssm";
    case ObjectiveKind::SsmVr: return "ssm-vr";
    }
    return "ncsn";
}

ObjectiveKind objectiveFromName(const std::string& name)
{
    for (auto k : {ObjectiveKind::Dsm, ObjectiveKind::Ncsn, ObjectiveKind::Ddpm, ObjectiveKind::Ism,
                   ObjectiveKind::Ssm, ObjectiveKind::SsmVr})
        if (objectiveName(k) == name) return k;
    throw InputError("unknown objective '" + name + "' (expected dsm, ncsn, ddpm, ism, ssm or ssm-vr)");
}

void Objective::validate(const ObjectiveConfig& c, const NoiseSchedule& schedule, const ModelConfig& model)
{
    const std::string name = objectiveName(c.kind);
    if (singleSigma(c.kind)) {
        if (!std::isfinite(c.sigma) || c.sigma < 0)
            throw InputError(name + ": sigma must be finite and non-negative (got " + std::to_string(c.sigma) + ")");
        if (c.kind == ObjectiveKind::Dsm && c.sigma <= 0)
            throw InputError("dsm: sigma must be positive (got " + std::to_string(c.sigma) + ")");
        if (c.sigma <= 0 && model.parametrisation != Parametrisation::Score)
            throw InputError(name + " at sigma = 0 needs the score parametrisation (" +
                             parametrisationName(model.parametrisation) + " divides by sigma)");
    }
    if (c.projections < 1 || c.projections > 16)
        throw InputError(name + ": projections must be in [1, 16] (got " + std::to_string(c.projections) + ")");
    if (c.vlbWeights && !(c.kind == ObjectiveKind::Ddpm && isDdpmDiscrete(schedule)))
        throw InputError("VLB weights need the ddpm objective on a discrete DDPM schedule (have " + name + " on " +
                         schedule.name() + ")");
    if (!(c.labelDropout >= 0 && c.labelDropout <= 1))
        throw InputError("label dropout must be in [0, 1] (got " + std::to_string(c.labelDropout) + ")");
    if (c.weighting != Weighting::Natural && singleSigma(c.kind))
        throw InputError("weighting " + weightingName(c.weighting) +
                         ": a weighting over the noise levels needs ncsn or ddpm (have " + name + " at one sigma)");
    if (c.vlbWeights && c.weighting != Weighting::Natural && c.weighting != Weighting::Simple)
        throw InputError("VLB weights are a weighting of their own: they replace weighting " +
                         weightingName(c.weighting) + " (use natural)");
    if (!std::isfinite(c.minSnrGamma) || c.minSnrGamma <= 0)
        throw InputError("min-SNR gamma must be finite and positive (got " + std::to_string(c.minSnrGamma) + ")");
}

ModelConfig Objective::withDataDefaults(ModelConfig model, const ObjectiveConfig& config, const Dataset& data)
{
    const bool edm = model.parametrisation == Parametrisation::Edm ||
                     (!singleSigma(config.kind) && config.weighting == Weighting::Edm);
    if (edm && model.sigmaData == 0) model.sigmaData = dataSigma(data.points);
    return model;
}

Weighting Objective::weighting() const { return resolveWeighting(config_.weighting, model_.parametrisation); }

double Objective::epsWeight(const Marginal& level) const
{
    const WeightingParams params{model_.sigmaData > 0 ? model_.sigmaData : 1.0, config_.minSnrGamma};
    return ss::epsWeight(weighting(), logSnr(level), params);
}

Objective::Objective(const ObjectiveConfig& config, const NoiseSchedule& schedule, const ModelConfig& model)
    : config_(config), schedule_(schedule), model_(model)
{
    validate(config_, schedule_, model_);
    if (!singleSigma(config_.kind) && weighting() == Weighting::Edm && !(model_.sigmaData > 0))
        throw InputError("the edm weighting needs sigma_data > 0 (training derives it from the data)");
    rebuildVlbWeights();
    rebuildLevelTerms();
}

void Objective::setSchedule(const NoiseSchedule& schedule)
{
    validate(config_, schedule, model_);
    schedule_ = schedule;
    rebuildVlbWeights();
    rebuildLevelTerms();
}

Objective::LevelTerms Objective::levelTerms(const NoiseLevel& level, int bin, Parametrisation p, double sigmaData) const
{
    LevelTerms t;
    // ScoreNet::outputMap's: the score parametrisation is the identity (also at std = 0).
    if (p != Parametrisation::Score) t.map = outputMap(p, level.marginal, sigmaData);
    if (config_.kind == ObjectiveKind::Dsm || !singleSigma(config_.kind)) {
        // The regression target F* and the weight on |F - F*|^2.
        const double s = level.marginal.std;
        t.target = outputTarget(p, level.marginal, sigmaData);
        const double ratio = outputErrorRatio(p, level.marginal, sigmaData);
        double w;
        if (config_.kind == ObjectiveKind::Dsm) w = 0.5 / (s * s); // 1/2 |s - s*|^2 = 1/(2 std^2) |eps error|^2
        else if (!vlbWeight_.empty()) w = vlbWeight_[bin + 1];   // discrete DDPM level k = bin + 1
        else w = epsWeight(level.marginal);
        t.weight = w / ratio;
    }
    return t;
}

void Objective::rebuildLevelTerms()
{
    levelTerms_.clear();
    const Parametrisation p = model_.parametrisation;
    const double sd = model_.sigmaData;
    if (singleSigma(config_.kind)) {
        Rng dummy(0); // drawLevel draws nothing for one sigma
        int bin = 0;
        levelTerms_.push_back(levelTerms(drawLevel(dummy, bin), 0, p, sd));
    } else if (schedule_.isDiscrete()) {
        for (int k = 1; k <= schedule_.numLevels(); ++k) levelTerms_.push_back(levelTerms(schedule_.level(k), k - 1, p, sd));
    }
}

void Objective::rebuildVlbWeights()
{
    vlbWeight_.clear();
    if (!config_.vlbWeights) return;
    // w_t = beta_t^2 / (2 btilde_t alpha_t (1 - abar_t)); btilde_1 = 0, so
    // term 1 uses beta_1 instead. Normalised to mean 1 so the learning rate
    // means the same with and without the weighting.
    const int T = schedule_.numLevels();
    vlbWeight_.assign(T + 1, 0.0);
    double sum = 0;
    for (int t = 1; t <= T; ++t) {
        const double beta = schedule_.betas()[t];
        const double bt = t == 1 ? beta : schedule_.betaTilde(t);
        vlbWeight_[t] = beta * beta / (2 * bt * schedule_.alpha(t) * (1 - schedule_.alphaBar(t)));
        sum += vlbWeight_[t];
    }
    for (int t = 1; t <= T; ++t) vlbWeight_[t] *= T / sum;
}

int Objective::tangents() const
{
    switch (config_.kind) {
    case ObjectiveKind::Ism: return 2;
    case ObjectiveKind::Ssm:
    case ObjectiveKind::SsmVr: return config_.projections;
    default: return 0;
    }
}

int Objective::numBins() const
{
    if (singleSigma(config_.kind)) return 1;
    return schedule_.isDiscrete() ? schedule_.numLevels() : kContinuousBins;
}

std::vector<Marginal> Objective::binMarginals() const
{
    if (singleSigma(config_.kind)) return {Marginal{1.0, config_.sigma}};
    std::vector<Marginal> out;
    if (schedule_.isDiscrete()) {
        for (int k = 1; k <= schedule_.numLevels(); ++k) out.push_back(schedule_.level(k).marginal);
    } else {
        for (int b = 0; b < kContinuousBins; ++b) out.push_back(schedule_.at((b + 0.5) / kContinuousBins).marginal);
    }
    return out;
}

std::vector<double> Objective::binStd() const
{
    std::vector<double> out;
    for (const Marginal& m : binMarginals()) out.push_back(m.std);
    return out;
}

std::vector<double> Objective::binMean() const
{
    std::vector<double> out;
    for (const Marginal& m : binMarginals()) out.push_back(m.mean);
    return out;
}

NoiseLevel Objective::drawLevel(Rng& rng, int& bin) const
{
    if (singleSigma(config_.kind)) {
        bin = 0;
        return NoiseLevel{Marginal{1.0, config_.sigma}, 0.0};
    }
    if (schedule_.isDiscrete()) {
        const int k = 1 + rng.uniformInt(schedule_.numLevels());
        bin = k - 1;
        return schedule_.level(k);
    }
    const double t0 = schedule_.tEpsilon();
    const double t = t0 + (1 - t0) * rng.uniform();
    bin = std::min(kContinuousBins - 1, int(t * kContinuousBins));
    return schedule_.at(t);
}

template <typename T>
void Objective::prepare(const Dataset& data, const ScoreNetT<T>& net, int B, BatchT<T>& batch) const
{
    if (data.size() == 0) throw InputError("the data set is empty: nothing to train on");
    if (B < 1) throw InputError("batch size must be at least 1");
    const int classes = net.config().numClasses;
    if (classes > 0) {
        if (!data.labelled()) throw InputError("the model takes class labels but the data set has none");
        if (data.numClasses > classes)
            throw InputError("the data set has " + std::to_string(data.numClasses) + " classes, the model " +
                             std::to_string(classes));
    }
    const int K = tangents();
    batch.size = B;
    batch.input.resize(net.inputDim(), B);
    batch.x.resize(2, B);
    batch.target.resize(2, B);
    batch.a.resize(B);
    batch.b.resize(B);
    batch.inScale.resize(B);
    batch.weight.resize(B);
    batch.v.resize(2, Eigen::Index(K) * B);
    batch.bin.resize(B);
    batch.loss.setZero(B);
}

template <typename T>
void Objective::drawExamples(const Dataset& data, const ScoreNetT<T>& net, const Rng& streams, BatchT<T>& batch,
                             int begin, int end) const
{
    const int B = batch.size, K = tangents();
    const int classes = net.config().numClasses;
    const bool ssm = config_.kind == ObjectiveKind::Ssm || config_.kind == ObjectiveKind::SsmVr;
    const bool rademacher = config_.kind == ObjectiveKind::Ssm && config_.projection == Projection::Rademacher;
    // The per-level terms are model_'s: a net of another parametrisation gets its own, per example.
    const bool fixed = !levelTerms_.empty() && net.config().parametrisation == model_.parametrisation &&
                       net.config().sigmaData == model_.sigmaData;
    const auto termsOf = [&](const NoiseLevel& level, int bin) {
        return fixed ? levelTerms_[std::size_t(bin)]
                     : levelTerms(level, bin, net.config().parametrisation, net.config().sigmaData);
    };
    for (int j = begin; j < end; ++j) {
        Rng rng = streams.split(std::uint64_t(j));
        const int i = rng.uniformInt(data.size());
        int bin = 0;
        const NoiseLevel level = drawLevel(rng, bin);
        double e1, e2;
        rng.normalPair(e1, e2);
        const double m = level.marginal.mean, s = level.marginal.std;
        int label = classes > 0 ? data.labels[i] : -1;
        if (label >= 0 && config_.labelDropout > 0 && rng.uniform() < config_.labelDropout) label = -1;
        const double x1 = m * data.points(0, i) + s * e1, x2 = m * data.points(1, i) + s * e2;
        net.encode(T(x1), T(x2), level, label, batch.input, j);
        batch.x(0, j) = T(x1);
        batch.x(1, j) = T(x2);
        const LevelTerms t = termsOf(level, bin);
        batch.a[j] = T(t.map.a);
        batch.b[j] = T(t.map.b);
        batch.inScale[j] = T(t.map.inScale);
        batch.bin[j] = bin;
        batch.weight[j] = T(t.weight);
        if (config_.kind == ObjectiveKind::Dsm || !singleSigma(config_.kind)) {
            batch.target(0, j) = T(t.target.cx0 * data.points(0, i) + t.target.ceps * e1);
            batch.target(1, j) = T(t.target.cx0 * data.points(1, i) + t.target.ceps * e2);
        } else {
            batch.target.col(j).setZero();
        }
        if (ssm)
            for (int k = 0; k < K; ++k)
                for (int r = 0; r < 2; ++r)
                    batch.v(r, Eigen::Index(k) * B + j) = T(rademacher ? rng.rademacher() : rng.normal());
    }
}

template <typename T>
void Objective::draw(const Dataset& data, const ScoreNetT<T>& net, int B, Rng& rng, BatchT<T>& batch) const
{
    prepare(data, net, B, batch);
    drawExamples(data, net, rng, batch, 0, B);
    rng.next();
}

template <typename T>
double Objective::accumulate(const ScoreNetT<T>& net, BatchT<T>& batch, int begin, int end,
                             ObjectiveWorkspace<T>& ws, Eigen::Ref<typename MlpT<T>::Vector> grads) const
{
    const int n = end - begin;
    const int B = batch.size;
    const int K = tangents();
    const T invB = T(1) / T(B);
    if (K > 0) {
        // Tangent seeds act on (x1, x2) only: noise and label inputs are
        // constants. They enter scaled like the points (inScale).
        ws.xdot.setZero(net.inputDim(), Eigen::Index(K) * n);
        for (int k = 0; k < K; ++k)
            for (int j = 0; j < n; ++j) {
                const T c = batch.inScale[begin + j];
                if (config_.kind == ObjectiveKind::Ism) ws.xdot(k, Eigen::Index(k) * n + j) = c;
                else ws.xdot.col(Eigen::Index(k) * n + j).template head<2>() = c * batch.v.col(Eigen::Index(k) * B + begin + j);
            }
    } else {
        ws.xdot.resize(net.inputDim(), 0);
    }
    net.mlp().forward(batch.input.middleCols(begin, n), ws.xdot, K, ws.tape);
    const auto& out = ws.tape.output; // [y | ydot_1 .. ydot_K], each 2 x n
    ws.gradOut.setZero(2, Eigen::Index(1 + K) * n);
    auto& g = ws.gradOut;

    // Per-example loss heads, written with scalars (2D; fixed-size Eigen
    // vectors here trip GCC 12's -Warray-bounds false positives). The score is
    // s = a x + b y; a tangent ydot_k = J_F (inScale v) gives J_s v = a v + b ydot_k.
    double total = 0;
    for (int j = 0; j < n; ++j) {
        const int b = begin + j;
        const T a = batch.a[b], f = batch.b[b];
        const T s0 = a * batch.x(0, b) + f * out(0, j), s1 = a * batch.x(1, b) + f * out(1, j); // the score
        T loss = 0;
        switch (config_.kind) {
        case ObjectiveKind::Dsm:
        case ObjectiveKind::Ncsn:
        case ObjectiveKind::Ddpm: {
            // w |F - F*|^2: dsm's 1/2 |s + eps/sigma|^2, ncsn/ddpm's weighted eps error.
            const T w = batch.weight[b];
            const T r0 = out(0, j) - batch.target(0, b), r1 = out(1, j) - batch.target(1, b);
            loss = w * (r0 * r0 + r1 * r1);
            g(0, j) = invB * T(2) * w * r0;
            g(1, j) = invB * T(2) * w * r1;
            break;
        }
        case ObjectiveKind::Ism: {
            // tr J_s = 2a + b (ydot_1[0] + ydot_2[1]).
            loss = T(0.5) * (s0 * s0 + s1 * s1) + T(2) * a + f * (out(0, n + j) + out(1, 2 * n + j));
            g(0, j) = invB * f * s0;
            g(1, j) = invB * f * s1;
            g(0, n + j) = invB * f;
            g(1, 2 * n + j) = invB * f;
            break;
        }
        case ObjectiveKind::Ssm:
        case ObjectiveKind::SsmVr: {
            const T invK = T(1) / T(K);
            const bool vr = config_.kind == ObjectiveKind::SsmVr;
            T gy0 = 0, gy1 = 0;
            for (int k = 0; k < K; ++k) {
                const Eigen::Index vc = Eigen::Index(k) * B + b;
                const T v0 = batch.v(0, vc), v1 = batch.v(1, vc);
                const Eigen::Index c = Eigen::Index(1 + k) * n + j;
                loss += invK * (a * (v0 * v0 + v1 * v1) + f * (v0 * out(0, c) + v1 * out(1, c))); // v^T J v
                g(0, c) = invB * invK * f * v0;
                g(1, c) = invB * invK * f * v1;
                if (!vr) {
                    const T p = v0 * s0 + v1 * s1;
                    loss += invK * T(0.5) * p * p;
                    gy0 += invK * p * f * v0;
                    gy1 += invK * p * f * v1;
                }
            }
            if (vr) {
                loss += T(0.5) * (s0 * s0 + s1 * s1);
                gy0 = f * s0;
                gy1 = f * s1;
            }
            g(0, j) = invB * gy0;
            g(1, j) = invB * gy1;
            break;
        }
        }
        batch.loss[b] = loss;
        total += double(loss);
    }
    net.mlp().backward(ws.tape, g, grads);
    return total / B;
}

template void Objective::draw<float>(const Dataset&, const ScoreNetT<float>&, int, Rng&, BatchT<float>&) const;
template void Objective::draw<double>(const Dataset&, const ScoreNetT<double>&, int, Rng&, BatchT<double>&) const;
template void Objective::prepare<float>(const Dataset&, const ScoreNetT<float>&, int, BatchT<float>&) const;
template void Objective::drawExamples<float>(const Dataset&, const ScoreNetT<float>&, const Rng&, BatchT<float>&, int,
                                             int) const;
template double Objective::accumulate<float>(const ScoreNetT<float>&, BatchT<float>&, int, int,
                                             ObjectiveWorkspace<float>&, Eigen::Ref<MlpT<float>::Vector>) const;
template double Objective::accumulate<double>(const ScoreNetT<double>&, BatchT<double>&, int, int,
                                              ObjectiveWorkspace<double>&, Eigen::Ref<MlpT<double>::Vector>) const;

} // namespace ss
