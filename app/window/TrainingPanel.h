#pragma once
// The Training dock: start / pause / step / reset, learning rate and batch
// size (applied live by the worker), the live step, loss and steps/s, and a
// loss chart with the per-level losses as separate series (log scale option).
// It only shows snapshots and emits requests; the window routes them.
#include "SceneFile.h"
#include "TrainingWorker.h"

#include <QWidget>

class QChart;
class QChartView;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QSpinBox;

namespace ss::window {

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget* parent = nullptr);

    void showSnapshot(const app::TrainingSnapshot& s);
    // The setup's learning rate, batch size and EMA settings, without emitting.
    void showSetup(const app::TrainingSetup& setup);
    void clearHistory(); // after a reset or a new model
    double learningRate() const;
    int batchSize() const;
    double emaDecay() const;
    bool useEma() const;
    int historyPoints() const; // points in the total-loss series
    // Every snapshot's loss since the last reset, unthinned up to kMaxHistory
    // records (then every other one is dropped): for the CSV and scene files.
    const std::vector<LossRecord>& history() const { return history_; }
    void setHistory(const std::vector<LossRecord>& history); // a reopened scene's
    static constexpr std::size_t kMaxHistory = 200000;

signals:
    void startRequested();
    void pauseRequested();
    void stepRequested();
    void resetRequested();
    void learningRateChanged(double lr);
    void batchSizeChanged(int batch);
    void emaDecayChanged(double decay);
    void useEmaChanged(bool ema); // samplers and fields use the EMA (true) or the raw weights

private:
    void rebuildAxes();

    QDoubleSpinBox* lr_;
    QSpinBox* batch_;
    QDoubleSpinBox* emaDecay_;
    QCheckBox* useEma_;
    QLabel *status_, *objective_;
    QCheckBox* logScale_;
    QChart* chart_;
    QChartView* chartView_;
    QLineSeries* total_;
    std::vector<QLineSeries*> levels_;
    std::int64_t lastStep_ = -1;
    std::vector<LossRecord> history_;
    void plot(const LossRecord& r); // appends to the chart's series
    double minLoss_ = 1e300, maxLoss_ = 0;
};

} // namespace ss::window
