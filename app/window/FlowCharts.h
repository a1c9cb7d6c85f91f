#pragma once
// The Flow dock's charts (MeasureChart each, in tabs): the NLL falling over
// training steps (the batch's, the held-out points' with the exact trace, and
// the closed form for mixtures, dashed), the function evaluations per step
// (forward solve and gradient: constant for a fixed-step solver, growing with
// RK45 as the flow gets intricate), and the variance of Hutchinson's estimate
// per particle (or why it does not apply). Long runs are averaged into at most
// kBins points per curve, so the noisy batch NLL reads as a trend.
#include "state/FlowSetup.h"

#include <QTabWidget>

#include <array>
#include <optional>
#include <string>

namespace ss::window {

class MeasureChart;

class FlowCharts : public QTabWidget {
    Q_OBJECT
public:
    static constexpr int kBins = 200;
    explicit FlowCharts(QWidget* parent = nullptr);

    // Draws the chart in front from s; the others are drawn from it when they
    // come to the front (a chart's rebuild costs the GUI thread 4-7 ms, and
    // the three together every half second stalled lecture 12's window).
    void showSnapshot(const app::FlowSnapshot& s);
    MeasureChart* nll() const { return nll_; }
    MeasureChart* evaluations() const { return nfe_; }
    MeasureChart* variance() const { return variance_; }
    // The tab in front by name ("nll", "nfe", "variance"; others: unchanged) and back.
    void showChart(const std::string& name);
    std::string chartName() const;

signals:
    void message(const QString& text, bool isError);

private:
    void drawChart(int index); // from last_, if it is not drawn from it yet

    MeasureChart *nll_, *nfe_, *variance_;
    std::optional<app::FlowSnapshot> last_;
    std::array<bool, 3> drawn_{}; // per tab: drawn from last_
};

} // namespace ss::window
