#pragma once
// One chart of the Measurements dock: curves over an x axis (linear or log),
// styled as every dock chart (ChartStyle), readable from the back of a room:
// axis titles with units, a legend, markers on the measured points and their
// numbers on hover (the nearest point within kHoverPx: a tooltip, and
// valueAt() for tests). Right-click: copy or save every value as CSV
// (window/ChartCsv: the one writer). Where the chart does not apply, or
// nothing is measured yet, it says why (setReason) instead of staying empty.
//
// GUI-thread cost: setCurves replaces a handful of series of at most a few
// hundred points (the ELBO curve is thinned to kMaxPoints); no measurement
// runs here. Where the curves keep their names and styles and the axes their
// kind (a chart following a run), only the points and ranges change: making
// new series and a new legend cost 4-10 ms a chart, twice a second in the
// Flow dock.
#include "window/ChartCsv.h"

#include <QChartView>
#include <QColor>

#include <vector>

class QAbstractAxis;
class QGraphicsTextItem;

namespace ss::window {

struct Curve {
    QString name;
    QList<QPointF> points;
    QColor colour;        // invalid: chartColour(index)
    bool dashed = false;  // a reference (the floor, the analytic value)
    bool markers = true;  // a dot on each measured point
};

class MeasureChart : public QChartView {
    Q_OBJECT
public:
    enum class Scale { Linear, Log, Auto }; // Auto: log when all values are > 0 and span over two decades
    static constexpr int kHoverPx = 24;
    static constexpr int kMaxPoints = 400;

    // csvName: the file name suggested by "Save as CSV…".
    MeasureChart(const QString& title, const QString& csvName, QWidget* parent = nullptr);

    // Axis titles with units (also the CSV's column names: xKey, yKey).
    void setAxes(const QString& xTitle, Scale x, const QString& yTitle, Scale y, const QString& xKey,
                 const QString& yKey);
    // New curves (replacing all), and values beside them (exported, not plotted).
    void setCurves(const std::vector<Curve>& curves, const std::vector<ChartValue>& values = {});
    // No curves: the chart shows `why` in its middle (empty: the note goes).
    void setReason(const QString& why);
    QString reason() const { return reason_; }
    bool yIsLog() const { return yLog_; }

    QString csv() const;
    bool exportCsv(const QString& path, QString* error);
    // The tooltip text for the nearest point within kHoverPx of pos (empty: none).
    QString valueAt(const QPoint& pos) const;
    const std::vector<Curve>& curves() const { return curves_; }

signals:
    void message(const QString& text, bool isError);

protected:
    void changeEvent(QEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void contextMenuEvent(QContextMenuEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    void rebuild();       // series and axes from curves_
    // The chart's axis of orientation o, reused when it has the right kind (log
    // or linear), with this range; *made is set when a new one was made.
    QAbstractAxis* placeAxis(Qt::Orientation o, bool log, const QString& title, double lo, double hi, bool* made);
    void placeReason();

    QString csvName_, xTitle_, yTitle_, xKey_, yKey_;
    Scale xScale_ = Scale::Linear, yScale_ = Scale::Linear;
    bool xLog_ = false, yLog_ = false; // as drawn
    std::vector<Curve> curves_;
    std::vector<ChartValue> values_;
    QString reason_;
    QGraphicsTextItem* note_ = nullptr;
    // How each drawn series looks (its name, colour, dash and markers): the
    // same list on the next rebuild keeps the series and replaces their points.
    struct SeriesLook {
        QString name;
        QColor colour;
        bool dashed = false, markers = false;
        bool operator==(const SeriesLook&) const = default;
    };
    std::vector<SeriesLook> drawnLooks_;
};

} // namespace ss::window
