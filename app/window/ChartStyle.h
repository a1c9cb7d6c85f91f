#pragma once
// The look every chart of the docks shares (the Training dock's loss chart,
// the Measurements dock's charts): a flat frame with small margins, text sized
// from the widget's font (so presentation mode's larger fonts reach the
// chart's title, axes and legend: call applyChartFonts again on a FontChange),
// and the series' colours. One home, so the charts read alike.
#include <QColor>
#include <QFont>

class QChart;
class QChartView;

namespace ss::window {

// Margins, no rounded background, antialiased drawing.
void styleChart(QChart* chart, QChartView* view);
// The chart's title from `base`, axis labels and titles and the legend slightly
// smaller (chartSmallFont); call again when the view's font changes.
void applyChartFonts(QChart* chart, const QFont& base);
// A chart's secondary text: 90% of base, at least 7 pt.
QFont chartSmallFont(const QFont& base);
// The i-th series' colour: distinct at a projector's contrast, black first.
QColor chartColour(int i);

} // namespace ss::window
