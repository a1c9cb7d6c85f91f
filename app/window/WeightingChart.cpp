#include "window/WeightingChart.h"

#include "window/ChartStyle.h"

#include <algorithm>
#include <cmath>

namespace ss::window {

namespace {
QString weightingTitle(Weighting w)
{
    switch (w) {
    case Weighting::Simple: return QObject::tr("simple (DDPM)");
    case Weighting::Ncsn: return QObject::tr("σ² (NCSN)");
    case Weighting::X0: return QObject::tr("x₀ MSE");
    case Weighting::V: return QObject::tr("v MSE");
    case Weighting::Edm: return QObject::tr("EDM λ(σ)");
    case Weighting::MinSnr: return QObject::tr("min-SNR-γ");
    case Weighting::FlowMatching: return QObject::tr("flow matching");
    case Weighting::Natural: break;
    }
    return QObject::tr("natural");
}
} // namespace

WeightingChart::WeightingChart(QWidget* parent) : MeasureChart(tr("Loss weight over log-SNR"), "weightings.csv", parent)
{
    setObjectName("weightingChart");
    setAxes(tr("log-SNR λ = log(m²/s²)  (noisier ←)"), Scale::Linear, tr("weight on ‖ε̂ − ε‖²"), Scale::Log,
            "lambda", "weight");
    setMinimumHeight(220);
    setToolTip(tr("Each weighting's weight w(λ) on the noise error at log-SNR λ; the model's own is drawn strong.\n"
                  "Every weighting has the same minimiser, the exact denoiser: it only decides which levels count.\n"
                  "Dashed lines: the range of λ the schedule trains on. NCSN's σ² and DDPM's simple loss coincide."));
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
    for (Weighting w : explicitWeightings()) {
        Curve c;
        const bool mine = w == highlighted_;
        c.name = weightingTitle(w) + (mine ? tr("  ← this model") : QString());
        c.markers = false;
        c.colour = chartColour(1 + index++);
        if (!mine) c.colour.setAlpha(80);
        c.dashed = w == Weighting::Ncsn; // on top of simple: the same loss
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
        edge.name = l == lo ? tr("schedule: noisiest level") : tr("schedule: least noisy level");
        edge.colour = chartColour(0);
        edge.dashed = true;
        edge.markers = false;
        edge.points = {{l, yMin}, {l, yMax}};
        curves.push_back(edge);
    }
    setCurves(curves, {{"sigma_data", params.sigmaData}, {"min_snr_gamma", params.gamma}});
}

} // namespace ss::window
