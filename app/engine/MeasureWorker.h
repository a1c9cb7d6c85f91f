#pragma once
// The measurement worker: the sample quality of the particles on screen
// against the data (core/Metrics.h compareSamples: sliced W2, MMD, energy
// distance, precision / recall, mean exact log-density and mode weights of a
// mixture), each beside its noise floor, computed on its own thread.
//
// Newest wins: particle snapshots and data arrive as messages; only the newest
// particles are measured, at most once per intervalMs, so a sampler publishing
// at display rate costs one measurement a second (a few tenths of a second of
// one core at 2,000 particles). New data re-measures the particles at once.
//
// The noise floor is what a perfect sampler scores with as many particles: an
// independent draw of the data's law when the data is an analytic mixture,
// else two disjoint halves of the data (core/NoiseFloor.h). It is computed
// once per data set and particle count.
#include "engine/Mailbox.h"
#include "engine/WorkerThread.h"
#include "state/SamplingSetup.h"

#include "core/Metrics.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ss::app {

struct MeasureSnapshot {
    SampleMetrics metrics;           // particles against the data
    std::optional<SampleMetrics> floor; // a perfect sampler's, with as many particles (none: too few points)
    bool floorFromLaw = false;       // the floor is an exact draw of the mixture (else: halves of the data)
    std::vector<double> trueWeights; // the mixture's weights (empty: not a mixture)
    int particles = 0, dataPoints = 0;
    int step = 0, totalSteps = 0, run = 0; // the sampler's, when measured
    bool done = false;               // the run had finished
    bool exactScore = false;
    std::string sampler;             // "annealed (learned score)"
    double seconds = 0;              // how long the measurement took
    std::int64_t serial = 0;
};
using MeasurePtr = std::shared_ptr<const MeasureSnapshot>;

class MeasureWorker : public QObject {
    Q_OBJECT
public:
    static constexpr int kMinPoints = 12; // precision / recall need k + 1 points per set
    explicit MeasureWorker(std::shared_ptr<const Dataset> data, int intervalMs = 1000);

    MeasurePtr latest() const; // null until the first measurement

    void postParticles(ParticlesPtr particles);
    void postData(std::shared_ptr<const Dataset> data);
    void postEnabled(bool on); // off: nothing is measured (the dock is hidden)

signals:
    void snapshotReady();
    void message(const QString& text, bool isError);

private:
    void post(std::function<void()> apply);
    void schedule();
    void measure();

    std::shared_ptr<const Dataset> data_;
    ParticlesPtr pending_;            // the newest particles not yet measured
    ParticlesPtr measured_;           // the snapshot measured last (a new pointer is new particles)
    bool enabled_ = true;
    QTimer* throttle_ = nullptr;
    // The floor for (data_, floorParticles_).
    std::optional<SampleMetrics> floor_;
    int floorParticles_ = -1;
    Mailbox<MeasureSnapshot> latest_;
};

class MeasureThread : public WorkerThread<MeasureWorker> {
public:
    template <typename... Args>
    explicit MeasureThread(Args&&... args) : WorkerThread("measure", std::forward<Args>(args)...)
    {
    }
};

} // namespace ss::app
