#pragma once
// The one CSV writer of the docks' charts (window/MeasureChart) and tables:
// every value a chart shows, as text, and the atomic save behind each
// "Export as CSV…" (core/AtomicFile through writeFileAtomically).
#include <QList>
#include <QPointF>
#include <QString>

#include <vector>

namespace ss::window {

// A named value that is not a point of a curve (an ELBO term, a reference NLL).
struct ChartValue {
    QString name;
    double value = 0;
    double standardError = 0; // 0: none
};

// A plotted curve's name and points (x, y), as the chart draws them.
struct CurveValues {
    QString name;
    QList<QPointF> points;
};

// "series,<xName>,<yName>,standard_error" then one row per point of each curve
// in order, then one row per value (x empty). Full precision; a name with a
// comma or quote is quoted; NaN is written "nan".
QString chartCsv(const QString& xName, const QString& yName, const std::vector<CurveValues>& curves,
                 const std::vector<ChartValue>& values);
// A field of a CSV row: quoted (with doubled quotes) when it holds a comma, quote or newline.
QString csvField(const QString& text);

// Writes text to path atomically; false with the reason in *error.
bool saveTextAtomically(const QString& path, const QString& text, QString* error);

} // namespace ss::window
