#include "paint/ColourBar.h"

#include <QObject> // tr()

#include <algorithm>
#include <cmath>

namespace ss::view {

double niceStep(double span, int targetCount)
{
    const double raw = span / std::max(1, targetCount);
    if (!(raw > 0) || !std::isfinite(raw)) return 1.0;
    const double e = std::pow(10.0, std::floor(std::log10(raw)));
    for (double k : {1.0, 2.0, 5.0, 10.0})
        if (k * e >= raw) return k * e;
    return 10 * e;
}

std::vector<ColourBarTick> colourBarTicks(double max)
{
    std::vector<ColourBarTick> ticks{{0.0, 0.0, QStringLiteral("0")}};
    if (!(max > 0) || !std::isfinite(max)) return ticks;
    // A step of at least max / 5 and at most max / 2 (niceStep rounds up by
    // at most 2.5x): 3 to 6 ticks.
    const double step = niceStep(max, 5);
    for (int i = 1; i * step <= max * (1 + 1e-9); ++i) {
        const double v = i * step;
        ticks.push_back({v / max, v, QString::number(v, 'g', 3)});
    }
    return ticks;
}

std::vector<ColourBarTick> colourBarTicks(double min, double max)
{
    std::vector<ColourBarTick> ticks;
    const double span = max - min;
    if (!(span > 0) || !std::isfinite(span)) return ticks;
    const double step = niceStep(span, 5);
    for (double k = std::ceil(min / step - 1e-9); k * step <= max * (1 + 1e-12) + 1e-12 * span; k += 1) {
        const double v = std::abs(k) < 0.5 ? 0.0 : k * step;
        ticks.push_back({(v - min) / span, v, QString::number(v, 'g', 3)});
    }
    return ticks;
}

std::optional<ColourBar> colourBarOf(const app::FieldSnapshot& f, const LayerSettings& layers)
{
    ColourBar bar;
    if (layers.error.visible && f.error.size() > 0) {
        bar.kind = ColourMapKind::Error;
        bar.max = std::max(double(f.error.maxCoeff()), 0.0);
        bar.title = QObject::tr("score error p·|s−s*|²");
    } else if (layers.density.visible && f.logDensity.size() > 0) {
        bar.kind = ColourMapKind::Density;
        bar.max = std::exp(double(f.logDensity.maxCoeff()));
        bar.title = QObject::tr("density p (per unit²)");
    } else {
        return std::nullopt;
    }
    return bar;
}

void paintColourBar(QPainter& p, const ColourBar& bar, const QRectF& rect, double scale)
{
    const double k = scale;
    const QFontMetricsF fm(p.font());
    const bool linear = bar.kind == ColourMapKind::Nats || bar.kind == ColourMapKind::Diverging;
    const std::vector<ColourBarTick> ticks = linear ? colourBarTicks(bar.min, bar.max) : colourBarTicks(bar.max);
    const int rows = std::max(1, int(rect.height()));
    for (int i = 0; i < rows; ++i) {
        const double v = 1.0 - (i + 0.5) / rows; // the value's fraction at this row
        const double y = rect.top() + rect.height() * i / rows;
        p.fillRect(QRectF(rect.left(), y, rect.width(), rect.height() / rows + 0.5),
                   colourAt(bar.kind, bar.kind == ColourMapKind::Density ? std::sqrt(v) : v));
    }
    p.setPen(QPen(QColor(30, 30, 30), 1 * k));
    p.setBrush(Qt::NoBrush);
    p.drawRect(rect);
    for (const ColourBarTick& t : ticks) {
        const double y = rect.bottom() - t.fraction * rect.height();
        p.drawLine(QPointF(rect.left() - 4 * k, y), QPointF(rect.left(), y));
        p.drawText(QPointF(rect.left() - 7 * k - fm.horizontalAdvance(t.text), y + fm.capHeight() / 2), t.text);
    }
    // One line per "\n", right-aligned, the last just above the bar.
    const QStringList lines = bar.title.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i)
        p.drawText(QPointF(rect.right() - fm.horizontalAdvance(lines[i]),
                           rect.top() - fm.capHeight() / 2 - 8 * k - double(lines.size() - 1 - i) * fm.height()),
                   lines[i]);
}

} // namespace ss::view
