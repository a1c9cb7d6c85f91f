#pragma once
// The Measurements dock's model pages (engine/ModelMeasureWorker measures,
// this only draws its immutable snapshots):
//  - Likelihood: the held-out NLL of the learned model by step, beside the
//    exact score's (the floor) and the mixture's closed form;
//  - Fisher: the Fisher divergence per noise level (log sigma axis) for the
//    newest network and the first one measured; Trend: it over training;
//  - ELBO: a DDPM's bound, its terms and its cumulative curve over t, beside
//    the PF-ODE NLL and the analytic value (or why there is none).
// Itself it is the strip under the dock's tabs: the refresh interval, the
// trace method and the progress of the job in flight.
#include "engine/ModelMeasureWorker.h"

#include <QWidget>

#include <cstdint>
#include <vector>

class QComboBox;
class QLabel;
class QProgressBar;
class QSpinBox;
class QTabWidget;

namespace ss::window {

class MeasureChart;

class ModelMeasurePanel : public QWidget {
    Q_OBJECT
public:
    // Adds its four pages to tabs.
    explicit ModelMeasurePanel(QTabWidget* tabs, QWidget* parent = nullptr);

    void showSnapshot(const app::ModelMeasurePtr& s);
    void showProgress(int percent, const QString& stage); // stage empty: idle
    app::ModelMeasureSettings settings() const;
    void setHutchinson(bool on); // as the trace box does (emits settingsChanged)

    MeasureChart* nllChart() const { return nll_; }
    MeasureChart* fisherChart() const { return fisher_; }
    MeasureChart* fisherTrendChart() const { return trend_; }
    MeasureChart* elboChart() const { return elbo_; }

signals:
    void settingsChanged(const app::ModelMeasureSettings& settings);
    void message(const QString& text, bool isError);

private:
    void showNll(const app::ModelMeasureSnapshot& s);
    void showFisher(const app::ModelMeasureSnapshot& s);
    void showElbo(const app::ModelMeasureSnapshot& s);

    QSpinBox* refresh_;
    QComboBox* trace_;
    QProgressBar* progress_;
    QLabel *nllText_, *fisherText_, *trendText_, *elboText_;
    MeasureChart *nll_, *fisher_, *trend_, *elbo_;
    std::int64_t lastStep_ = -1;
    std::int64_t elboRun_ = -1; // the run whose bound the ELBO chart shows (-1: none)
    // What each page shows now, as a key of the snapshot's parts: the worker
    // publishes a snapshot per stage of a job, and a page whose part did not
    // change is not rebuilt (a chart's rebuild cost 5-15 ms of the GUI thread).
    std::vector<std::int64_t> nllShown_, fisherShown_, elboShown_;
};

} // namespace ss::window
