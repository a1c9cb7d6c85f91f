#pragma once
// The scene's colours, shared by the GL layers and the overlay's legend.
#include <QColor>

namespace ss::view {

inline const QColor kData(70, 70, 80);
inline const QColor kNoised(120, 60, 170);
inline const QColor kParticles(200, 30, 45);
inline const QColor kTrails(220, 60, 70);
inline const QColor kLearned(230, 120, 20);
inline const QColor kExact(40, 90, 200);
inline const QColor kDrift(30, 110, 220), kScore(20, 160, 70), kNoise(120, 120, 120);
inline const QColor kBackground = QColor::fromRgbF(0.985f, 0.985f, 0.98f); // behind every layer


} // namespace ss::view
