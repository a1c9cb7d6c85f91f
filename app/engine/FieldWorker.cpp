#include "FieldWorker.h"

#include "Boundary.h"
#include "Error.h"
#include "Rng.h"

#include <QMetaObject>

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

FieldPtr FieldWorker::latest() const
{
    std::lock_guard lock(mutex_);
    return latest_;
}

void FieldWorker::postRequest(const FieldRequest& request)
{
    QMetaObject::invokeMethod(
        this,
        [this, request] {
            if (haveRequest_ && request == request_) return;
            request_ = request;
            haveRequest_ = true;
            schedule();
        },
        Qt::QueuedConnection);
}

void FieldWorker::postNetwork(std::shared_ptr<const ScoreNet> net)
{
    QMetaObject::invokeMethod(
        this,
        [this, net = std::move(net)] {
            const bool first = !net_;
            net_ = net;
            if (networkThrottle_->isActive() && !first) {
                networkPending_ = true; // taken when the interval ends
                return;
            }
            networkThrottle_->start();
            schedule();
        },
        Qt::QueuedConnection);
}

void FieldWorker::postData(std::shared_ptr<const Dataset> data)
{
    QMetaObject::invokeMethod(
        this,
        [this, data = std::move(data)] {
            QString error;
            const bool ok = guarded(
                [&] {
                    exact_ = data->exactScore();
                    data_ = data;
                    extendNoise();
                    schedule();
                },
                &error);
            if (!ok) emit message(error, true);
        },
        Qt::QueuedConnection);
}

void FieldWorker::extendNoise() { noise_ = noisedDataNoise(data_->points.cols(), noise_); }

FieldSnapshot computeField(const FieldRequest& r, const Dataset& data, const ExactScore& exact, const ScoreNet* net,
                           const Eigen::Matrix2Xd& noise)
{
    FieldSnapshot s;
    s.request = r;
    s.hasNetwork = net != nullptr;
    // Arrow grid: cell centres.
    const int n = std::clamp(r.arrows, 2, 256);
    s.grid.resize(2, n * n);
    for (int iy = 0; iy < n; ++iy)
        for (int ix = 0; ix < n; ++ix)
            s.grid.col(iy * n + ix) << r.xMin + (ix + 0.5) * (r.xMax - r.xMin) / n,
                r.yMin + (iy + 0.5) * (r.yMax - r.yMin) / n;
    s.exact.resize(2, s.grid.cols());
    exact.score(s.grid, r.level.marginal, s.exact);
    if (net) {
        s.learned.resize(2, s.grid.cols());
        net->score(s.grid, r.level, -1, s.learned);
    }
    const Eigen::Index shown = std::min(noise.cols(), data.points.cols());
    s.noised = r.level.marginal.mean * data.points.leftCols(shown) + r.level.marginal.std * noise.leftCols(shown);
    // Heat maps: cell centres of an m x m grid.
    const int m = std::clamp(r.heat, 2, 1024);
    Eigen::Matrix2Xd cells(2, m * m);
    for (int iy = 0; iy < m; ++iy)
        for (int ix = 0; ix < m; ++ix)
            cells.col(iy * m + ix) << r.xMin + (ix + 0.5) * (r.xMax - r.xMin) / m,
                r.yMin + (iy + 0.5) * (r.yMax - r.yMin) / m;
    Eigen::VectorXd logp(cells.cols());
    exact.logDensity(cells, r.level.marginal, logp);
    s.logDensity = Eigen::Map<const Eigen::ArrayXXd>(logp.data(), m, m).transpose().cast<float>();
    if (net && r.error) {
        Eigen::Matrix2Xd e(2, cells.cols()), l(2, cells.cols());
        exact.score(cells, r.level.marginal, e);
        net->score(cells, r.level, -1, l);
        const Eigen::ArrayXd err = logp.array().exp() * (l - e).colwise().squaredNorm().transpose().array();
        s.error = Eigen::Map<const Eigen::ArrayXXd>(err.data(), m, m).transpose().cast<float>();
    }
    return s;
}

Eigen::Matrix2Xd noisedDataNoise(Eigen::Index count, const Eigen::Matrix2Xd& kept)
{
    // Kept columns: points drawn with the mouse are appended, so the points
    // already shown keep their noise while a stroke grows the set.
    const Eigen::Index n = std::min(count, FieldWorker::kMaxNoised), k = std::min(n, kept.cols());
    Eigen::Matrix2Xd next(2, n);
    next.leftCols(k) = kept.leftCols(k);
    Rng rng(0x6e6f69736564ull + std::uint64_t(kept.cols())); // "noised", per extension
    for (Eigen::Index j = k; j < n; ++j) next.col(j) << rng.normal(), rng.normal();
    return next;
}

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
    s->serial = ++serial_;
    {
        std::lock_guard lock(mutex_);
        latest_ = std::move(s);
    }
    emit snapshotReady();
}

} // namespace ss::app
