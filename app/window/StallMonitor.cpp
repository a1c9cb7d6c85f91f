#include "window/StallMonitor.h"

#include "window/EventCost.h"

#include <algorithm>

#include <pthread.h>

namespace ss::window {

StallMonitor::StallMonitor(QObject* parent)
    : QObject(parent),
      haveGuiCpuClock_(pthread_getcpuclockid(pthread_self(), &guiCpuClock_) == 0),
      thread_([this] { watch(); })
{
}

double StallMonitor::guiCpuMs() const { return haveGuiCpuClock_ ? EventCost::cpuClockMs(guiCpuClock_) : 0; }

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
        postedCpuMs_ = guiCpuMs();
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
    const double cpuMs = guiCpuMs();
    {
        const std::lock_guard lock(mutex_);
        if (id != posted_) return; // cannot happen: one ping at a time
        const double ms = std::chrono::duration<double, std::milli>(now - postedAt_).count();
        if (ms > longestMs_) {
            longestMs_ = ms;
            longestCpuMs_ = std::max(0.0, cpuMs - postedCpuMs_);
        }
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

double StallMonitor::longestCpuMs() const
{
    const std::lock_guard lock(mutex_);
    return longestCpuMs_;
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
    longestCpuMs_ = 0;
    pings_ = 0;
    slow_.clear();
    // A ping in flight keeps its post time: a reset during a stall counts that
    // stall whole, from before the reset (an overestimate, never a miss).
}

} // namespace ss::window
