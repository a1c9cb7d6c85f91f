#include "window/ChartStyle.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QLegend>

#include <algorithm>
#include <array>

namespace ss::window {

void styleChart(QChart* chart, QChartView* view)
{
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    view->setRenderHint(QPainter::Antialiasing);
}

QFont chartSmallFont(const QFont& base)
{
    QFont f = base;
    if (f.pointSizeF() > 0) f.setPointSizeF(std::max(7.0, f.pointSizeF() * 0.9));
    else f.setPixelSize(std::max(9, int(f.pixelSize() * 0.9)));
    return f;
}

void applyChartFonts(QChart* chart, const QFont& base)
{
    const QFont small = chartSmallFont(base);
    chart->setTitleFont(small); // the title is a caption: the plot keeps the room
    chart->legend()->setFont(small);
    for (QAbstractAxis* a : chart->axes()) {
        a->setLabelsFont(small);
        a->setTitleFont(small);
    }
}

QColor chartColour(int i)
{
    // Black, then a colour-blind-safe set (Okabe-Ito) dark enough on white.
    static const std::array<QColor, 7> colours = {QColor(0, 0, 0),       QColor(0, 114, 178), QColor(213, 94, 0),
                                                  QColor(0, 158, 115),   QColor(204, 121, 167), QColor(230, 159, 0),
                                                  QColor(86, 180, 233)};
    return colours[std::size_t(i) % colours.size()];
}

} // namespace ss::window
