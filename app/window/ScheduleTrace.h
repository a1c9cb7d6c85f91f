#pragma once
// What the schedule curve (ScheduleCurve) plots, apart from its widget: axis
// ticks with readable labels, and a schedule traced in plot units for a view
// (log sigma per level or time, beta(t), alpha-bar(t)).
#include "core/NoiseSchedule.h"

#include <QPointF>
#include <QString>

#include <vector>

namespace ss::window {

// What the curve plots (ScheduleCurve::View is this): log sigma per level or
// time, beta(t), or alpha-bar(t).
enum class ScheduleView { Sigma, Beta, AlphaBar };

struct Tick {
    double at; // in plot units (log sigma on the log axis)
    QString label;
};

// 1, 0.01, 1e-05: plain numbers near 1, powers of ten beyond.
QString numberLabel(double v);
// About four steps of 1, 2 or 5 times a power of ten.
std::vector<Tick> linearTicks(double lo, double hi);
// Decades (every other one when there are many); 1-2-5 inside a narrow range.
std::vector<Tick> logTicks(double lnLo, double lnHi);

// What a view draws for a schedule, in plot units: a line and level dots.
struct Trace {
    std::vector<QPointF> line, dots;
};

Trace traceOf(const NoiseSchedule& s, ScheduleView view);

} // namespace ss::window
