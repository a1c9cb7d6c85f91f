#pragma once
// What the window and picture tests share: a small default scene (a cheap
// model, few particles), a wait that serves events until a condition holds,
// and a heat map with one known bump.
#include "window/MainWindow.h"

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

// log p on an m x m grid over [-2, 2]^2: one Gaussian bump of std 0.2 at
// (-1, -1) (row = y index, as FieldSnapshot::logDensity), so a picture test
// knows where the hot pixels must land.
inline Eigen::ArrayXXf bumpLogDensity(int m)
{
    Eigen::ArrayXXf logDensity(m, m);
    for (int iy = 0; iy < m; ++iy)
        for (int ix = 0; ix < m; ++ix) {
            const double x = -2 + (ix + 0.5) * 4.0 / m, y = -2 + (iy + 0.5) * 4.0 / m;
            logDensity(iy, ix) = float(-((x + 1) * (x + 1) + (y + 1) * (y + 1)) / (2 * 0.2 * 0.2));
        }
    return logDensity;
}

} // namespace apptest
