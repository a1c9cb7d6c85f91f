#pragma once
// Where an exception stops: every worker slot, timer and posted change runs
// its work through guarded() and reports the text as a message, and the
// application's last line of defence (window/Application) uses
// exceptionText() for anything that still gets through. Nothing reaches
// std::terminate. An InputError says what was wrong with the input; any other
// exception is a bug or resource exhaustion and is labelled as such.
#include "core/Error.h"

#include <QMetaObject>
#include <QObject>
#include <QString>

#include <exception>
#include <new>
#include <utility>

namespace ss::app {

inline QString exceptionText(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const InputError& x) {
        return QString::fromUtf8(x.what());
    } catch (const std::bad_alloc&) {
        return QStringLiteral("out of memory");
    } catch (const std::exception& x) {
        return QStringLiteral("internal error: %1").arg(QString::fromUtf8(x.what()));
    } catch (...) {
        return QStringLiteral("internal error (an unknown exception)");
    }
}

// Runs f(); true when it returned, false (with what it threw in *error) when
// it threw.
template <typename F>
bool guarded(F&& f, QString* error)
{
    try {
        f();
        return true;
    } catch (...) {
        if (error) *error = exceptionText(std::current_exception());
        return false;
    }
}

// A message to a worker: apply() runs later on the receiver's thread (queued),
// guarded; then after() runs whatever happened (a worker publishes the state
// kept, so a window reading latest() on the error sees it; a failure of
// after() itself is dropped), and last, when apply() threw, report(text).
// The one way the workers' post* methods reach their thread.
template <typename Apply, typename After, typename Report>
void postGuarded(QObject* receiver, Apply&& apply, After&& after, Report&& report)
{
    QMetaObject::invokeMethod(
        receiver,
        [apply = std::forward<Apply>(apply), after = std::forward<After>(after),
         report = std::forward<Report>(report)]() mutable {
            QString error;
            const bool ok = guarded(apply, &error);
            guarded(after, nullptr);
            if (!ok) report(error);
        },
        Qt::QueuedConnection);
}

} // namespace ss::app
