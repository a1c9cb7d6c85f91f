#include "window/WeightingChart.h"

#include "window/ChartStyle.h"

#include <QLegendMarker>

#include <algorithm>
#include <cmath>

namespace ss::window {

namespace {
// Short names: the legend sits beside the plot in a narrow dock.
QString weightingTitle(Weighting w)
{
    switch (w) {
    case Weighting::Simple:
    case Weighting::Ncsn: return QObject::tr("1: simple, σ²");
    case Weighting::X0: return QObject::tr("x₀");
    case Weighting::V: return QObject::tr("v");
    case Weighting::Edm: return QObject::tr("EDM");
    case Weighting::MinSnr: return QObject::tr("min-SNR");
    case Weighting::FlowMatching: return QObject::tr("flow");
    case Weighting::Natural: break;
    }
    return QObject::tr("natural");
}
} // namespace

WeightingChart::WeightingChart(QWidget* parent) : MeasureChart(tr("Loss weight over log-SNR"), "weightings.csv", parent)
{
    setObjectName("weightingChart");
    setAxes(tr("log-SNR λ   (← noisier)"), Scale::Linear, tr("w(λ) on ‖ε̂ − ε‖²"), Scale::Log, "lambda", "weight");
    chart()->legend()->setAlignment(Qt::AlignRight);
    setMinimumHeight(260);
    setToolTip(tr("Each weighting's weight w(λ) on the noise error at log-SNR λ; the model's own is drawn strong (◀).\n"
                  "Every weighting has the same minimiser, the exact denoiser: it only decides which levels count.\n"
                  "Dashed lines: the range of λ the schedule trains on. NCSN's σ² and DDPM's simple loss are one curve:\n"
                  "the same loss. Right-click: the values as CSV."));
}

void WeightingChart::showWeightings(const ModelConfig& model, const ObjectiveConfig& objective,
                                    const NoiseSchedule& schedule, double sigmaData)
{
    if (objective.kind != ObjectiveKind::Ncsn && objective.kind != ObjectiveKind::Ddpm) {
        setCurves({});
        setReason(tr("%1 trains at one σ: there is no weighting over levels")
                      .arg(QString::fromStdString(objectiveName(objective.kind))));
        return;
    }
    setReason({});
    highlighted_ = resolveWeighting(objective.weighting, model.parametrisation);
    const WeightingParams params{sigmaData > 0 ? sigmaData : 1.0, objective.minSnrGamma};
    // lambda of the least noisy level and of the noisiest (std > 0 for both
    // once t_eps is used; a VE level at std 0 has no lambda).
    const double lo = logSnr(schedule.noisiest().marginal), hi = logSnr(schedule.at(schedule.tEpsilon()).marginal);
    range_ = {hi, lo};
    const double x0 = std::floor(std::min(lo, -4.0) - 2), x1 = std::ceil(std::max(hi, 4.0) + 2);
    std::vector<Curve> curves;
    double yMin = INFINITY, yMax = 0;
    int index = 0;
    const Weighting mineDrawn = highlighted_ == Weighting::Ncsn ? Weighting::Simple : highlighted_;
    for (Weighting w : explicitWeightings()) {
        if (w == Weighting::Ncsn) continue; // the same curve as simple (1 on the eps error)
        Curve c;
        const bool mine = w == mineDrawn;
        c.name = weightingTitle(w) + (mine ? QStringLiteral(" ◀") : QString()); // the model's own
        c.markers = false;
        c.colour = chartColour(1 + index++);
        if (!mine) c.colour.setAlpha(70);
        constexpr int kPoints = 121;
        for (int i = 0; i < kPoints; ++i) {
            const double l = x0 + (x1 - x0) * i / (kPoints - 1);
            const double y = epsWeight(w, l, params);
            c.points.append({l, y});
            yMin = std::min(yMin, y);
            yMax = std::max(yMax, y);
        }
        curves.push_back(c);
    }
    for (double l : {lo, hi}) {
        Curve edge;
        edge.name = tr("schedule");
        edge.colour = chartColour(0);
        edge.dashed = true;
        edge.markers = false;
        edge.points = {{l, yMin}, {l, yMax}};
        curves.push_back(edge);
    }
    setCurves(curves, {{"sigma_data", params.sigmaData}, {"min_snr_gamma", params.gamma}});
    // One legend entry for the schedule's two edges.
    const auto markers = chart()->legend()->markers();
    if (!markers.isEmpty()) markers.last()->setVisible(false);
}

} // namespace ss::window
