// ScheduleCurve's painting: the axes, the curve and its handles (the state,
// coordinates, edits and mouse are in ScheduleCurve.cpp).
#include "window/ScheduleCurve.h"
#include "window/ScheduleTrace.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ss::window {

namespace {
const QColor kPlotBackground(255, 255, 255), kFrame(165, 165, 175), kGrid(229, 229, 235);
const QColor kCurve(40, 90, 200), kHandle(235, 125, 25), kHandleEdge(150, 70, 0), kMuted(105, 105, 115);
} // namespace

// ---- painting --------------------------------------------------------------

void ScheduleCurve::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    drawAxes(p);
    p.save();
    p.setClipRect(plot_.adjusted(-1, -1, 1, 1));
    drawCurve(p);
    p.restore();
    drawHandles(p);
}

void ScheduleCurve::drawAxes(QPainter& p) const
{
    const View v = shownView();
    const QFontMetricsF fm(font());
    const QColor text = palette().color(QPalette::WindowText);
    p.fillRect(plot_, kPlotBackground);

    const std::vector<Tick> yTicks = v == View::Sigma ? logTicks(yLo_, yHi_) : linearTicks(yLo_, yHi_);
    for (const Tick& t : yTicks) {
        const double y = toPixel({0, t.at}).y();
        p.setPen(QPen(kGrid, 1));
        p.drawLine(QPointF(plot_.left(), y), QPointF(plot_.right(), y));
        p.setPen(text);
        p.drawText(QRectF(0, y - fm.height() / 2, plot_.left() - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, t.label);
    }
    for (int i = 0; i <= 4; ++i) {
        const double u = i / 4.0, x = toPixel({u, 0}).x();
        p.setPen(QPen(kGrid, 1));
        p.drawLine(QPointF(x, plot_.top()), QPointF(x, plot_.bottom()));
        p.setPen(text);
        p.drawText(QRectF(x - 30, plot_.bottom() + 3, 60, fm.height()), Qt::AlignHCenter | Qt::AlignTop,
                   numberLabel(u));
    }
    p.setPen(QPen(kFrame, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(plot_);

    const bool ve = shown_.isVarianceExploding();
    const QString yTitle = v == View::Beta ? (shown_.isDiscrete() ? tr("β_k") : tr("β(t)"))
        : v == View::AlphaBar              ? (shown_.isDiscrete() ? tr("ᾱ_k") : tr("ᾱ(t)"))
        : ve                               ? tr("σ (log scale)")
                                           : tr("σ = std / mean (log)");
    const QString xTitle = ve && shown_.isDiscrete() ? tr("u = (k − 1)/(L − 1)   noise →")
        : shown_.isDiscrete()                        ? tr("t = k / T   noise →")
                                                     : tr("t   noise →");
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(text);
    const QRectF titleRow(plot_.left(), 2, plot_.width(), fm.height() + 4);
    p.drawText(titleRow, Qt::AlignLeft | Qt::AlignVCenter, yTitle);
    const double titleWidth = QFontMetricsF(bold).horizontalAdvance(yTitle) + 12;
    p.setFont(font());
    p.setPen(dragging_ >= 0 ? kHandleEdge : kMuted);
    p.drawText(titleRow, Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(summary(), Qt::ElideRight, std::max(0.0, titleRow.width() - titleWidth)));
    p.setPen(kMuted);
    p.drawText(QRectF(plot_.left(), plot_.bottom() + fm.height() + 4, plot_.width(), fm.height()),
               Qt::AlignHCenter | Qt::AlignTop, xTitle);
}

void ScheduleCurve::drawCurve(QPainter& p) const
{
    const Trace t = traceOf(shown_, shownView());
    QPainterPath path;
    bool started = false;
    for (const QPointF& v : t.line) {
        if (!std::isfinite(v.y())) continue;
        if (!started)
            path.moveTo(toPixel(v));
        else
            path.lineTo(toPixel(v));
        started = true;
    }
    p.setPen(QPen(kCurve, t.dots.empty() ? 2.5 : 1.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    p.setPen(Qt::NoPen);
    p.setBrush(kCurve);
    const double r = t.dots.size() > 40 ? 2.2 : 3.5;
    for (const QPointF& v : t.dots)
        if (std::isfinite(v.y())) p.drawEllipse(toPixel(v), r, r);
}

void ScheduleCurve::drawHandles(QPainter& p) const
{
    for (std::size_t i = 0; i < handles_.size(); ++i) {
        const bool active = int(i) == dragging_ || (dragging_ < 0 && int(i) == hover_);
        const double r = active ? kHandleRadius + 2 : kHandleRadius;
        p.setPen(QPen(kHandleEdge, 1.5));
        p.setBrush(active ? kHandle.darker(115) : kHandle);
        p.drawEllipse(toPixel(handles_[i]), r, r);
    }
}

} // namespace ss::window
