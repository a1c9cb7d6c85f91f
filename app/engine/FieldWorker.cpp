#include "engine/FieldWorker.h"

#include "engine/Boundary.h"
#include "core/Error.h"


namespace ss::app {

FieldWorker::FieldWorker(std::shared_ptr<const Dataset> data, int minIntervalMs, int networkIntervalMs)
    : data_(std::move(data)), exact_(data_->exactScore())
{
    extendNoise();
    networkThrottle_ = new QTimer(this);
    networkThrottle_->setSingleShot(true);
    networkThrottle_->setInterval(networkIntervalMs);
    connect(networkThrottle_, &QTimer::timeout, this, [this] {
        if (!networkPending_) return;
        networkPending_ = false;
        networkThrottle_->start();
        schedule();
    });
    throttle_ = new QTimer(this);
    throttle_->setSingleShot(true);
    throttle_->setInterval(minIntervalMs);
    connect(throttle_, &QTimer::timeout, this, [this] {
        if (dirty_) compute();
    });
}

FieldPtr FieldWorker::latest() const { return latest_.latest(); }

void FieldWorker::post(std::function<void()> apply)
{
    postGuarded(this, std::move(apply), [] {}, [this](const QString& error) { emit message(error, true); });
}

void FieldWorker::postRequest(const FieldRequest& request)
{
    post([this, request] {
        if (haveRequest_ && request == request_) return;
        request_ = request;
        haveRequest_ = true;
        schedule();
    });
}

void FieldWorker::postNetwork(std::shared_ptr<const ScoreNet> net)
{
    post([this, net = std::move(net)] {
        const bool first = !net_;
        net_ = net;
        if (networkThrottle_->isActive() && !first) {
            networkPending_ = true; // taken when the interval ends
            return;
        }
        networkThrottle_->start();
        schedule();
    });
}

void FieldWorker::postData(std::shared_ptr<const Dataset> data)
{
    post([this, data = std::move(data)] {
        exact_ = data->exactScore();
        data_ = data;
        extendNoise();
        schedule();
    });
}

void FieldWorker::extendNoise() { noise_ = noisedDataNoise(data_->points.cols(), noise_); }

void FieldWorker::schedule()
{
    dirty_ = true;
    if (!throttle_->isActive()) compute(); // else the throttle's timeout computes the newest state
}

void FieldWorker::compute()
{
    if (!haveRequest_) return;
    dirty_ = false;
    throttle_->start();
    const FieldRequest r = request_;
    auto s = std::make_shared<FieldSnapshot>();
    QString error;
    if (!guarded([&] { *s = computeField(r, *data_, *exact_, net_.get(), noise_); }, &error)) {
        emit message(QStringLiteral("field: %1").arg(error), true);
        return;
    }
    latest_.publish(std::move(s));
    emit snapshotReady();
}

} // namespace ss::app
