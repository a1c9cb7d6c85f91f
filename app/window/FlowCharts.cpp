#include "window/FlowCharts.h"

#include "window/MeasureChart.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace ss::window {

namespace {

// The records' values averaged over consecutive bins of steps (NaN and
// skipped steps left out), at most FlowCharts::kBins points.
QList<QPointF> binned(const std::vector<app::FlowStepRecord>& history,
                      const std::function<double(const app::FlowStepRecord&)>& value)
{
    QList<QPointF> points;
    const std::size_t n = history.size();
    const std::size_t width = std::max<std::size_t>(1, (n + FlowCharts::kBins - 1) / FlowCharts::kBins);
    for (std::size_t begin = 0; begin < n; begin += width) {
        double sx = 0, sy = 0;
        int count = 0;
        for (std::size_t i = begin; i < std::min(n, begin + width); ++i) {
            const double y = value(history[i]);
            if (history[i].skipped || !std::isfinite(y)) continue;
            sx += double(history[i].step);
            sy += y;
            ++count;
        }
        if (count > 0) points.append({sx / count, sy / count});
    }
    return points;
}

} // namespace

FlowCharts::FlowCharts(QWidget* parent) : QTabWidget(parent)
{
    setObjectName("flowCharts");
    nll_ = new MeasureChart(tr("Negative log-likelihood"), "flow-nll.csv", this);
    nll_->setAxes(tr("training step"), MeasureChart::Scale::Linear, tr("NLL (nats)"), MeasureChart::Scale::Linear,
                  "step", "nll");
    nfe_ = new MeasureChart(tr("Function evaluations per training step"), "flow-nfe.csv", this);
    nfe_->setAxes(tr("training step"), MeasureChart::Scale::Linear, tr("evaluations of v_θ"),
                  MeasureChart::Scale::Linear, "step", "nfe");
    variance_ = new MeasureChart(tr("Variance of Hutchinson's divergence estimate"), "flow-hutchinson.csv", this);
    variance_->setAxes(tr("training step"), MeasureChart::Scale::Linear, tr("variance per particle at t = 0 (batch mean)"),
                       MeasureChart::Scale::Auto, "step", "variance");
    addTab(nll_, tr("NLL"));
    addTab(nfe_, tr("NFE per step"));
    addTab(variance_, tr("Hutchinson variance"));
    for (MeasureChart* c : {nll_, nfe_, variance_}) {
        c->setMinimumHeight(260);
        connect(c, &MeasureChart::message, this, &FlowCharts::message);
    }
    connect(this, &QTabWidget::currentChanged, this, &FlowCharts::drawChart);
}

void FlowCharts::showChart(const std::string& name)
{
    if (name == "nll") setCurrentWidget(nll_);
    else if (name == "nfe") setCurrentWidget(nfe_);
    else if (name == "variance") setCurrentWidget(variance_);
}

std::string FlowCharts::chartName() const
{
    return currentWidget() == nfe_ ? "nfe" : currentWidget() == variance_ ? "variance" : "nll";
}

void FlowCharts::showSnapshot(const app::FlowSnapshot& s)
{
    last_ = s;
    drawn_.fill(false);
    drawChart(currentIndex());
}

void FlowCharts::drawChart(int index)
{
    if (!last_ || index < 0 || index >= int(drawn_.size()) || drawn_[std::size_t(index)]) return;
    drawn_[std::size_t(index)] = true;
    const app::FlowSnapshot& s = *last_;
    MeasureChart* chart = index == 0 ? nll_ : index == 1 ? nfe_ : variance_;
    if (s.history.empty()) {
        chart->setCurves({});
        chart->setReason(tr("Not trained yet: press Train"));
        return;
    }
    if (chart == nll_) {
        std::vector<Curve> nll{{tr("batch NLL (training)"), binned(s.history, [](const auto& r) { return r.loss; })}};
        nll.back().markers = false;
        if (!s.evals.empty()) {
            Curve held{s.heldOut ? tr("held-out NLL (EMA flow, exact trace, RK45)")
                                 : tr("NLL of data points (EMA flow, exact trace, RK45)"),
                       {}};
            for (const app::FlowEval& e : s.evals) held.points.append({double(e.step), e.nll.mean});
            nll.push_back(held);
        }
        std::vector<ChartValue> values;
        if (s.exactNll) {
            const double x0 = double(s.history.front().step), x1 = double(s.history.back().step);
            Curve exact{tr("exact NLL of the same points"),
                        {{x0, s.exactNll->mean}, {std::max(x1, x0 + 1), s.exactNll->mean}}};
            exact.dashed = true;
            exact.markers = false;
            nll.push_back(exact);
            values.push_back({tr("exact NLL"), s.exactNll->mean, s.exactNll->standardError});
        }
        nll_->setReason({});
        nll_->setCurves(nll, values);
    } else if (chart == nfe_) {
        Curve forward{tr("forward solve"), binned(s.history, [](const auto& r) { return double(r.forwardNfe); })};
        Curve backward{tr("gradient (vector-Jacobian products)"),
                       binned(s.history, [](const auto& r) { return double(r.backwardNfe); })};
        forward.markers = backward.markers = false;
        nfe_->setReason({});
        nfe_->setCurves({forward, backward});
    } else if (s.settings.solve.trace == TraceEstimator::Exact) {
        variance_->setCurves({});
        variance_->setReason(tr("The divergence is exact: no estimator, no variance.\nChoose \"Hutchinson estimate\" "
                                "and Apply to see it."));
    } else {
        Curve v{tr("%1 probes, K = %2")
                    .arg(s.settings.solve.probe == ProbeKind::Gaussian ? tr("Gaussian") : tr("Rademacher"))
                    .arg(s.settings.solve.probes),
                binned(s.history, [](const auto& r) { return r.hutchinsonVariance; })};
        v.markers = false;
        variance_->setReason({});
        variance_->setCurves({v});
    }
}

} // namespace ss::window
