#pragma once
// The sampler race's quality-against-cost chart (the "error budget"): for each
// configuration, a metric of its final particles against the number of score
// evaluations per particle (NFE), over the sweep's step counts, both axes in
// powers of ten. Each configuration has one colour; its learned-score curve is
// solid and its exact-score curve dashed, so the exact curve's distance from
// the noise floor (grey) is the discretisation error and the gap between the
// two curves the estimation error. Hover a point for its numbers; right-click
// to copy or save the rows as CSV (core/RaceFile's writer, atomically).
#include "core/Race.h"

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;

namespace ss::window {

class RaceChart : public QWidget {
    Q_OBJECT
public:
    explicit RaceChart(QWidget* parent = nullptr);

    void showResult(const RaceSpec& spec, const RaceResult& result);
    RaceMetric metric() const;
    int seriesCount() const; // curves drawn (the floor included)
    QString csv() const;     // the rows shown, in scorescope-cli race's columns
    bool exportCsv(const QString& path, QString* error);

    // The value of `metric` in a row (NaN: not measured or not available).
    static double valueOf(const RaceRow& row, RaceMetric metric);
    static double floorOf(const RaceFloor& floor, RaceMetric metric);
    static QString axisTitle(RaceMetric metric);

signals:
    void message(const QString& text, bool isError);

private:
    void redraw();
    void contextMenu(const QPoint& at);

    QComboBox* metric_;
    QChart* chart_;
    QChartView* view_;
    QLabel* note_;
    RaceSpec spec_;
    RaceResult result_;
};

} // namespace ss::window
