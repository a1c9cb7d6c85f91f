#include "engine/TrainingWorker.h"

#include "engine/Boundary.h"
#include "core/Error.h"
#include "core/ModelFile.h"


namespace ss::app {

TrainingWorker::TrainingWorker(const TrainingSetup& setup, int publishIntervalMs, int sliceMs)
    : trainer_(setup.data, setup.model, setup.objective, setup.schedule, setup.optimizer, setup.trainer),
      publishEma_(setup.publishEma), publishIntervalMs_(publishIntervalMs), sliceMs_(sliceMs)
{
    if (setup.resume) restoreTraining(trainer_, *setup.resume); // InputError: a state that does not fit
    loop_ = new QTimer(this);
    loop_->setInterval(0);
    connect(loop_, &QTimer::timeout, this, &TrainingWorker::runSlice);
    publish();
}

SnapshotPtr TrainingWorker::latest() const { return latest_.latest(); }

void TrainingWorker::publish()
{
    auto s = std::make_shared<TrainingSnapshot>();
    s->step = trainer_.optimizer().state().step;
    s->stats = trainer_.stats();
    s->net = publishEma_ ? trainer_.emaNet() : trainer_.net();
    s->ema = publishEma_;
    s->schedule = trainer_.objective().schedule();
    s->model = trainer_.net().config();
    s->objective = trainer_.objective().config();
    s->running = running_;
    latest_.publish(std::move(s));
    lastPublish_ = std::chrono::steady_clock::now();
    emit snapshotReady();
}

void TrainingWorker::runSlice()
{
    // Steps until the slice's time is used, then back to the event loop.
    const auto start = std::chrono::steady_clock::now();
    const auto budget = std::chrono::milliseconds(sliceMs_);
    // A non-finite step is undone by the trainer itself (the last finite
    // weights stay, stats().restores counts it); anything thrown stops training.
    QString error;
    const bool ok = guarded(
        [&] {
            do {
                trainer_.step();
            } while (running_ && std::chrono::steady_clock::now() - start < budget &&
                     !QThread::currentThread()->isInterruptionRequested());
        },
        &error);
    if (!ok) {
        running_ = false;
        requested_ = false;
        loop_->stop();
        emit message(QStringLiteral("training stopped: %1").arg(error), true);
    }
    if (trainer_.stats().restores != lastRestores_) {
        lastRestores_ = trainer_.stats().restores;
        emit message(QString::fromStdString(trainer_.stats().lastEvent), true);
    }
    if (!ok || std::chrono::steady_clock::now() - lastPublish_ >= std::chrono::milliseconds(publishIntervalMs_))
        guarded([this] { publish(); }, nullptr);
}

template <typename F>
void TrainingWorker::post(F&& apply)
{
    postGuarded(this, std::forward<F>(apply), [this] { publish(); },
                [this](const QString& error) { emit message(error, true); });
}

void TrainingWorker::postStart()
{
    requested_ = true;
    post([this] {
        running_ = true;
        loop_->start();
    });
}

void TrainingWorker::postPause()
{
    requested_ = false;
    post([this] {
        running_ = false;
        loop_->stop();
    });
}

void TrainingWorker::postStep(int steps)
{
    requested_ = false;
    post([this, steps] {
        running_ = false;
        loop_->stop();
        trainer_.run(std::max(1, steps));
    });
}

void TrainingWorker::postResetWeights()
{
    post([this] { trainer_.resetWeights(trainer_.net().config().seed); });
}

void TrainingWorker::postSchedule(const NoiseSchedule& schedule)
{
    post([this, schedule] { trainer_.setSchedule(schedule); });
}

void TrainingWorker::postLearningRate(double lr)
{
    post([this, lr] { trainer_.setLearningRate(lr); });
}

void TrainingWorker::postBatchSize(int batch)
{
    post([this, batch] { trainer_.setBatchSize(batch); });
}

void TrainingWorker::postData(std::shared_ptr<const Dataset> data)
{
    post([this, data = std::move(data)] { trainer_.setData(data); });
}

void TrainingWorker::postEmaDecay(double decay)
{
    post([this, decay] {
        OptimizerConfig c = trainer_.optimizer().config();
        c.emaDecay = decay;
        trainer_.setOptimizer(c); // validated: a decay outside [0, 1) is refused
    });
}

void TrainingWorker::postPublishEma(bool ema)
{
    post([this, ema] { publishEma_ = ema; });
}

void TrainingWorker::postSaveModel(const QString& path)
{
    post([this, path] {
        saveModel(path.toStdString(), trainedModelOf(trainer_)); // InputError: reported by post()
        emit message(QStringLiteral("model saved to %1 (step %2)").arg(path).arg(trainer_.optimizer().state().step),
                     false);
    });
}

void TrainingWorker::postSaveScene(SceneDocument scene, const QString& path, bool autosave)
{
    post([this, scene = std::move(scene), path, autosave]() mutable {
        captureTraining(trainer_, scene);
        saveScene(path.toStdString(), scene); // InputError: reported by post(), the old file stays
        if (!autosave)
            emit message(QStringLiteral("scene saved to %1 (step %2)").arg(path).arg(trainer_.optimizer().state().step),
                         false);
        emit sceneSaved(path, autosave);
    });
}

} // namespace ss::app
