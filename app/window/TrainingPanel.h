#pragma once
// The Training dock: start / pause / step / reset, learning rate and batch
// size (applied live by the worker), the live step, loss and steps/s, and a
// loss chart (log scale option): the total loss and the levels' losses grouped
// into at most kMaxBands σ bands, each labelled with its σ range in the legend.
// It only shows snapshots and emits requests; the window routes them.
//
// GUI-thread cost (issue 11: no stall over 30 ms, whatever the number of
// levels): a snapshot only appends a record; the chart is redrawn at most every
// kRefreshMs from a decimated copy of the history (at most ~2 points per
// horizontal pixel of the plot, by a stride that doubles as the history grows),
// with one replace() per series. history() keeps every record for the files.
#include "core/SceneFile.h"
#include "state/TrainingSetup.h"

#include <QWidget>

class QChart;
class QChartView;
class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QSpinBox;
class QTimer;

namespace ss::window {

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxBands = 10;   // series besides the total
    static constexpr int kRefreshMs = 250; // the chart's longest redraw interval

    explicit TrainingPanel(QWidget* parent = nullptr);

    void showSnapshot(const app::TrainingSnapshot& s);
    // The setup's learning rate, batch size and EMA settings, without emitting.
    void showSetup(const app::TrainingSetup& setup);
    // Undo, redo: shows the setup's values and emits the signal of each that changed.
    void restore(const app::TrainingSetup& setup);
    void clearHistory(); // after a reset or a new model
    double learningRate() const;
    int batchSize() const;
    double emaDecay() const;
    bool useEma() const;
    // Points the total-loss series shows (the decimated history, as of the
    // next redraw).
    int historyPoints() const;
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

protected:
    void changeEvent(QEvent* e) override; // a new font (presentation mode) reaches the chart

private:
    // One plotted point of every series: the total and each band's mean loss
    // (NaN where none of its levels has a finite loss yet).
    struct PlotRow {
        double step = 0, total = 0;
        std::vector<double> bands;
    };

    void rebuildAxes();
    void add(const LossRecord& r);      // to the history's decimated copy
    PlotRow row(const LossRecord& r) const;
    void setLevels(int levels);          // the band layout (series) for this many levels
    void relabelBands();                 // the bands' names and the legend
    void rebuildPlot();                  // the decimated copy from history_ (layout or width changed)
    int maxPlotPoints() const;           // ~2 per horizontal pixel of the plot
    void scheduleRefresh();
    void refreshChart();                 // one replace() per series, the axes' ranges
    void setRanges(double lo, double hi); // the plotted losses' range

    QDoubleSpinBox* lr_;
    QSpinBox* batch_;
    QDoubleSpinBox* emaDecay_;
    QCheckBox* useEma_;
    QLabel *status_, *objective_;
    QCheckBox* logScale_;
    QChart* chart_;
    QChartView* chartView_;
    QWidget* legend_; // the series' colours and names (relabelBands)
    QTimer* refresh_;
    QLineSeries* total_;
    std::vector<QLineSeries*> bands_;
    int levels_ = 0;                     // levels the bands cover
    std::vector<int> bandStart_;         // band b: levels [bandStart_[b], bandStart_[b + 1])
    std::vector<double> levelStd_;       // each level's noise std (the latest snapshot's), noise increasing
    std::vector<double> levelMean_;      // each level's signal scale √ᾱ: VP bands are labelled by σ/√ᾱ
    std::vector<PlotRow> plot_;          // every stride_-th record since the last rebuild
    std::size_t stride_ = 1, count_ = 0; // keeps record i (since the rebuild) when i % stride_ == 0
    std::int64_t lastStep_ = -1;
    double xMax_ = 0, yLo_ = 0, yHi_ = 0; // the axes' ranges (NaN: to be set)
    std::vector<LossRecord> history_;
};

} // namespace ss::window
