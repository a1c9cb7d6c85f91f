#pragma once
// The sampler race's quality-against-cost chart (the "error budget"): for each
// configuration, a metric of its final particles against the number of score
// evaluations per particle (NFE), over the sweep's step counts (NFE in powers
// of ten; the metric too when it spans two decades), drawn by the docks' chart (MeasureChart: hover values,
// Copy / Save as CSV of every point). Each configuration has one colour; its
// learned-score curve is solid and its exact-score curve dashed, so the exact
// curve's distance from the noise floor (grey) is the discretisation error
// and the gap between the two curves the estimation error. "Save rows…"
// writes the whole sweep in scorescope-cli race's CSV (core/RaceFile).
#include "core/Race.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace ss::window {

class MeasureChart;

class RaceChart : public QWidget {
    Q_OBJECT
public:
    explicit RaceChart(QWidget* parent = nullptr);

    void showResult(const RaceSpec& spec, const RaceResult& result);
    RaceMetric metric() const;
    MeasureChart* chart() const { return chart_; }
    int curveCount() const; // curves drawn (the floor included)
    QString rowsCsv() const; // every row, in scorescope-cli race's columns
    bool exportRows(const QString& path, QString* error);

    // The value of `metric` in a row or the floor (NaN: not measured or not available).
    static double valueOf(const RaceQuality& q, RaceMetric metric);
    static QString axisTitle(RaceMetric metric);

signals:
    void message(const QString& text, bool isError);

private:
    void redraw();
    void saveRows();

    QComboBox* metric_;
    MeasureChart* chart_;
    QLabel* note_;
    QPushButton* saveRows_;
    RaceSpec spec_;
    RaceResult result_;
};

} // namespace ss::window
