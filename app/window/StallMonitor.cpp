#include "window/StallMonitor.h"

#include <algorithm>

namespace ss::window {

StallMonitor::StallMonitor(QObject* parent) : QObject(parent), thread_([this] { watch(); }) {}

StallMonitor::~StallMonitor()
{
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
    // A ping still queued is dropped with this object (QObject removes its posted events).
}

void StallMonitor::watch()
{
    std::unique_lock lock(mutex_);
    while (!stop_) {
        const std::uint64_t id = ++posted_;
        postedAt_ = Clock::now();
        lock.unlock();
        QMetaObject::invokeMethod(this, [this, id] { served(id); }, Qt::QueuedConnection);
        lock.lock();
        wake_.wait(lock, [&] { return stop_ || answered_ == id; });
        wake_.wait_for(lock, std::chrono::milliseconds(kPingMs), [&] { return stop_; });
    }
}

void StallMonitor::served(std::uint64_t id)
{
    const Clock::time_point now = Clock::now();
    {
        const std::lock_guard lock(mutex_);
        if (id != posted_) return; // cannot happen: one ping at a time
        const double ms = std::chrono::duration<double, std::milli>(now - postedAt_).count();
        longestMs_ = std::max(longestMs_, ms);
        ++pings_;
        if (ms > kKeepOverMs && slow_.size() < kMaxKept) slow_.push_back(ms);
        answered_ = id;
    }
    wake_.notify_all();
}

double StallMonitor::longestMs() const
{
    const std::lock_guard lock(mutex_);
    double longest = longestMs_;
    if (answered_ != posted_) // a ping waiting now
        longest = std::max(longest, std::chrono::duration<double, std::milli>(Clock::now() - postedAt_).count());
    return longest;
}

int StallMonitor::countOver(double ms) const
{
    const std::lock_guard lock(mutex_);
    return int(std::count_if(slow_.begin(), slow_.end(), [ms](double d) { return d > ms; }));
}

int StallMonitor::pings() const
{
    const std::lock_guard lock(mutex_);
    return pings_;
}

void StallMonitor::reset()
{
    const std::lock_guard lock(mutex_);
    longestMs_ = 0;
    pings_ = 0;
    slow_.clear();
    // A ping in flight keeps its post time: a reset during a stall counts that
    // stall whole, from before the reset (an overestimate, never a miss).
}

} // namespace ss::window
