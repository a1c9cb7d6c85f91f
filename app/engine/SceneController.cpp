#include "engine/SceneController.h"

#include "engine/Boundary.h"
#include "core/Error.h"
#include "core/ExactClassifier.h"
#include "core/Objective.h"
#include "core/ScheduleDefaults.h"

#include <QTimer>

#include <cmath>

namespace ss::app {

SceneController::SceneController(const SceneSetup& setup, QObject* parent) : QObject(parent), setup_(setup)
{
    training_ = std::make_unique<TrainingThread>(setup_.training);
    sampling_ = std::make_unique<SamplingThread>(setup_.sampling);
    fields_ = std::make_unique<FieldThread>(setup_.training.data);
    measure_ = std::make_unique<MeasureThread>(setup_.training.data);
    modelMeasure_ = std::make_unique<ModelMeasureThread>(setup_.training.data);
    density_ = std::make_unique<DensityThread>(setup_.training.data); // its own priority (DensityWorker.h)
    // Training keeps its core; what is drawn and measured yields to it (see
    // WorkerThread). Training itself yields a little to the GUI and the
    // renderer (nice 0), whose frames are due every few tens of ms: at equal
    // priority the GUI thread waited 30-45 ms for a core in some lectures.
    training_->setNiceness(kTrainingNiceness);
    sampling_->setNiceness(4);
    fields_->setNiceness(6);
    measure_->setNiceness(8);
    modelMeasure_->setNiceness(10);
    connectTraining();
    connect(sampling(), &SamplingWorker::snapshotReady, this, &SceneController::particlesReady);
    connect(sampling(), &SamplingWorker::snapshotReady, this, [this] {
        if (!flowShown_) measure()->postParticles(sampling()->latest());
    });
    connect(measure(), &MeasureWorker::snapshotReady, this, &SceneController::measureReady);
    connect(measure(), &MeasureWorker::message, this, &SceneController::message);
    connect(modelMeasure(), &ModelMeasureWorker::snapshotReady, this, &SceneController::modelMeasureReady);
    connect(modelMeasure(), &ModelMeasureWorker::message, this, &SceneController::message);
    connect(fields(), &FieldWorker::snapshotReady, this, &SceneController::fieldReady);
    connect(fields(), &FieldWorker::message, this, &SceneController::message);
    connect(density(), &DensityWorker::snapshotReady, this, &SceneController::densityReady);
    connect(density(), &DensityWorker::message, this, &SceneController::message);
    connect(sampling(), &SamplingWorker::message, this, [this](const QString& text, bool isError) {
        // A refused change (or a stop) leaves the sampler as its snapshot says:
        // the setup follows it, not the request.
        if (!isError) return emit message(text, false);
        // An error from before a change still queued (a run that diverged as
        // a lecture step posted new settings): the request stands, and its own
        // answer follows; adopting the running settings now would revert it.
        if (sampling()->setupPending()) return emit message(text, true);
        const bool differed = adoptRunningSampler();
        emit samplerReverted();
        if (!differed) return emit message(text, true);
        const SamplingSetup& running = setup_.sampling;
        emit message(tr("refused: %1 — still running: %2 (%3 score)")
                         .arg(text)
                         .arg(QString::fromStdString(samplerKindName(running.sampler.kind)))
                         .arg(running.source == SourceKind::Learned ? tr("learned") : tr("exact")),
                     true);
    });
    drawFlush_ = new QTimer(this);
    drawFlush_->setSingleShot(true);
    drawFlush_->setInterval(kDrawFlushMs);
    connect(drawFlush_, &QTimer::timeout, this, [this] { postDrawnPoints(false); });
    resetDerivedSigmaMax();
}

SceneController::~SceneController()
{
    training_.reset(); // an autosave in flight is written (or dropped) by now
    sampling_.reset();
    fields_.reset();
    measure_.reset();
    modelMeasure_.reset(); // cancels a job in flight first
    density_.reset();
}

void SceneController::startAll()
{
    training()->postStart();
    sampling()->postPlay();
}

void SceneController::connectTraining()
{
    connect(training(), &TrainingWorker::snapshotReady, this, &SceneController::onTrainingSnapshot);
    connect(training(), &TrainingWorker::message, this, &SceneController::message);
    connect(training(), &TrainingWorker::sceneSaved, this, &SceneController::sceneSaved);
}

void SceneController::onTrainingSnapshot()
{
    QString error;
    const bool ok = guarded(
        [this] {
            const SnapshotPtr s = training()->latest();
            if (s->serial == lastNetworkSerial_) return;
            lastNetworkSerial_ = s->serial;
            auto net = std::make_shared<const ScoreNet>(s->net);
            lastNet_ = net;
            sampling()->postNetwork(net);
            fields()->postNetwork(net);
            modelMeasure()->postNetwork(net, s->schedule, s->step);
            density()->postNetwork(net);
        },
        &error);
    if (!ok) emit message(tr("training view: %1").arg(error), true);
    emit trainingSnapshotReady();
}

bool SceneController::rebuildTraining(const TrainingSetup& next, bool keepRunning)
{
    const bool running = keepRunning && training()->runningRequested();
    std::unique_ptr<TrainingThread> fresh;
    try {
        fresh = std::make_unique<TrainingThread>(next); // validates the combination
    } catch (const InputError& e) {
        emit message(tr("model refused: %1").arg(QString::fromStdString(e.what())), true);
        return false; // the old model keeps training
    }
    training_ = std::move(fresh); // the old thread is joined here
    training_->setNiceness(kTrainingNiceness);
    setup_.training = next;
    setup_.training.resume.reset(); // used once: a later model starts from its seed
    lastNetworkSerial_ = -1;
    connectTraining();
    modelMeasure()->postNewRun();
    emit trainingReplaced();
    // Either way a first snapshot goes out, so the sampler, the fields and the
    // Training dock get the new network even while training stays paused.
    if (running) training()->postStart();
    else training()->postPause();
    emit message(tr("new model: %1 on %2")
                     .arg(QString::fromStdString(objectiveName(next.objective.kind)))
                     .arg(QString::fromStdString(next.schedule.name())),
                 false);
    return true;
}

bool SceneController::replaceScene(const SceneSetup& scene)
{
    if (!rebuildTraining(scene.training, false)) return false;
    drawFlush_->stop(); // a drawn edit still pending belonged to the old scene
    drawnPending_.reset();
    setup_ = scene;
    setup_.training.resume.reset();
    resetDerivedSigmaMax(); // the scene's schedule is kept exactly; it follows later data only if derived
    sampling()->postSetup(scene.sampling);
    fields()->postData(scene.training.data);
    measure()->postData(scene.training.data);
    modelMeasure()->postData(scene.training.data);
    density()->postData(scene.training.data);
    return true;
}

bool SceneController::setSchedule(const NoiseSchedule& schedule)
{
    try {
        Objective check(setup_.training.objective, schedule, setup_.training.model); // refuses a misfit
    } catch (const InputError& e) {
        emit message(tr("schedule refused: %1").arg(QString::fromStdString(e.what())), true);
        return false;
    }
    setup_.training.schedule = schedule;
    setup_.sampling.schedule = schedule;
    training()->postSchedule(schedule);
    sampling()->postSchedule(schedule); // a sampler that cannot use it says so, and keeps its own
    return true;
}

void SceneController::setData(std::shared_ptr<const Dataset> data, const QString& title)
{
    drawFlush_->stop(); // a drawn edit still pending is superseded
    drawnPending_.reset();
    setup_.title = title;
    const QString schedule = followData(*data, 1.0); // a picked or loaded set: any change
    postData(data, true);
    emit titleChanged();
    emit message(tr("data: %1 (%2 points)%3").arg(title).arg(data->size()).arg(schedule), false);
}

void SceneController::resetDerivedSigmaMax()
{
    const NoiseSchedule& s = setup_.training.schedule;
    derivedSigmaMax_ = hasDerivableSigmaMax(s) ? derivedSigmaMax(dataDiameter(*setup_.training.data), s.sigmaMin()) : 0;
}

QString SceneController::followData(const Dataset& data, double tolerance)
{
    const NoiseSchedule& s = setup_.training.schedule;
    if (!hasDerivableSigmaMax(s)) return {}; // DDPM, VP, hand-drawn levels: no sigma_max to derive
    const double now = s.sigmaMax();
    const double rule = derivedSigmaMax(dataDiameter(data), s.sigmaMin());
    if (sigmaMaxIs(s, rule) || std::abs(std::log(rule / now)) <= std::log(tolerance)) return {};
    if (!sigmaMaxIs(s, derivedSigmaMax_)) // set by hand: kept, and the user is told what the rule gives
        return tr("; σ max %1 kept as set (the data's diameter gives %2)").arg(now, 0, 'g', 3).arg(rule, 0, 'g', 3);
    if (!setSchedule(withSigmaMax(s, rule))) return {}; // refused: said, and the old schedule runs
    derivedSigmaMax_ = rule;
    emit scheduleDerived();
    return tr("; σ max %1 → %2 (the data's diameter)").arg(now, 0, 'g', 3).arg(rule, 0, 'g', 3);
}

void SceneController::postData(std::shared_ptr<const Dataset> data, bool restartSampler)
{
    setup_.training.data = data;
    setup_.sampling.data = data;
    training()->postData(data); // training goes on with the new points
    // The derived step sizes follow the data's mode variance: a new data set
    // moves those the user has not typed (at most one more post, superseded).
    emit dataPosted(data, restartSampler);
    if (restartSampler) {
        keepGuidanceFor(*data);
        sampling()->postSetup(setup_.sampling);
    }
    fields()->postData(data);
    measure()->postData(data);
    modelMeasure()->postData(data);
    density()->postData(data);
}

void SceneController::keepGuidanceFor(const Dataset& data)
{
    GuidanceConfig& g = setup_.sampling.guidance;
    if (g.kind != GuidanceKind::Classifier && !(g.kind == GuidanceKind::ClassifierFree &&
                                                setup_.sampling.source == SourceKind::Exact))
        return; // no classes of the data needed
    QString why;
    try {
        const ExactClassifier classes(data);
        if (g.label < classes.numClasses()) return;
        why = tr("class %1 is not one of the new data's %2 classes").arg(g.label).arg(classes.numClasses());
    } catch (const InputError& e) {
        why = QString::fromUtf8(e.what());
    }
    // The sampler would refuse the new data and keep sampling the old: guidance goes off instead.
    g.kind = GuidanceKind::None;
    emit samplerReverted(); // the Sampler dock shows it off
    emit message(tr("guidance turned off: %1").arg(why), true);
}

void SceneController::setDrawnPoints(std::shared_ptr<const Dataset> data, bool strokeDone)
{
    drawnPending_ = std::move(data);
    if (strokeDone) {
        drawFlush_->stop();
        postDrawnPoints(true);
    } else if (!drawFlush_->isActive()) {
        drawFlush_->start();
    }
}

void SceneController::flushDrawnPoints()
{
    if (!drawFlush_->isActive()) return;
    drawFlush_->stop();
    postDrawnPoints(false);
}

void SceneController::postDrawnPoints(bool strokeDone)
{
    // Only the newest edit (a data set applied since, or a new scene, dropped it).
    if (!drawnPending_) return;
    const std::shared_ptr<const Dataset> data = std::move(drawnPending_);
    drawnPending_.reset();
    if (data->size() == 0) {
        // Nothing to train on or sample from: the workers keep the last points.
        if (strokeDone)
            emit message(tr("no points drawn: training and sampling stay on the last data set (%1 points) until "
                            "you add some")
                             .arg(setup_.training.data->size()),
                         true);
        return;
    }
    // A derived schedule follows drawn data at a stroke's end only, and only
    // when the rule's sigma_max moved by more than a quarter: within that the
    // noisiest level still covers the data, and re-deriving at every stroke
    // would move the levels under the model while the lecturer draws. A
    // schedule set by hand stays (the message says what the rule gives).
    const QString schedule = strokeDone ? followData(*data, 1.25) : QString();
    // The sampler restarts once per stroke: restarted at every flush, its
    // particles would never leave the prior.
    postData(data, strokeDone);
    if (!strokeDone) return;
    setup_.title = tr("Drawn points");
    emit titleChanged();
    emit message(
        tr("drawn data: %1 points; training and sampling continue on them%2").arg(data->size()).arg(schedule), false);
}

void SceneController::setSampling(const SamplingSetup& sampling)
{
    setup_.sampling = sampling;
    sampling_->worker()->postSetup(setup_.sampling);
}

void SceneController::setSource(SourceKind kind)
{
    setup_.sampling.source = kind;
    sampling()->postSource(kind);
}

void SceneController::setLearningRate(double lr)
{
    setup_.training.optimizer.learningRate = lr;
    training()->postLearningRate(lr);
}

void SceneController::setBatchSize(int batch)
{
    setup_.training.trainer.batchSize = batch;
    training()->postBatchSize(batch);
}

void SceneController::setEmaDecay(double decay)
{
    setup_.training.optimizer.emaDecay = decay;
    training()->postEmaDecay(decay);
}

void SceneController::setPublishEma(bool ema)
{
    setup_.training.publishEma = ema;
    training()->postPublishEma(ema);
}

bool SceneController::adoptRunningSampler()
{
    const SamplingSetup& running = sampling()->latest()->setup;
    SamplingSetup& s = setup_.sampling; // data and schedule stay the controller's (posted to every worker)
    const bool differs = !(s.sampler == running.sampler) || s.source != running.source ||
                         s.stepsPerTick != running.stepsPerTick || s.trailLength != running.trailLength ||
                         s.loop != running.loop;
    s.sampler = running.sampler;
    s.source = running.source;
    s.stepsPerTick = running.stepsPerTick;
    s.trailLength = running.trailLength;
    s.loop = running.loop;
    return differs;
}

} // namespace ss::app
