#include "engine/DensityWorker.h"

#include "engine/Boundary.h"

#include <QMetaObject>

#include <chrono>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ss::app {

namespace {

constexpr int kNiceness = 8; // below training (0) and the field worker (6)

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void lowerPriority()
{
#ifdef __linux__
    setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), kNiceness);
#endif
}

} // namespace

DensityWorker::DensityWorker(std::shared_ptr<const Dataset> data) { wanted_.data = std::move(data); }

DensityPtr DensityWorker::latest() const { return latest_.latest(); }

template <typename Change>
void DensityWorker::want(Change&& change, bool cancel)
{
    {
        std::lock_guard lock(mutex_);
        if (!change(wanted_)) return; // nothing changed
        ++version_;
        // Under the lock: a run that takes this version clears the flag after
        // it is set, so only the run before it is cancelled.
        if (cancel) cancel_ = true;
    }
    QMetaObject::invokeMethod(this, [this] { runIfWanted(); }, Qt::QueuedConnection);
}

void DensityWorker::postRequest(const DensityRequest& request)
{
    want(
        [&](Wanted& w) {
            if (w.haveRequest && w.request.sameAs(request)) return false;
            w.request = request;
            w.haveRequest = true;
            return true;
        },
        true);
}

void DensityWorker::postNetwork(std::shared_ptr<const ScoreNet> net)
{
    const qint64 started = runStartedMs_;
    const bool stale = started >= 0 && steadyMs() - started > kStaleMs;
    want(
        [&](Wanted& w) {
            if (w.net == net) return false;
            w.net = std::move(net);
            return true;
        },
        stale);
}

void DensityWorker::postData(std::shared_ptr<const Dataset> data)
{
    want(
        [&](Wanted& w) {
            if (w.data == data) return false;
            w.data = std::move(data);
            return true;
        },
        true);
}

void DensityWorker::postEnabled(bool on)
{
    want(
        [&](Wanted& w) {
            if (w.enabled == on) return false;
            w.enabled = on;
            return true;
        },
        !on);
}

void DensityWorker::stop()
{
    stopped_ = true;
    cancel_ = true;
}

void DensityWorker::runIfWanted()
{
    Wanted w;
    {
        std::lock_guard lock(mutex_);
        if (version_ == done_ || stopped_) return; // already computed (or computing: this call is queued behind it)
        done_ = version_;
        w = wanted_;
        cancel_ = false;
    }
    if (!w.enabled || !w.haveRequest || !w.net || !w.data) return;
    QString error;
    runStartedMs_ = steadyMs();
    const bool ok = guarded([&] { run(w); }, &error);
    runStartedMs_ = -1;
    if (!ok) emit message(QStringLiteral("model density: %1").arg(error), true);
}

void DensityWorker::run(const Wanted& w)
{
    if (!pool_) {
        pool_ = std::make_unique<ThreadPool>(0);
        pool_->run([](int) { lowerPriority(); }); // every thread of the pool, this one included
    }
    if (exactOf_ != w.data.get()) {
        exact_ = w.data->exactScore();
        exactOf_ = w.data.get();
    }
    const NetworkScoreSource source(*w.net);
    const DensityRequest& r = w.request;
    const ModelDensityConfig config;
    computeModelDensity(source, r.schedule, r.level, r.region, config, *pool_, &cancel_, [&](const DensityLevel& l) {
        auto s = std::make_shared<DensitySnapshot>();
        s->region = r.region;
        s->level = r.level;
        s->size = l.size;
        s->finalSize = config.sizes.back();
        s->seconds = l.seconds;
        s->logModel = l.logDensity.cast<float>();
        Eigen::Matrix2Xd x(2, l.size * l.size);
        for (int i = 0; i < l.size; ++i)
            for (int j = 0; j < l.size; ++j) x.col(i * l.size + j) = densityNode(r.region, l.size, i, j);
        Eigen::VectorXd logp(x.cols());
        exact_->logDensity(x, r.level.marginal, logp);
        s->logTrue = Eigen::Map<const Eigen::MatrixXd>(logp.data(), l.size, l.size).transpose().array().cast<float>();
        latest_.publish(std::move(s));
        emit snapshotReady();
    });
}

} // namespace ss::app
