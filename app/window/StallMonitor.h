#pragma once
// How long the GUI thread's event loop was kept from serving events (issue 11:
// no single piece of GUI-thread work over 30 ms). A watchdog thread posts a
// timestamped call to the GUI thread, waits until the event loop has run it,
// sleeps kPingMs and posts the next. Each call's delay, from the post to the
// moment the GUI thread runs it, is how long the loop was busy (or blocked)
// before it could serve a new event, such as a click or a repaint.
//
// Resolution: a stall that begins just after a ping was served is seen from the
// next post on, so a stall is under-measured by at most kPingMs plus the
// watchdog's wake-up latency. A delay also includes the time the OS takes to
// schedule the GUI thread once the event is posted: on an idle machine well
// under 1 ms, on a loaded one (training threads on every core) several ms.
// Events queued before a ping are served first, so a burst of many short
// events reads as one stall of their total (as a user feels it).
//
// The GUI thread's own CPU time over the longest stall is kept too: a stall
// with little of it was spent waiting (for a core, or a lock), not working.
//
// Made and destroyed on the GUI thread (the thread whose loop it measures);
// the readers are thread-safe.
#include <QObject>

#include <chrono>
#include <ctime>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace ss::window {

class StallMonitor : public QObject {
public:
    static constexpr int kPingMs = 2;

    explicit StallMonitor(QObject* parent = nullptr);
    ~StallMonitor() override;

    // The longest delay since construction or reset(), in ms, including that
    // of a ping still waiting (a stall in progress).
    double longestMs() const;
    // The GUI thread's CPU time from the post to the serving of the longest
    // served ping, in ms (0 where the thread's CPU clock cannot be read).
    double longestCpuMs() const;
    // Served pings that waited longer than ms (>= kKeepOverMs) since
    // construction or reset().
    int countOver(double ms) const;
    static constexpr double kKeepOverMs = 5;
    int pings() const; // served pings since construction or reset()
    void reset();

private:
    using Clock = std::chrono::steady_clock;
    void watch();              // the watchdog thread's loop
    void served(std::uint64_t id); // on the GUI thread

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::uint64_t posted_ = 0, answered_ = 0; // ping serials
    Clock::time_point postedAt_{};
    double postedCpuMs_ = 0;
    double longestMs_ = 0, longestCpuMs_ = 0;
    clockid_t guiCpuClock_{};
    bool haveGuiCpuClock_ = false;
    double guiCpuMs() const; // the GUI thread's CPU clock, from any thread
    int pings_ = 0;
    std::vector<double> slow_; // delays over kKeepOverMs since reset (at most kMaxKept)
    static constexpr std::size_t kMaxKept = 100000;
    std::thread thread_; // last: started once the members above exist
};

} // namespace ss::window
