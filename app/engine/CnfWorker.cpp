#include "engine/CnfWorker.h"

#include "engine/Boundary.h"
#include "engine/ModelMeasureJob.h"

#include "core/CnfFile.h"
#include "core/Error.h"
#include "core/Rng.h"

#include <QThread>

#include <algorithm>
#include <cmath>

namespace ss::app {

void FlowSettings::validate() const
{
    model.validate();
    solve.validate();
    optimizer.validate();
    if (model.activation == Activation::ReLU)
        throw InputError("the flow's activation cannot be ReLU: its second derivative is 0, so the divergence "
                         "would not train (use SiLU, softplus or tanh)");
    CnfTrainerConfig{batchSize}.validate();
    if (sampleSteps < 1 || sampleSteps > 1000)
        throw InputError("sample steps must be in [1, 1000] (got " + std::to_string(sampleSteps) + ")");
    if (particles < 1 || particles > 100000)
        throw InputError("flow particles must be in [1, 100000] (got " + std::to_string(particles) + ")");
    if (evalPoints < 16 || evalPoints > 100000)
        throw InputError("held-out points must be in [16, 100000] (got " + std::to_string(evalPoints) + ")");
    if (evalEvery < 1) throw InputError("steps between NLLs must be at least 1");
}

std::string flowSamplerName(const FlowSettings& s)
{
    return "CNF flow, RK4 " + std::to_string(s.sampleSteps) + " steps";
}

CnfWorker::CnfWorker(std::shared_ptr<const Dataset> data, const FlowSettings& settings)
{
    timer_ = new QTimer(this);
    timer_->setInterval(kTickMs);
    connect(timer_, &QTimer::timeout, this, &CnfWorker::tick);
    rebuild(std::move(data), settings);
    publish();
}

void CnfWorker::rebuild(std::shared_ptr<const Dataset> data, const FlowSettings& settings)
{
    if (!data || data->size() == 0) throw InputError("the flow needs data: the data set is empty");
    settings.validate();
    CnfTrainerConfig tc;
    tc.batchSize = settings.batchSize;
    tc.seed = settings.seed;
    CnfConfig model = settings.model;
    auto trainer = std::make_unique<CnfTrainer>(data, model, settings.solve, settings.optimizer, tc);
    // Accepted: from here on nothing throws.
    trainer_ = std::move(trainer);
    data_ = std::move(data);
    settings_ = settings;
    const HeldOutPoints h = heldOutPoints(*data_, settings_.evalPoints);
    heldOut_ = h.points;
    heldOutFresh_ = h.heldOut;
    exactNll_.reset();
    if (data_->mixture) exactNll_ = mixtureNll(*data_->mixture, heldOut_, Marginal{1.0, 0.0});
    history_.clear();
    evals_.clear();
    lastEvalStep_ = -1;
    stepTimes_.clear();
    sampleRun_ = 0;
    startSampleRun();
}

void CnfWorker::startSampleRun()
{
    Rng rng(settings_.seed + 1000003 * std::uint64_t(sampleRun_ + 1));
    samples_.resize(2, settings_.particles);
    for (Eigen::Index j = 0; j < samples_.size(); ++j) samples_.data()[j] = rng.normal();
    trail_.assign(1, samples_);
    samplePiece_ = 0;
    sampleNfe_ = 0;
    held_ = 0;
    sampleNet_ = trainer_->emaNet(); // the newest flow for the whole run
}

void CnfWorker::trainStep()
{
    const CnfStepStats s = trainer_->step();
    FlowStepRecord r;
    r.step = s.step;
    r.loss = s.loss;
    r.forwardNfe = s.forwardEvaluations;
    r.backwardNfe = s.backwardEvaluations;
    r.hutchinsonVariance = s.hutchinsonVariance;
    r.seconds = s.seconds;
    r.bytesStored = s.bytesStored;
    r.skipped = s.skipped;
    history_.push_back(r);
    if (history_.size() > FlowSnapshot::kMaxHistory) {
        // Thin the older half: every other record (the charts keep their shape).
        std::vector<FlowStepRecord> thinned;
        const std::size_t half = history_.size() / 2;
        for (std::size_t i = 0; i < half; i += 2) thinned.push_back(history_[i]);
        thinned.insert(thinned.end(), history_.begin() + std::ptrdiff_t(half), history_.end());
        history_ = std::move(thinned);
    }
    const auto now = std::chrono::steady_clock::now();
    stepTimes_.push_back(now);
    while (!stepTimes_.empty() && now - stepTimes_.front() > std::chrono::seconds(1)) stepTimes_.pop_front();
    if (s.skipped)
        emit message(QStringLiteral("flow step %1 diverged and was skipped: learning rate halved to %2")
                         .arg(s.step + 1)
                         .arg(trainer_->optimizer().config().learningRate, 0, 'g', 3),
                     true);
}

void CnfWorker::evaluate()
{
    const std::int64_t step = trainer_->optimizer().state().step;
    if (step == lastEvalStep_) return;
    lastEvalStep_ = step;
    CnfSolveConfig solve = settings_.solve;
    solve.trace = TraceEstimator::Exact; // the curve has no estimator noise
    solve.gradient = CnfGradient::Adjoint;
    Rng rng(settings_.seed);
    try {
        const CnfDensity d = cnfLogDensity(trainer_->emaNet(), heldOut_, solve, rng);
        evals_.push_back({step, meanWithError(-d.logDensity), d.evaluations});
    } catch (const InputError& e) { // a flow whose ODE blows up has no NLL yet: said, not drawn
        emit message(QStringLiteral("flow NLL at step %1: %2").arg(step).arg(QString::fromUtf8(e.what())), true);
    }
}

void CnfWorker::advanceSamples()
{
    const int K = settings_.sampleSteps;
    if (samplePiece_ >= K) {
        if (++held_ < kHoldTicks) return;
        ++sampleRun_;
        startSampleRun();
        return;
    }
    CnfSolveConfig piece;
    piece.method = OdeMethod::Rk4;
    piece.steps = 1;
    const double t0 = 1.0 - double(samplePiece_) / K, t1 = 1.0 - double(samplePiece_ + 1) / K;
    try {
        sampleNfe_ += cnfTransport(sampleNet_, samples_, t0, t1, piece);
    } catch (const InputError&) {
        // An untrained or diverging flow can fling points to infinity: this
        // run ends here (its last finite particles stay), the next starts over.
        samplePiece_ = K;
        return;
    }
    ++samplePiece_;
    trail_.push_back(samples_);
    while (trail_.size() > 24) trail_.pop_front();
}

void CnfWorker::tick()
{
    QString error;
    const bool ok = guarded(
        [this] {
            if (running_) {
                if (history_.empty() && evals_.empty()) evaluate(); // the untrained flow: the curve's start
                trainStep();
                const std::int64_t step = trainer_->optimizer().state().step;
                if (step % settings_.evalEvery == 0 || step == 1) evaluate();
            }
            if (showSamples_ && !QThread::currentThread()->isInterruptionRequested()) advanceSamples();
        },
        &error);
    if (!ok) {
        running_ = false;
        updateTimer();
        emit message(QStringLiteral("flow stopped: %1").arg(error), true);
    }
    if (!ok || std::chrono::steady_clock::now() - lastPublish_ >= std::chrono::milliseconds(kPublishMs))
        guarded([this] { publish(); }, nullptr);
}

void CnfWorker::publish()
{
    auto s = std::make_shared<FlowSnapshot>();
    s->settings = settings_;
    s->history = history_;
    s->evals = evals_;
    s->exactNll = exactNll_;
    s->heldOut = heldOutFresh_;
    s->step = trainer_->optimizer().state().step;
    s->skipped = trainer_->skippedSteps();
    s->running = running_;
    s->stepsPerSecond = running_ ? double(stepTimes_.size()) : 0.0;
    if (showSamples_) {
        auto p = std::make_shared<ParticleSnapshot>();
        p->particles = samples_;
        p->trail = trail_;
        for (std::size_t i = 0; i < trail_.size(); ++i) {
            TrailMark m;
            m.step = samplePiece_ - int(trail_.size() - 1 - i);
            p->trailMarks.push_back(m);
        }
        p->step = samplePiece_;
        p->totalSteps = settings_.sampleSteps;
        p->run = sampleRun_;
        p->evaluations = sampleNfe_;
        p->playing = true;
        p->done = samplePiece_ >= settings_.sampleSteps;
        p->source = "CNF at training step " + std::to_string(s->step);
        p->flow = flowSamplerName(settings_);
        p->serial = 0;
        s->samples = std::move(p);
    }
    latest_.publish(std::move(s));
    lastPublish_ = std::chrono::steady_clock::now();
    emit snapshotReady();
}

void CnfWorker::updateTimer()
{
    if (running_ || showSamples_) timer_->start();
    else timer_->stop();
}

template <typename F>
void CnfWorker::post(F&& apply)
{
    postGuarded(this, std::forward<F>(apply), [this] { publish(); },
                [this](const QString& error) { emit message(error, true); });
}

void CnfWorker::postStart()
{
    post([this] {
        running_ = true;
        updateTimer();
    });
}

void CnfWorker::postPause()
{
    post([this] {
        running_ = false;
        updateTimer();
    });
}

void CnfWorker::postSettings(const FlowSettings& settings)
{
    post([this, settings] { rebuild(data_, settings); });
}

void CnfWorker::postReset()
{
    post([this] { rebuild(data_, settings_); });
}

void CnfWorker::postData(std::shared_ptr<const Dataset> data)
{
    post([this, data = std::move(data)] { rebuild(data, settings_); });
}

void CnfWorker::postShowSamples(bool on)
{
    post([this, on] {
        if (on && !showSamples_) startSampleRun();
        showSamples_ = on;
        updateTimer();
    });
}

void CnfWorker::postSave(const QString& path)
{
    post([this, path] {
        CnfModel m = cnfModelOf(*trainer_);
        m.dataName = data_->name;
        saveCnfModel(path.toStdString(), m);
        emit message(QStringLiteral("flow saved to %1 (scorescope-cli cnf-sample and cnf-nll read it)").arg(path), false);
    });
}

} // namespace ss::app
