#include "window/Application.h"

#include "engine/Boundary.h"

#include <cstdio>

namespace ss::window {

Application::Application(int& argc, char** argv) : QApplication(argc, argv) {}

Application* Application::instance() { return qobject_cast<Application*>(QCoreApplication::instance()); }

bool Application::notify(QObject* receiver, QEvent* event)
{
    try {
        return QApplication::notify(receiver, event);
    } catch (...) {
        const QString text = app::exceptionText(std::current_exception());
        std::fprintf(stderr, "scorescope: caught at the application's boundary (event %d to %s): %s\n",
                     int(event->type()), receiver ? receiver->metaObject()->className() : "null",
                     qPrintable(text));
        emit uncaughtException(text);
        return true; // handled: the program goes on
    }
}

} // namespace ss::window
