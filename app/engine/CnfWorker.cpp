#include "engine/CnfWorker.h"

#include "engine/Boundary.h"
#include "engine/ModelMeasureJob.h"

#include "core/CnfFile.h"
#include "core/Error.h"
#include "core/Rng.h"

#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ss::app {

namespace {

// Past `limit` records, every other one of the older half is dropped: each
// publication copies the vector, so its size stays bounded while the charts
// keep their shape.
template <typename T>
void thinOlderHalf(std::vector<T>& records, std::size_t limit)
{
    if (records.size() <= limit) return;
    std::vector<T> thinned;
    const std::size_t half = records.size() / 2;
    for (std::size_t i = 0; i < half; i += 2) thinned.push_back(records[i]);
    thinned.insert(thinned.end(), records.begin() + std::ptrdiff_t(half), records.end());
    records = std::move(thinned);
}

} // namespace

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
    sampleDiverged_ = false;
    sampleNet_ = trainer_->emaNet(); // the newest flow for the whole run
    sampleStep_ = trainer_->optimizer().state().step;
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
    thinOlderHalf(history_, FlowSnapshot::kMaxHistory);
    const auto now = std::chrono::steady_clock::now();
    stepTimes_.push_back(now);
    while (stepTimes_.size() > 2 && now - stepTimes_.front() > std::chrono::seconds(1)) stepTimes_.pop_front();
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
    // The exact trace (no estimator noise) and an accurate solve whatever the
    // training solver: the density of the flow itself, comparable with the exact NLL.
    CnfSolveConfig solve;
    solve.trace = TraceEstimator::Exact;
    solve.gradient = CnfGradient::Adjoint;
    solve.method = OdeMethod::Rk45;
    solve.rtol = solve.atol = kEvalTolerance;
    Rng rng(settings_.seed);
    try {
        const CnfDensity d = cnfLogDensity(trainer_->emaNet(), heldOut_, solve, rng);
        evals_.push_back({step, meanWithError(-d.logDensity), d.evaluations});
        thinOlderHalf(evals_, FlowSnapshot::kMaxHistory);
    } catch (const InputError& e) { // a flow whose ODE blows up has no NLL yet: said, not drawn
        emit message(QStringLiteral("flow NLL at step %1: %2").arg(step).arg(QString::fromUtf8(e.what())), true);
    }
}

void CnfWorker::advanceSamples()
{
    const int K = settings_.sampleSteps;
    const auto now = std::chrono::steady_clock::now();
    if (samplePiece_ >= K) {
        if (now - runEnded_ < std::chrono::milliseconds(kHoldMs)) return;
        ++sampleRun_;
        startSampleRun();
        return;
    }
    // At most one piece per display tick, whatever the training step costs.
    if (now - lastPiece_ < std::chrono::milliseconds(kTickMs)) return;
    lastPiece_ = now;
    CnfSolveConfig piece;
    piece.method = OdeMethod::Rk4;
    piece.steps = 1;
    const double t0 = 1.0 - double(samplePiece_) / K, t1 = 1.0 - double(samplePiece_ + 1) / K;
    try {
        sampleNfe_ += cnfTransport(sampleNet_, samples_, t0, t1, piece);
    } catch (const InputError&) {
        // An untrained or diverging flow can fling points to infinity: this
        // run ends here (its last finite particles stay, said so), the next starts over.
        sampleDiverged_ = true;
        samplePiece_ = K;
        runEnded_ = now;
        return;
    }
    if (++samplePiece_ == K) runEnded_ = now;
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
    s->stepsPerSecond = 0;
    if (running_ && stepTimes_.size() >= 2) {
        const double span = std::chrono::duration<double>(stepTimes_.back() - stepTimes_.front()).count();
        if (span > 0) s->stepsPerSecond = double(stepTimes_.size() - 1) / span;
    } else if (running_ && !history_.empty() && history_.back().seconds > 0) {
        s->stepsPerSecond = 1.0 / history_.back().seconds; // one step in the last second: its own rate
    }
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
        p->done = samplePiece_ >= settings_.sampleSteps && !sampleDiverged_;
        p->source = "CNF at training step " + std::to_string(sampleStep_);
        p->flow = flowSamplerName(settings_);
        if (sampleDiverged_) p->flow += " (this run left the plane: the flow is not trained yet; a new run follows)";
        p->serial = --sampleSerial_; // the renderer uploads on a new serial; negative, never a sampler's
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

void CnfWorker::postStep()
{
    post([this] {
        running_ = false;
        updateTimer();
        trainStep();
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
