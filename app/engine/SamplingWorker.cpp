#include "engine/SamplingWorker.h"

#include "engine/Boundary.h"
#include "state/TargetProfile.h"
#include "state/TiltedTarget.h"
#include "core/Error.h"
#include "core/ExactPosterior.h"
#include "core/Metrics.h"

#include <QElapsedTimer>

namespace ss::app {

SamplingWorker::SamplingWorker(const SamplingSetup& setup, int tickMs)
{
    timer_ = new QTimer(this);
    timer_->setInterval(tickMs);
    connect(timer_, &QTimer::timeout, this, &SamplingWorker::tick);
    rebuild(setup);
    publish();
}

ParticlesPtr SamplingWorker::latest() const { return latest_.latest(); }

std::shared_ptr<const ScoreSource> SamplingWorker::currentSource() const
{
    const bool learned = setup_.source == SourceKind::Learned && net_;
    std::shared_ptr<const ScoreSource> base;
    if (learned) base = learnedScoreSource(*net_, setup_.data.get());
    else base = std::make_shared<ExactScoreSource>(setup_.data);
    return guidedSource(std::move(base), learned ? net_.get() : nullptr, classifier_, setup_.guidance);
}

std::unique_ptr<Sampler> SamplingWorker::makeSampler(const SamplerConfig& config) const
{
    auto sampler = std::make_unique<Sampler>(config, setup_.schedule, currentSource(), 1);
    sampler->follow(followed_);
    if (setup_.sdedit.active()) {
        const auto& stroke = setup_.sdedit.points;
        // Each stroke point repeated over the particles, each copy noised on its own.
        Eigen::Matrix2Xd start(2, std::max<Eigen::Index>(config.particles, stroke->cols()));
        for (Eigen::Index j = 0; j < start.cols(); ++j) start.col(j) = stroke->col(j % stroke->cols());
        sampler->sdedit(start, setup_.sdedit.t0);
        return sampler;
    }
    if (config.direction == Direction::DataToNoise) {
        // Encoding starts from the data: its first `particles` points.
        const Eigen::Index n = std::min<Eigen::Index>(config.particles, setup_.data->points.cols());
        sampler->resetFrom(setup_.data->points.leftCols(n));
    }
    return sampler;
}

void SamplingWorker::rebuild(const SamplingSetup& setup)
{
    if (setup.stepsPerTick < 1 || setup.stepsPerTick > 100000)
        throw InputError("steps per frame must be in [1, 100000] (got " + std::to_string(setup.stepsPerTick) + ")");
    if (setup.trailLength < 1 || setup.trailLength > 1000)
        throw InputError("trail length must be in [1, 1000] (got " + std::to_string(setup.trailLength) + ")");
    const SamplingSetup previous = setup_;
    const auto previousClassifier = classifier_;
    setup_ = setup;
    try {
        // The classifier first: the guided score is made from it.
        if (setup_.guidance.kind == GuidanceKind::None) classifier_ = nullptr;
        else if (!classifier_ || setup_.data != previous.data) classifier_ = guidanceClassifier(setup_);
        sampler_ = makeSampler(setup_.sampler);
        target_ = targetProfile(setup_);
        tilted_ = classifier_ ? tiltedMap(setup_, *classifier_) : nullptr;
        if (!(setup_.guidance == previous.guidance && setup_.data == previous.data && setup_.sdedit == previous.sdedit))
            targetDistance_ = nullptr;
        startedRun();
    } catch (...) {
        setup_ = previous;
        classifier_ = previousClassifier;
        throw;
    }
    restartTrail();
    run_ = 0;
    if (resumeAfterDivergence_) { // it stopped only because the run diverged: the new one plays
        resumeAfterDivergence_ = false;
        playing_ = true;
        timer_->start();
    }
}

void SamplingWorker::stop()
{
    playing_ = false;
    timer_->stop();
}

void SamplingWorker::stepOnce()
{
    if (sampler_->diverged()) { // stays on screen until Play, Reset or new settings
        stop();
        return;
    }
    if (sampler_->done()) {
        if (!setup_.loop) {
            stop();
            return;
        }
        // Next run: the same settings with the next seed.
        SamplerConfig c = setup_.sampler;
        c.seed = setup_.sampler.seed + std::uint64_t(++run_);
        sampler_ = makeSampler(c);
        startedRun();
        restartTrail();
        return;
    }
    sampler_->step();
    if (sampler_->done() && !sampler_->diverged()) measureTarget();
    if (sampler_->diverged()) {
        const bool wasPlaying = playing_;
        stop();
        resumeAfterDivergence_ = wasPlaying;
        publish(); // the snapshot that says so goes before the message
        emit message(QString::fromStdString(sampler_->divergence()->describe(true)), true);
        return;
    }
    extendTrail();
}

void SamplingWorker::startedRun()
{
    posterior_ = nullptr;
    if (!setup_.sdedit.active() || !setup_.data) return;
    Rng rng(setup_.sampler.seed + std::uint64_t(run_) + 23);
    sdeditStart_ = sampler_->particles();
    sdeditLevel_ = sampler_->level().marginal;
    posterior_ = std::make_shared<const Eigen::Matrix2Xd>(samplePosterior(*setup_.data, sdeditLevel_, sdeditStart_, rng));
}

void SamplingWorker::measureTarget()
{
    constexpr int kProjections = 128;
    const std::uint64_t seed = setup_.sampler.seed + 17;
    if (posterior_) {
        // The floor: a second exact draw from the same noised start.
        Rng rng(seed);
        const Eigen::Matrix2Xd twin = samplePosterior(*setup_.data, sdeditLevel_, sdeditStart_, rng);
        targetDistance_ = std::make_shared<const TargetDistance>(
            TargetDistance{slicedWasserstein2(sampler_->particles(), *posterior_, kProjections, seed),
                           slicedWasserstein2(twin, *posterior_, kProjections, seed), run_,
                           "exact posterior draws p(x₀ | x_t₀)"});
        return;
    }
    const GuidanceConfig& g = setup_.guidance;
    if (!classifier_ || g.gamma < 0) return; // no exact draws of a negative tilt (ExactClassifier)
    Marginal end = sampler_->level().marginal;
    if (classifier_->needsNoise()) end.std = std::max(end.std, kMinPointSmoothing);
    const TiltedComparison c = compareWithTilted(*classifier_, end, g.label, g.gamma, sampler_->particles(), seed);
    targetDistance_ =
        std::make_shared<const TargetDistance>(TargetDistance{c.sw2, c.floor, run_, "the exact tilted target"});
}

void SamplingWorker::restartTrail()
{
    trail_.assign(1, sampler_->particles());
    trailMarks_.assign(1, {sampler_->stepsTaken(), sampler_->level()});
}

void SamplingWorker::extendTrail()
{
    trail_.push_back(sampler_->particles());
    trailMarks_.push_back({sampler_->stepsTaken(), sampler_->level()});
    while (int(trail_.size()) > setup_.trailLength) {
        trail_.pop_front();
        trailMarks_.pop_front();
    }
}

void SamplingWorker::tick()
{
    QString error;
    const bool ok = guarded(
        [this] {
            // A time budget as well as a step count: with many particles or
            // a slow source, stepsPerTick steps could take seconds, and the
            // messages queued behind the tick (pause, new settings) would wait
            // for them. At least one step runs per tick.
            QElapsedTimer clock;
            clock.start();
            for (int i = 0; i < setup_.stepsPerTick && playing_ && (i == 0 || clock.elapsed() < kTickBudgetMs); ++i) {
                if (sampler_->done() && !sampler_->diverged() && setup_.loop) {
                    // Let the finished run be seen for holdTicks display ticks.
                    if (held_ < setup_.holdTicks) {
                        ++held_;
                        break;
                    }
                    held_ = 0;
                }
                stepOnce();
                if (QThread::currentThread()->isInterruptionRequested()) return;
            }
        },
        &error);
    if (!ok) stop();
    publish();
    if (!ok) emit message(QStringLiteral("sampling stopped: %1").arg(error), true);
}

void SamplingWorker::publish()
{
    auto s = std::make_shared<ParticleSnapshot>();
    s->particles = sampler_->particles();
    s->trail = trail_;
    s->trailMarks = trailMarks_;
    s->lastStep = sampler_->lastStep();
    s->followed = sampler_->followed();
    s->trace = sampler_->trace();
    s->level = sampler_->level();
    s->step = sampler_->stepsTaken();
    s->totalSteps = sampler_->totalSteps();
    s->run = run_;
    s->evaluations = sampler_->evaluations();
    s->playing = playing_;
    s->done = sampler_->done();
    s->source = sampler_->source().describe();
    s->setup = setup_;
    // Exact also when guided (the source is then a wrapper around it).
    s->exactScore = setup_.source == SourceKind::Exact || !net_;
    s->divergence = sampler_->divergence();
    s->target = target_;
    s->tilted = tilted_;
    s->posterior = posterior_;
    s->targetDistance = targetDistance_;
    s->setupRequest = setupsHandled_;
    latest_.publish(std::move(s));
    emit snapshotReady();
}

template <typename F>
void SamplingWorker::post(F&& apply)
{
    // The snapshot first: a window reading latest() on the message sees the
    // settings kept (and can show them in its dock).
    postGuarded(this, std::forward<F>(apply), [this] { publish(); },
                [this](const QString& error) { emit message(error, true); });
}

void SamplingWorker::postPlay()
{
    playRequested_ = true;
    post([this] {
        if (sampler_->diverged()) rebuild(setup_); // a fresh run from the seed
        playing_ = true;
        timer_->start();
    });
}

void SamplingWorker::postFollow(std::vector<Eigen::Index> columns)
{
    post([this, columns = std::move(columns)] {
        followed_ = columns;
        sampler_->follow(followed_);
    });
}

void SamplingWorker::postPause()
{
    playRequested_ = false;
    post([this] {
        stop();
        resumeAfterDivergence_ = false;
    });
}

void SamplingWorker::postStep()
{
    playRequested_ = false;
    post([this] {
        stop();
        stepOnce();
    });
}

void SamplingWorker::postReset()
{
    post([this] { rebuild(setup_); });
}

void SamplingWorker::postSetup(const SamplingSetup& setup)
{
    const std::int64_t request = ++setupsPosted_;
    post([this, setup, request] {
        setupsHandled_ = request; // refused or not, answered by this post's snapshot
        rebuild(setup);
    });
}

void SamplingWorker::postSchedule(const NoiseSchedule& schedule)
{
    post([this, schedule] {
        sampler_->setSchedule(schedule); // validates; the run continues from its level
        setup_.schedule = schedule;
        target_ = targetProfile(setup_); // the end level may have moved
        tilted_ = classifier_ ? tiltedMap(setup_, *classifier_) : nullptr;
    });
}

void SamplingWorker::postNetwork(std::shared_ptr<const ScoreNet> net)
{
    post([this, net = std::move(net)] {
        net_ = net;
        if (setup_.source == SourceKind::Learned) sampler_->setScoreSource(currentSource());
    });
}

void SamplingWorker::postSource(SourceKind kind)
{
    const std::int64_t request = ++setupsPosted_;
    post([this, kind, request] {
        setupsHandled_ = request;
        setup_.source = kind;
        sampler_->setScoreSource(currentSource());
    });
}

void SamplingWorker::postCall(std::function<void()> f)
{
    post([f = std::move(f)] { f(); });
}

} // namespace ss::app
