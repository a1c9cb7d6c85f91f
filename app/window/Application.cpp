#include "window/Application.h"

#include "engine/Boundary.h"

#include <QThread>

#include <cstdio>

namespace ss::window {

Application::Application(int& argc, char** argv) : QApplication(argc, argv) {}

Application* Application::instance() { return qobject_cast<Application*>(QCoreApplication::instance()); }

bool Application::notify(QObject* receiver, QEvent* event)
{
    const bool measured = eventCost_.enabled() && QThread::currentThread() == thread();
    if (measured) eventCost_.begin(receiver, event);
    try {
        const bool handled = QApplication::notify(receiver, event);
        if (measured) eventCost_.end();
        return handled;
    } catch (...) {
        if (measured) eventCost_.end();
        const QString text = app::exceptionText(std::current_exception());
        std::fprintf(stderr, "scorescope: caught at the application's boundary (event %d to %s): %s\n",
                     int(event->type()), receiver ? receiver->metaObject()->className() : "null",
                     qPrintable(text));
        emit uncaughtException(text);
        return true; // handled: the program goes on
    }
}

} // namespace ss::window
