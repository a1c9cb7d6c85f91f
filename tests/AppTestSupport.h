#pragma once
// What the window tests share: a small default scene (a cheap model, few
// particles) and a wait that serves events until a condition holds.
#include "MainWindow.h"

#include <QElapsedTimer>
#include <QtTest>

namespace apptest {

inline ss::window::SceneSetup smallScene()
{
    ss::window::SceneSetup s = ss::window::defaultScene();
    s.training.model.hidden = {32, 32};
    s.sampling.sampler.particles = 200;
    return s;
}

// Serves events until pred() holds (true) or timeoutMs pass (false).
template <typename P>
bool eventually(P pred, int timeoutMs = 8000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (pred()) return true;
        QTest::qWait(10);
    }
    return false;
}

} // namespace apptest
