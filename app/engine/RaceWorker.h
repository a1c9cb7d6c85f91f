#pragma once
// The sampler race's worker (the "Compare samplers" dock), on its own thread:
//  - the live race: one core/Race.h lane per configuration, all from the same
//    noise, stepped in lockstep by the fraction of their run (a 20-step DDIM
//    takes one step while a 1,000-step DDPM takes 50, so every lane is at the
//    same noise level at the same moment), published as immutable snapshots
//    at display rate; each lane's quality (sliced W2, mode-weight error)
//    against the data is measured when it finishes, beside the noise floor;
//  - the sweep: runRace over the step counts (quality against NFE), with the
//    learned and the exact score as separate curves, progress published as it
//    goes, cancellable at any step (cancelSweep, from any thread).
// Starting either stops the other. Errors (a configuration that cannot run)
// come back as message(text, true); the previous result stays on screen.
#include "engine/Mailbox.h"
#include "engine/WorkerThread.h"

#include "core/Race.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ss::app {

// One lane of the live race, as drawn.
struct RaceLaneState {
    std::string name, sampler, score, schedule;
    Eigen::Matrix2Xd particles;
    long long evaluations = 0; // NFE per particle so far
    int stepsTaken = 0, totalSteps = 0;
    NoiseLevel level;
    bool done = false, diverged = false;
    std::string note;         // the divergence
    double sw2 = kRaceNaN, modeTv = kRaceNaN; // measured when done
};

struct RaceLiveSnapshot {
    std::vector<RaceLaneState> lanes;
    RaceFloor floor;
    int particles = 0;
    bool running = false; // lanes still stepping
    double seconds = 0;   // since the start
    std::int64_t serial = 0;
};
using RaceLivePtr = std::shared_ptr<const RaceLiveSnapshot>;

struct RaceSweepSnapshot {
    RaceSpec spec;
    RaceResult result;       // rows so far (complete when !running)
    int row = 0, rows = 0;   // progress: the run under way, of how many
    std::string current;     // "DDIM η=0 at 50 steps (12 / 50)"
    bool running = false;
    std::int64_t serial = 0;
};
using RaceSweepPtr = std::shared_ptr<const RaceSweepSnapshot>;

class RaceWorker : public QObject {
    Q_OBJECT
public:
    // The whole live race lasts about this long when the lanes are fast enough.
    static constexpr double kLiveSeconds = 6.0;
    static constexpr int kTickMs = 16, kTickBudgetMs = 30;

    explicit RaceWorker(QObject* parent = nullptr);

    RaceLivePtr latestLive() const { return live_.latest(); }    // null before the first run
    RaceSweepPtr latestSweep() const { return sweep_.latest(); } // null before the first sweep

    // Entry i at steps[i] (core/Race.h's meaning of steps; spec.steps is not used).
    void postRun(const RaceSpec& spec, const RaceScores& scores, const std::vector<int>& steps);
    void postStop();
    // The sweep over spec.steps; replaces a sweep under way.
    void postSweep(const RaceSpec& spec, const RaceScores& scores);
    void cancelSweep() { cancel_ = true; } // any thread

signals:
    void liveReady();
    void sweepReady();
    void message(const QString& text, bool isError);

private:
    void post(std::function<void()> apply);
    void tick();    // advance(), guarded
    void advance(); // the lanes one display tick further; measures the ones that finished
    void publishLive();
    void sweep(const RaceSpec& spec, const RaceScores& scores);

    struct Lane {
        std::unique_ptr<RaceLane> lane;
        RaceLaneState state;
    };
    std::vector<Lane> lanes_;
    RaceSpec spec_;
    std::shared_ptr<const Dataset> data_;
    RaceFloor floor_;
    double clock_ = 0;  // the lockstep fraction of the run every lane has reached
    double elapsed_ = 0;
    QTimer* timer_ = nullptr;
    std::atomic<bool> cancel_{false};
    Mailbox<RaceLiveSnapshot> live_;
    Mailbox<RaceSweepSnapshot> sweep_;
};

class RaceThread : public WorkerThread<RaceWorker> {
public:
    RaceThread() : WorkerThread("race") {}
};

// A lane's progress through its run in [0, 1]: steps taken over steps
// planned, or for an adaptive solver (no plan) how far its time has come.
double laneProgress(const Sampler& s);

} // namespace ss::app
