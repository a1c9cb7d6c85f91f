#pragma once
// The GUI thread's own work, event by event (issue 11: no single piece of
// GUI-thread work over 30 ms). Application::notify measures each event it
// dispatches on the GUI thread, outermost dispatch only (an event handled
// inside another, e.g. a nested loop, counts in its parent): the thread's CPU
// time (CLOCK_THREAD_CPUTIME_ID, so not the time the thread waited for a core
// on a busy machine; StallMonitor measures that wait as well) and what it was.
// Off until enable() (the frame benchmark): the clock reads cost a syscall.
#include <QString>

#include <ctime>
#include <mutex>

class QEvent;
class QObject;

namespace ss::window {

class EventCost {
public:
    void enable() { enabled_ = true; }
    bool enabled() const { return enabled_; }
    // Application::notify, GUI thread: around one dispatch (what it was is
    // read before: the receiver may be gone after, e.g. a deferred delete).
    void begin(const QObject* receiver, const QEvent* event);
    void end();

    // The longest event's CPU time (ms) since enable() or reset(), and what it
    // was ("Timer to ss::window::TrainingPanel"). Thread-safe.
    double longestMs() const;
    QString longestWhat() const;
    void reset();

    // A CPU-time clock (a thread's, from pthread_getcpuclockid or
    // CLOCK_THREAD_CPUTIME_ID) in ms; 0 where it cannot be read.
    static double cpuClockMs(clockid_t clock);

private:
    static double threadCpuMs();
    bool enabled_ = false;
    int depth_ = 0;        // GUI thread only
    double startMs_ = 0;   // GUI thread only
    int type_ = 0;                       // the outermost event's type
    const char* receiverClass_ = nullptr; // static meta-object data: outlives the receiver
    mutable std::mutex mutex_;
    double longestMs_ = 0;
    QString longestWhat_;
};

} // namespace ss::window
