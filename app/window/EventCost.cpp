#include "window/EventCost.h"

#include <QEvent>
#include <QMetaEnum>
#include <QObject>

#include <ctime>

namespace ss::window {

double EventCost::cpuClockMs(clockid_t clock)
{
    timespec t{};
    if (clock_gettime(clock, &t) != 0) return 0;
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

double EventCost::threadCpuMs() { return cpuClockMs(CLOCK_THREAD_CPUTIME_ID); }

void EventCost::begin(const QObject* receiver, const QEvent* event)
{
    if (depth_++ != 0) return;
    type_ = int(event->type());
    receiverClass_ = receiver ? receiver->metaObject()->className() : "?";
    startMs_ = threadCpuMs();
}

void EventCost::end()
{
    if (--depth_ != 0) return;
    const double ms = threadCpuMs() - startMs_;
    const std::lock_guard lock(mutex_);
    if (ms <= longestMs_) return;
    longestMs_ = ms;
    const char* type = QMetaEnum::fromType<QEvent::Type>().valueToKey(type_);
    longestWhat_ = QStringLiteral("%1 to %2")
                       .arg(type ? QString::fromLatin1(type) : QString::number(type_), QString::fromLatin1(receiverClass_));
}

double EventCost::longestMs() const
{
    const std::lock_guard lock(mutex_);
    return longestMs_;
}

QString EventCost::longestWhat() const
{
    const std::lock_guard lock(mutex_);
    return longestWhat_;
}

void EventCost::reset()
{
    const std::lock_guard lock(mutex_);
    longestMs_ = 0;
    longestWhat_.clear();
}

} // namespace ss::window
