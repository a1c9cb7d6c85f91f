#include "engine/MeasureWorker.h"

#include "engine/Boundary.h"

#include "core/NoiseFloor.h"
#include "core/Rng.h"

#include <QElapsedTimer>

#include <algorithm>

namespace ss::app {

namespace {
constexpr int kProjections = 128;
constexpr std::uint64_t kSeed = 0;
} // namespace

MeasureWorker::MeasureWorker(std::shared_ptr<const Dataset> data, int intervalMs) : data_(std::move(data))
{
    throttle_ = new QTimer(this);
    throttle_->setSingleShot(true);
    throttle_->setInterval(intervalMs);
    connect(throttle_, &QTimer::timeout, this, &MeasureWorker::measure);
}

MeasurePtr MeasureWorker::latest() const { return latest_.latest(); }

void MeasureWorker::post(std::function<void()> apply)
{
    postGuarded(this, std::move(apply), [] {}, [this](const QString& error) { emit message(error, true); });
}

void MeasureWorker::postParticles(ParticlesPtr particles)
{
    post([this, particles = std::move(particles)] {
        pending_ = particles;
        schedule();
    });
}

void MeasureWorker::postData(std::shared_ptr<const Dataset> data)
{
    post([this, data = std::move(data)] {
        data_ = data;
        floor_.reset();
        floorParticles_ = -1;
        measured_.reset(); // the same particles measure differently against new data
        schedule();
    });
}

void MeasureWorker::postEnabled(bool on)
{
    post([this, on] {
        enabled_ = on;
        schedule();
    });
}

void MeasureWorker::schedule()
{
    if (enabled_ && pending_ && !throttle_->isActive()) throttle_->start();
}

void MeasureWorker::measure()
{
    if (!enabled_ || !pending_ || !data_) return;
    const ParticlesPtr p = pending_;
    if (p == measured_) return; // nothing new
    measured_ = p;
    const int n = int(p->particles.cols()), m = int(data_->points.cols());
    if (n < kMinPoints || m < kMinPoints || !p->particles.allFinite()) return;
    QElapsedTimer clock;
    clock.start();
    const GaussianMixture* mixture = data_->mixture ? &*data_->mixture : nullptr;
    auto s = std::make_shared<MeasureSnapshot>();
    s->metrics = compareSamples(p->particles, data_->points, mixture, kProjections, kSeed);
    if (floorParticles_ != n) {
        // A perfect sampler: an exact draw of the law (a mixture), else the data's two halves.
        floor_.reset();
        if (mixture) {
            Rng rng(0x5eed + std::uint64_t(n));
            floor_ = compareSamples(mixture->sample(n, rng), data_->points, mixture, kProjections, kSeed);
        } else if (m >= 2 * kMinPoints) {
            floor_ = splitNoiseFloor(data_->points, nullptr, kProjections, kSeed);
        }
        floorParticles_ = n;
    }
    s->floor = floor_;
    s->floorFromLaw = mixture != nullptr;
    if (mixture) s->trueWeights = mixture->weights();
    s->particles = n;
    s->dataPoints = m;
    s->step = p->step;
    s->totalSteps = p->totalSteps;
    s->run = p->run;
    s->done = p->done;
    s->exactScore = p->exactScore;
    s->sampler = !p->flow.empty() ? p->flow
                                  : samplerKindName(p->setup.sampler.kind) + (p->exactScore ? " (exact score)" : " (learned score)");
    s->seconds = clock.nsecsElapsed() * 1e-9;
    latest_.publish(std::move(s));
    emit snapshotReady();
    if (pending_ != measured_) schedule(); // newer particles arrived meanwhile
}

} // namespace ss::app
