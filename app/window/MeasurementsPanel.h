#pragma once
// The Measurements dock's panel: the sample quality of the particles on screen
// against the data (engine/MeasureWorker), one row per metric with the
// particles' value, a perfect sampler's (the noise floor) and a reading of the
// two ("at the floor", "4.2× the floor"). A line above says what was measured
// (sampler, step, particles, data points), a line below what the floor is.
// Right-click: copy the table as CSV, or export it to a file.
#include "engine/MeasureWorker.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace ss::window {

class MeasurementsPanel : public QWidget {
    Q_OBJECT
public:
    explicit MeasurementsPanel(QWidget* parent = nullptr);

    void showMeasure(const app::MeasurePtr& m); // null: "measuring…"
    // metric,value,noise_floor,reading; one line per row (the context menu's text).
    QString csv() const;
    bool exportCsv(const QString& path, QString* error); // written atomically

signals:
    void message(const QString& text, bool isError);

private:
    void contextMenu(const QPoint& at);

    QLabel* about_;
    QTableWidget* table_;
    QLabel* floorNote_;
};

// The reading of a value against its floor: lower is better for distances,
// higher for precision / recall. "at the floor" (distances: within `within`
// times its magnitude; precision / recall: within 0.03), "4.2× the floor",
// "0.12 below". within: 1.5 for sliced W2 (a stable statistic), 3 for MMD² and
// the energy distance (near-zero U-statistics that scatter by their own size).
QString readingOf(double value, double floor, bool higherIsBetter, double within = 1.5);

} // namespace ss::window
