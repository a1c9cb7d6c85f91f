#include "engine/ModelMeasureWorker.h"

#include "engine/Boundary.h"

#include "core/Error.h"
#include "core/ScoreSource.h"
#include "core/ThreadPool.h"

#include <QTimer>

#include <algorithm>

namespace ss::app {

namespace {

// Runs a stage, keeping its InputError (a stiff flow over its budget, a level
// below a score's minimum std) as the stage's reason instead of a failed job.
template <typename F>
void stage(std::string& error, F&& f)
{
    try {
        f();
    } catch (const InputError& e) {
        error = e.what();
    }
}

} // namespace

ModelMeasureWorker::ModelMeasureWorker(std::shared_ptr<const Dataset> data, ModelMeasureSettings settings)
    : data_(std::move(data)), settings_(settings)
{
    kick_ = new QTimer(this);
    kick_->setSingleShot(true);
    kick_->setInterval(0);
    connect(kick_, &QTimer::timeout, this, [this] {
        QString error;
        if (!guarded([this] { runJob(); }, &error)) emit message(tr("model measurements: %1").arg(error), true);
        schedule(); // a newer network may be due already
    });
    pool_ = std::make_unique<ThreadPool>(1); // the calling thread alone: its niceness holds
    latest_.publish(std::make_shared<ModelMeasureSnapshot>());
    startRun();
}

ModelMeasureWorker::~ModelMeasureWorker() = default;

ModelMeasurePtr ModelMeasureWorker::latest() const { return latest_.latest(); }

void ModelMeasureWorker::post(bool invalidates, std::function<void()> apply)
{
    if (invalidates) {
        std::lock_guard lock(staleMutex_);
        ++stale_;
        cancel_ = true;
    }
    postGuarded(
        this, std::move(apply),
        [this, invalidates] {
            if (invalidates) {
                std::lock_guard lock(staleMutex_);
                cancel_ = --stale_ > 0;
            }
            schedule();
        },
        [this](const QString& error) { emit message(tr("model measurements: %1").arg(error), true); });
}

void ModelMeasureWorker::cancelForever()
{
    std::lock_guard lock(staleMutex_);
    stale_ += 1 << 20; // never cleared
    cancel_ = true;
}

void ModelMeasureWorker::postNetwork(std::shared_ptr<const ScoreNet> net, const NoiseSchedule& schedule,
                                     std::int64_t step)
{
    // A step that went back (a reset, a new model) or another schedule: the
    // history so far measured another run.
    const bool newRun = step < postedStep_ || schedule.name() != postedSchedule_;
    postedStep_ = step;
    postedSchedule_ = schedule.name();
    post(newRun, [this, newRun, net = std::move(net), schedule, step] {
        if (newRun) startRun();
        pending_ = Network{net, schedule, step};
    });
}

void ModelMeasureWorker::postData(std::shared_ptr<const Dataset> data)
{
    post(true, [this, data = std::move(data)] {
        data_ = data;
        startRun();
    });
}

void ModelMeasureWorker::postNewRun()
{
    postedStep_ = -1;
    post(true, [this] {
        pending_.reset(); // the new trainer's first network follows
        startRun();
    });
}

void ModelMeasureWorker::postSettings(const ModelMeasureSettings& settings)
{
    // Only the trace method changes what is measured; the refresh interval only when.
    const bool remeasure = settings.hutchinson != settings_.hutchinson || settings.points != settings_.points ||
                           settings.fisherSamples != settings_.fisherSamples;
    post(remeasure, [this, settings, remeasure] {
        settings_ = settings;
        if (remeasure) startRun();
    });
}

void ModelMeasureWorker::postEnabled(bool on)
{
    postedShown_ = on;
    postActive();
}

void ModelMeasureWorker::postLessonWants(bool on)
{
    postedLessonWants_ = on;
    postActive();
}

void ModelMeasureWorker::postActive()
{
    const bool on = postedShown_ || postedLessonWants_;
    post(!on, [this, on] { enabled_ = on; }); // off: the job in flight stops (its network is measured again)
}

void ModelMeasureWorker::startRun()
{
    ++run_;
    measuredStep_ = -1;
    restUntil_ = {}; // new inputs: measured at once
    exactNll_.reset();
    analyticNll_.reset();
    exactError_.clear();
    state_ = ModelMeasureSnapshot{};
    state_.run = run_;
    state_.hutchinson = settings_.hutchinson;
    if (data_ && data_->size() > 0) points_ = heldOutPoints(*data_, settings_.points);
    state_.points = int(points_.points.cols());
    state_.heldOut = points_.heldOut;
    publish(state_);
}

void ModelMeasureWorker::schedule()
{
    if (!enabled_ || !pending_ || kick_->isActive()) return;
    if (measuredStep_ >= 0 && pending_->step < measuredStep_ + settings_.refreshSteps) return;
    const auto rest = std::chrono::duration_cast<std::chrono::milliseconds>(restUntil_ - std::chrono::steady_clock::now());
    kick_->start(int(std::max<std::int64_t>(0, rest.count())));
}

void ModelMeasureWorker::publish(const ModelMeasureSnapshot& s)
{
    latest_.publish(std::make_shared<ModelMeasureSnapshot>(s));
    emit snapshotReady();
}

void ModelMeasureWorker::runJob()
{
    if (!enabled_ || !pending_ || cancelled() || points_.points.cols() == 0) return;
    const Network job = *pending_;
    const auto started = std::chrono::steady_clock::now();
    const double cpuStart = threadCpuSeconds();
    // A cancelled job's network counts as not measured (a hidden dock measures
    // it when shown again); one that threw (a bug) stays measured, not retried in a loop.
    struct Unfinished {
        ModelMeasureWorker* w;
        std::int64_t previous;
        bool finished = false;
        ~Unfinished()
        {
            if (finished) return;
            if (w->cancelled()) w->measuredStep_ = previous;
            emit w->progress(0, QString());
        }
    } guard{this, measuredStep_};
    measuredStep_ = job.step;
    int lastPercent = -1;
    QString stageName;
    auto report = [&](double fraction) {
        const int percent = int(100 * fraction);
        if (percent != lastPercent) emit this->progress(percent, stageName);
        lastPercent = percent;
    };
    auto begin = [&](const QString& name) {
        stageName = name;
        lastPercent = -1;
        report(0);
    };
    const NetworkScoreSource learned(*job.net);
    const auto exact = std::make_shared<ExactScoreSource>(data_);
    const Eigen::Matrix2Xd& x = points_.points;
    ModelMeasureSnapshot s = state_;
    s.step = job.step;
    s.schedule = job.schedule.name();
    const NoiseLevel scored = job.schedule.sdeMarginal(job.schedule.tEpsilon());
    s.scoredMean = scored.marginal.mean;
    s.scoredStd = scored.marginal.std;

    s.elbo.reset();
    s.elboWhyNot.clear();
    if (!hasDdpmElbo(job.schedule)) // said at once: nothing to wait for
        s.elboWhyNot = "The ELBO is a DDPM's bound: this model's schedule is '" + job.schedule.name() +
                       "', not a DDPM one (train with the DDPM objective on a linear or cosine schedule).";

    // 1. The held-out NLL: the learned flow, the exact flow and the closed form.
    NllPoint nll;
    nll.step = job.step;
    s.nllError.clear();
    begin(tr("likelihood"));
    stage(s.nllError, [&] {
        nll.learned = flowNll(learned, job.schedule, x, settings_.hutchinson, *pool_, &cancel_,
                              [&](double f) { report(exactNll_ || !exactError_.empty() ? f : 0.5 * f); });
    });
    if (cancelled()) return;
    if (!exactNll_ && exactError_.empty()) {
        stage(exactError_, [&] {
            exactNll_ = flowNll(*exact, job.schedule, x, settings_.hutchinson, *pool_, &cancel_,
                                [&](double f) { report(0.5 + 0.5 * f); });
        });
        if (cancelled()) return;
        if (!exactError_.empty()) exactError_ = "exact score: " + exactError_;
    }
    if (!analyticNll_ && data_->mixture) analyticNll_ = mixtureNll(*data_->mixture, x, scored.marginal);
    nll.exact = exactNll_;
    nll.analytic = analyticNll_;
    if (s.nllError.empty()) s.nllError = exactError_;
    s.nll.push_back(nll);
    publish(s);

    // 2. Fisher divergence per level, learned against exact.
    begin(tr("Fisher divergence"));
    s.fisherError.clear();
    stage(s.fisherError, [&] {
        const auto levels = fisherProfile(learned, *exact, *data_, fisherLevels(job.schedule, kFisherLevels),
                                          settings_.fisherSamples, 0, *pool_, &cancel_,
                                          [&](int done, int total) { report(double(done) / total); });
        if (!levels) return;
        s.fisher = *levels;
        FisherTrendPoint trend{job.step, {}};
        for (const FisherLevel& l : s.fisher) trend.divergence.push_back(l.value.divergence);
        s.fisherTrend.push_back(std::move(trend));
    });
    if (cancelled()) return;
    publish(s);

    // 3. The ELBO (DDPM schedules).
    if (hasDdpmElbo(job.schedule)) {
        begin(tr("ELBO"));
        stage(s.elboWhyNot, [&] {
            ElboConfig config;
            s.elbo = ddpmElbo(learned, job.schedule, x, config, *pool_, &cancel_,
                              [&](int done, int total) { report(double(done) / total); });
        });
        if (cancelled()) return;
        if (data_->mixture) s.cleanNll = mixtureNll(*data_->mixture, x, Marginal{1.0, 0.0});
    }
    s.cpuSeconds = threadCpuSeconds() - cpuStart;
    state_ = s;
    guard.finished = true;
    const auto now = std::chrono::steady_clock::now();
    restUntil_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>((now - started) * kRestFactor);
    publish(s);
    emit progress(100, QString()); // idle
}

} // namespace ss::app
