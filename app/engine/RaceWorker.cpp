#include "engine/RaceWorker.h"

#include "engine/Boundary.h"

#include <QElapsedTimer>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace ss::app {

double laneProgress(const Sampler& s)
{
    if (s.done()) return 1.0;
    const int total = s.totalSteps();
    if (total > 0) return double(s.stepsTaken()) / total;
    return std::clamp(1.0 - s.level().t, 0.0, 1.0); // adaptive: t runs from 1 to ~0
}

RaceWorker::RaceWorker(QObject* parent) : QObject(parent)
{
    timer_ = new QTimer(this);
    timer_->setInterval(kTickMs);
    connect(timer_, &QTimer::timeout, this, &RaceWorker::tick);
}

void RaceWorker::post(std::function<void()> apply)
{
    postGuarded(this, std::move(apply), [] {}, [this](const QString& error) { emit message(error, true); });
}

void RaceWorker::postRun(const RaceSpec& spec, const RaceScores& scores, const std::vector<int>& steps)
{
    cancel_ = true; // a sweep under way stops at its next step
    post([this, spec, scores, steps] {
        cancel_ = false;
        spec.validate(kRaceWindowMaxEntries);
        if (!scores.data) throw InputError("race: no data");
        if (steps.size() != spec.entries.size()) throw InputError("race: one step count per configuration");
        // Build every lane first: one that cannot run refuses the whole race, the old one stays.
        std::vector<Lane> lanes;
        for (std::size_t i = 0; i < spec.entries.size(); ++i) {
            const RaceEntry& e = spec.entries[i];
            Lane l;
            l.lane = std::make_unique<RaceLane>(scores, e, steps[i], spec.particles, spec.seed, 1);
            l.state.name = e.name;
            l.state.sampler = samplerKindName(e.sampler.kind);
            l.state.score = raceScoreName(e.score);
            l.state.schedule = l.lane->scheduleName();
            lanes.push_back(std::move(l));
        }
        lanes_ = std::move(lanes);
        spec_ = spec;
        data_ = scores.data;
        floor_ = raceFloor(spec, scores);
        clock_ = 0;
        elapsed_ = 0;
        timer_->start();
        publishLive();
    });
}

void RaceWorker::postStop()
{
    post([this] {
        timer_->stop();
        publishLive();
    });
}

void RaceWorker::tick()
{
    // A lane whose step throws (a sampler refusing a level) must not reach the
    // event loop: the race stops there and says why; its panels stay.
    QString error;
    if (!guarded([this] { advance(); }, &error)) {
        timer_->stop();
        publishLive();
        emit message(tr("The race stopped: %1").arg(error), true);
    }
}

void RaceWorker::advance()
{
    QElapsedTimer clock;
    clock.start();
    // The clock advances so the race takes kLiveSeconds at display rate; a lane
    // that is slower than that holds the others back (the picture stays in lockstep).
    const double target = std::min(1.0, clock_ + kTickMs / 1000.0 / kLiveSeconds);
    bool behind = false;
    for (Lane& l : lanes_) {
        const Sampler& s = l.lane->sampler();
        while (!s.done() && laneProgress(s) < target) {
            l.lane->step();
            if (clock.elapsed() > kTickBudgetMs) break;
        }
        behind = behind || (!s.done() && laneProgress(s) < target);
    }
    if (!behind) clock_ = target;
    elapsed_ += kTickMs / 1000.0;
    for (Lane& l : lanes_) {
        const Sampler& s = l.lane->sampler();
        if (s.done() && !l.state.done) { // measure once, when it finishes
            l.state.done = true;
            l.state.diverged = s.diverged();
            if (s.diverged()) {
                l.state.note = s.divergence()->describe();
            } else {
                const RaceQuality q = raceQuality(s.particles(), spec_, *data_);
                l.state.sw2 = q.sw2;
                l.state.modeTv = q.modeTv;
            }
        }
    }
    const bool running = std::any_of(lanes_.begin(), lanes_.end(), [](const Lane& l) { return !l.state.done; });
    if (!running) timer_->stop();
    publishLive();
}

void RaceWorker::publishLive()
{
    auto snap = std::make_shared<RaceLiveSnapshot>();
    for (Lane& l : lanes_) {
        const Sampler& s = l.lane->sampler();
        RaceLaneState state = l.state;
        state.particles = s.particles();
        state.evaluations = s.evaluations();
        state.stepsTaken = s.stepsTaken();
        state.totalSteps = s.totalSteps();
        state.level = s.level();
        snap->lanes.push_back(std::move(state));
    }
    snap->floor = floor_;
    snap->particles = spec_.particles;
    snap->running = timer_->isActive();
    snap->seconds = elapsed_;
    live_.publish(std::move(snap));
    emit liveReady();
}

void RaceWorker::postSweep(const RaceSpec& spec, const RaceScores& scores)
{
    cancel_ = true; // the sweep under way (if any) stops; this one starts after it
    post([this, spec, scores] {
        cancel_ = false;
        timer_->stop();
        sweep(spec, scores);
    });
}

void RaceWorker::sweep(const RaceSpec& spec, const RaceScores& scores)
{
    auto start = std::make_shared<RaceSweepSnapshot>();
    start->spec = spec;
    start->running = true;
    sweep_.publish(start);
    emit sweepReady();
    // Progress at most every 100 ms: the race calls back after every step.
    auto last = std::chrono::steady_clock::now();
    RaceOptions options;
    options.threads = 1;
    options.cancel = &cancel_;
    options.progress = [&](const RaceProgress& p) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last < std::chrono::milliseconds(100)) return;
        last = now;
        auto s = std::make_shared<RaceSweepSnapshot>();
        s->spec = spec;
        s->running = true;
        s->row = p.row;
        s->rows = p.rows;
        s->current = (p.entry ? p.entry->name : std::string()) + " at " +
            (p.steps > 0 ? std::to_string(p.steps) + " steps" : std::string("adaptive steps")) + " (" +
            std::to_string(p.stepsTaken) + (p.totalSteps > 0 ? " / " + std::to_string(p.totalSteps) : "") + ")";
        sweep_.publish(std::move(s));
        emit sweepReady();
    };
    auto done = std::make_shared<RaceSweepSnapshot>();
    done->spec = spec;
    try {
        done->result = runRace(spec, scores, options);
    } catch (...) {
        sweep_.publish(done); // not running: the panel shows the error instead
        emit sweepReady();
        throw;
    }
    done->row = done->rows = int(done->result.rows.size());
    sweep_.publish(std::move(done));
    emit sweepReady();
}

} // namespace ss::app
