#pragma once
// The program's QApplication, the last line of defence: an exception that
// escapes an event handler (a slot, a timer, a posted call, on any thread) is
// caught in notify(), printed on stderr and announced by uncaughtException(),
// which the main window shows in its banner and status bar; the event counts
// as handled and the program goes on instead of reaching std::terminate.
// Every known boundary catches its own exceptions first (app/engine/Boundary.h):
// one that gets this far is a bug, reported so it can be found.
#include "window/EventCost.h"

#include <QApplication>

namespace ss::window {

class Application : public QApplication {
    Q_OBJECT
public:
    Application(int& argc, char** argv);
    bool notify(QObject* receiver, QEvent* event) override;
    // The running Application, or null when the QApplication is another one.
    static Application* instance();
    // The GUI thread's work per event (off until eventCost().enable()).
    EventCost& eventCost() { return eventCost_; }

signals:
    // May be emitted on any thread (connect with an automatic or queued connection).
    void uncaughtException(const QString& text);

private:
    EventCost eventCost_;
};

} // namespace ss::window
