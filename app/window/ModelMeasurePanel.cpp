#include "window/ModelMeasurePanel.h"

#include "window/MeasureChart.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace ss::window {

namespace {

const QColor kFloorColour(0, 114, 178), kAnalyticColour(120, 120, 120);

QString estimate(const MeanEstimate& e)
{
    return QStringLiteral("%1 ± %2").arg(e.mean, 0, 'f', 3).arg(e.standardError, 0, 'f', 3);
}

QLabel* note(QWidget* parent, const char* name)
{
    auto* l = new QLabel(parent);
    l->setObjectName(name);
    l->setWordWrap(true);
    l->setTextFormat(Qt::RichText);
    return l;
}

// A page of the tabs: its text above its charts.
QWidget* page(QTabWidget* tabs, const QString& title, QLabel* text, const QList<QWidget*>& charts)
{
    auto* w = new QWidget;
    auto* layout = new QVBoxLayout(w);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(text);
    for (QWidget* c : charts) layout->addWidget(c, 1);
    tabs->addTab(w, title);
    return w;
}

// A horizontal reference line over [x0, x1].
Curve level(const QString& name, double y, double x0, double x1, const QColor& colour)
{
    return Curve{name, {QPointF(x0, y), QPointF(x1, y)}, colour, true, false};
}

} // namespace

ModelMeasurePanel::ModelMeasurePanel(QTabWidget* tabs, QWidget* parent) : QWidget(parent)
{
    // The strip: settings and progress.
    auto* strip = new QHBoxLayout(this);
    strip->setContentsMargins(4, 2, 4, 2);
    strip->addWidget(new QLabel(tr("Refresh every"), this));
    refresh_ = new QSpinBox(this);
    refresh_->setObjectName("measureRefresh");
    refresh_->setRange(100, 1'000'000);
    refresh_->setSingleStep(500);
    refresh_->setValue(app::ModelMeasureSettings{}.refreshSteps);
    refresh_->setSuffix(tr(" steps"));
    refresh_->setToolTip(tr("The likelihood, Fisher and ELBO are measured again once training is this many steps "
                            "past the network measured last (a job runs in the background, at low priority)"));
    strip->addWidget(refresh_);
    trace_ = new QComboBox(this);
    trace_->setObjectName("measureTrace");
    trace_->addItem(tr("exact trace"));
    trace_->addItem(tr("Hutchinson"));
    trace_->setToolTip(tr("The divergence in the PF-ODE likelihood: the exact 2x2 trace (two Jacobian-vector "
                          "products) or Hutchinson's estimate (one, noisier)"));
    strip->addWidget(trace_);
    progress_ = new QProgressBar(this);
    progress_->setObjectName("measureProgress");
    progress_->setRange(0, 100);
    progress_->setTextVisible(true);
    progress_->setFormat(tr("waiting for a network"));
    strip->addWidget(progress_, 1);
    connect(refresh_, &QSpinBox::valueChanged, this, [this] { emit settingsChanged(settings()); });
    connect(trace_, &QComboBox::currentIndexChanged, this, [this] { emit settingsChanged(settings()); });

    nllText_ = note(this, "nllText");
    nll_ = new MeasureChart(tr("Held-out NLL by training step (lower is better)"), "nll.csv");
    nll_->setObjectName("nllChart");
    nll_->setAxes(tr("training step"), MeasureChart::Scale::Linear, tr("NLL (nats per point)"),
                  MeasureChart::Scale::Linear, "step", "nll_nats");
    page(tabs, tr("Likelihood"), nllText_, {nll_});

    fisherText_ = note(this, "fisherText");
    fisher_ = new MeasureChart(tr("Fisher divergence per noise level, learned vs exact score"), "fisher.csv");
    fisher_->setObjectName("fisherChart");
    fisher_->setAxes(tr("σ (noise std / signal scale)"), MeasureChart::Scale::Log,
                     tr("D_F (score units²)"), MeasureChart::Scale::Auto, "sigma", "fisher_divergence");
    trend_ = new MeasureChart(tr("Fisher divergence over training"), "fisher-trend.csv");
    trend_->setObjectName("fisherTrendChart");
    trend_->setAxes(tr("training step"), MeasureChart::Scale::Linear, tr("D_F (score units²)"),
                    MeasureChart::Scale::Auto, "step", "fisher_divergence");
    page(tabs, tr("Fisher"), fisherText_, {fisher_});
    trendText_ = note(this, "fisherTrendText");
    trendText_->setText(tr("The Fisher divergence at each refresh: the mean over the levels, and the least and the "
                           "most noisy level. It falls as the network learns; the least noisy level stays highest."));
    page(tabs, tr("Trend"), trendText_, {trend_});

    elboText_ = note(this, "elboText");
    elbo_ = new MeasureChart(tr("DDPM bound: −ELBO accumulated over t, beside the NLL"), "elbo.csv");
    elbo_->setObjectName("elboChart");
    elbo_->setAxes(tr("t (DDPM step)"), MeasureChart::Scale::Linear, tr("nats per point"), MeasureChart::Scale::Linear,
                   "t", "nats");
    page(tabs, tr("ELBO"), elboText_, {elbo_});

    for (MeasureChart* c : {nll_, fisher_, trend_, elbo_}) {
        connect(c, &MeasureChart::message, this, &ModelMeasurePanel::message);
        c->setReason(tr("Waiting for the first network…"));
    }
}

app::ModelMeasureSettings ModelMeasurePanel::settings() const
{
    app::ModelMeasureSettings s;
    s.refreshSteps = refresh_->value();
    s.hutchinson = trace_->currentIndex() == 1;
    return s;
}

void ModelMeasurePanel::setHutchinson(bool on) { trace_->setCurrentIndex(on ? 1 : 0); }

void ModelMeasurePanel::showProgress(int percent, const QString& stage)
{
    progress_->setValue(stage.isEmpty() ? (percent >= 100 ? 100 : 0) : percent);
    if (!stage.isEmpty()) progress_->setFormat(tr("measuring %1… %p%").arg(stage));
    else if (lastStep_ >= 0) progress_->setFormat(tr("step %1 measured").arg(lastStep_));
    else progress_->setFormat(tr("waiting for a network"));
}

void ModelMeasurePanel::showSnapshot(const app::ModelMeasurePtr& s)
{
    if (!s) return;
    lastStep_ = s->step;
    // Each page's key: everything of the snapshot its texts and curves read
    // that can change within a run without changing a size (the strings by
    // their hash: a message replaced by another of the same length).
    const auto text = [](const std::string& t) { return std::int64_t(std::hash<std::string>{}(t)); };
    const auto filled = [](const app::NllPoint& p) {
        return std::int64_t(p.learned.has_value()) | std::int64_t(p.exact.has_value()) << 1 |
               std::int64_t(p.analytic.has_value()) << 2;
    };
    std::vector<std::int64_t> nll{s->run, std::int64_t(s->nll.size()), s->points, s->heldOut, s->hutchinson,
                                  text(s->schedule), text(s->nllError), s->step < 0};
    if (!s->nll.empty()) nll.insert(nll.end(), {s->nll.back().step, filled(s->nll.back())});
    std::vector<std::int64_t> fisher{s->run, s->step, std::int64_t(s->fisher.size()), std::int64_t(s->fisherTrend.size()),
                                     text(s->fisherError)};
    std::vector<std::int64_t> elbo{s->run, s->step, s->elbo.has_value(), s->cleanNll.has_value(), text(s->elboWhyNot)};
    if (nll != nllShown_) showNll(*s);
    if (fisher != fisherShown_) showFisher(*s);
    if (elbo != elboShown_) showElbo(*s);
    nllShown_ = std::move(nll);
    fisherShown_ = std::move(fisher);
    elboShown_ = std::move(elbo);
}

void ModelMeasurePanel::showNll(const app::ModelMeasureSnapshot& s)
{
    const QString origin =
        s.heldOut ? tr("%1 held-out points: a fresh draw of the mixture (the trainer has its own draw)").arg(s.points)
                  : tr("%1 data points (not held out: the trainer uses every point)").arg(s.points);
    const QString scored = tr("scored: log p at the flow's t_eps, the law of %1·x0 + %2·ε")
                               .arg(s.scoredMean, 0, 'g', 4)
                               .arg(s.scoredStd, 0, 'g', 3);
    if (s.nll.empty()) {
        nllText_->setText(origin);
        nll_->setCurves({});
        nll_->setReason(s.step < 0 ? tr("Waiting for the first network…") : tr("Measuring…"));
        return;
    }
    Curve learned{tr("learned score (PF-ODE)"), {}, {}, false, true};
    Curve exact{tr("exact score (the floor)"), {}, kFloorColour, true, true};
    Curve analytic{tr("analytic (mixture)"), {}, kAnalyticColour, true, false};
    for (const app::NllPoint& p : s.nll) {
        if (p.learned) learned.points.append(QPointF(double(p.step), p.learned->mean));
        if (p.exact) exact.points.append(QPointF(double(p.step), p.exact->mean));
        if (p.analytic) analytic.points.append(QPointF(double(p.step), p.analytic->mean));
    }
    std::vector<Curve> curves{learned};
    if (!exact.points.isEmpty()) curves.push_back(exact);
    if (!analytic.points.isEmpty()) curves.push_back(analytic);
    nll_->setCurves(curves);
    nll_->setReason(QString());
    const app::NllPoint& last = s.nll.back();
    QStringList parts;
    if (last.learned) parts << tr("<b>learned %1</b>").arg(estimate(*last.learned));
    if (last.exact) parts << tr("exact score %1").arg(estimate(*last.exact));
    if (last.analytic) parts << tr("analytic %1").arg(estimate(*last.analytic));
    QString gap;
    if (last.learned && last.exact)
        gap = tr(" — %1 nats above the floor").arg(last.learned->mean - last.exact->mean, 0, 'f', 3);
    const QString error = s.nllError.empty() ? QString() : QStringLiteral("<br><i>%1</i>").arg(QString::fromStdString(s.nllError).toHtmlEscaped());
    nllText_->setText(tr("Step %1, %2: %3 nats%4<br>%5; %6; %7 trace.%8")
                          .arg(last.step)
                          .arg(QString::fromStdString(s.schedule))
                          .arg(parts.join(QStringLiteral(" · ")), gap, origin, scored,
                               s.hutchinson ? tr("Hutchinson") : tr("exact"), error));
}

void ModelMeasurePanel::showFisher(const app::ModelMeasureSnapshot& s)
{
    if (s.fisher.empty()) {
        fisherText_->setText(s.fisherError.empty() ? QString() : QString::fromStdString(s.fisherError).toHtmlEscaped());
        fisher_->setCurves({});
        trend_->setCurves({});
        const QString why = !s.fisherError.empty() ? tr("Not measured: %1").arg(QString::fromStdString(s.fisherError))
                            : s.step < 0        ? tr("Waiting for the first network…")
                                                : tr("Measuring…");
        fisher_->setReason(why);
        trend_->setReason(why);
        return;
    }
    std::vector<Curve> byLevel;
    auto curveOf = [&](const app::FisherTrendPoint& t, bool newest) {
        Curve c{newest ? tr("step %1 (newest)").arg(t.step) : tr("step %1 (first measured)").arg(t.step), {}, {},
                !newest, true};
        for (std::size_t k = 0; k < s.fisher.size() && k < t.divergence.size(); ++k)
            c.points.append(QPointF(s.fisher[k].sigma, t.divergence[k]));
        return c;
    };
    byLevel.push_back(curveOf(s.fisherTrend.back(), true));
    if (s.fisherTrend.size() > 1) byLevel.push_back(curveOf(s.fisherTrend.front(), false));
    byLevel.back().colour = byLevel.size() > 1 ? kAnalyticColour : QColor();
    std::vector<ChartValue> errors;
    for (const FisherLevel& l : s.fisher)
        errors.push_back({tr("newest, σ = %1").arg(l.sigma, 0, 'g', 4), l.value.divergence, l.standardError});
    fisher_->setCurves(byLevel, errors);
    fisher_->setReason(QString());
    // The trend: the mean over levels, and the least and the most noisy level.
    const std::size_t last = s.fisher.size() - 1;
    Curve mean{tr("mean over levels"), {}, {}, false, true};
    Curve low{tr("σ = %1 (least noise)").arg(s.fisher.front().sigma, 0, 'g', 3), {}, QColor(213, 94, 0), false, true};
    Curve high{tr("σ = %1 (most noise)").arg(s.fisher[last].sigma, 0, 'g', 3), {}, QColor(0, 158, 115), false, true};
    for (const app::FisherTrendPoint& t : s.fisherTrend) {
        if (t.divergence.size() != s.fisher.size()) continue;
        double sum = 0;
        for (double d : t.divergence) sum += d;
        const double x = double(t.step);
        mean.points.append(QPointF(x, sum / double(t.divergence.size())));
        low.points.append(QPointF(x, t.divergence.front()));
        high.points.append(QPointF(x, t.divergence[last]));
    }
    trend_->setCurves({mean, low, high});
    trend_->setReason(s.fisherTrend.size() < 2 ? tr("One checkpoint so far: the trend needs a second") : QString());
    double worst = 0;
    std::size_t at = 0;
    for (std::size_t k = 0; k < s.fisher.size(); ++k)
        if (s.fisher[k].value.relative > worst) worst = s.fisher[k].value.relative, at = k;
    fisherText_->setText(tr("Step %1: D_F = ½ E|s_θ − ∇log p_σ|² on samples of each level (%2 levels). Largest "
                            "relative error %3 at σ = %4 — where the data are sparse and σ small the model is wrong.")
                             .arg(s.step)
                             .arg(s.fisher.size())
                             .arg(worst, 0, 'f', 3)
                             .arg(s.fisher[at].sigma, 0, 'g', 3));
}

void ModelMeasurePanel::showElbo(const app::ModelMeasureSnapshot& s)
{
    if (!s.elbo) {
        // A newer network of the same run is being measured: the last bound
        // stays up, its text naming its step, and the progress bar says what
        // is measured (clearing it flickered the chart every few seconds, and
        // each rebuild cost the GUI thread 5-15 ms).
        if (s.elboWhyNot.empty() && s.step >= 0 && s.run == elboRun_) return;
        elboRun_ = -1;
        elboText_->setText(QString());
        elbo_->setCurves({});
        elbo_->setReason(!s.elboWhyNot.empty() ? QString::fromStdString(s.elboWhyNot)
                         : s.step < 0          ? tr("Waiting for the first network…")
                                               : tr("Measuring…"));
        return;
    }
    const ElboResult& r = *s.elbo;
    elboRun_ = s.run;
    Curve bound{tr("−ELBO accumulated: L_T + L_0 + Σ_{s≤t} L_s"), {}, {}, false, false};
    for (int t = 1; t <= r.steps; ++t)
        bound.points.append(QPointF(t, r.prior.mean + r.cumulative[std::size_t(t)]));
    std::vector<Curve> curves{bound};
    std::vector<ChartValue> values = {{tr("L_T prior"), r.prior.mean, r.prior.standardError},
                                      {tr("sum L_t (t = 2..T)"), r.diffusion.mean, r.diffusion.standardError},
                                      {tr("L_0 decoder"), r.decoder.mean, r.decoder.standardError},
                                      {tr("-ELBO total"), r.total.mean, r.total.standardError}};
    QString nllText;
    const app::NllPoint* nll = s.nll.empty() ? nullptr : &s.nll.back();
    if (nll && nll->learned && nll->step == s.step) {
        curves.push_back(level(tr("PF-ODE NLL (learned)"), nll->learned->mean, 1, r.steps, kFloorColour));
        values.push_back({tr("PF-ODE NLL"), nll->learned->mean, nll->learned->standardError});
        nllText = tr(" · PF-ODE NLL %1").arg(estimate(*nll->learned));
    }
    if (s.cleanNll) {
        curves.push_back(level(tr("analytic −log p(x0)"), s.cleanNll->mean, 1, r.steps, kAnalyticColour));
        values.push_back({tr("analytic NLL (clean)"), s.cleanNll->mean, s.cleanNll->standardError});
        nllText += tr(" · analytic %1 (gap of the bound %2)")
                       .arg(estimate(*s.cleanNll))
                       .arg(r.total.mean - s.cleanNll->mean, 0, 'f', 3);
    }
    elbo_->setCurves(curves, values);
    elbo_->setReason(QString());
    elboText_->setText(tr("Step %1, T = %2, %3 points: L_T %4 · Σ L_t %5 · L_0 %6 · <b>−ELBO %7</b> nats%8")
                           .arg(s.step)
                           .arg(r.steps)
                           .arg(r.points)
                           .arg(r.prior.mean, 0, 'f', 3)
                           .arg(r.diffusion.mean, 0, 'f', 3)
                           .arg(r.decoder.mean, 0, 'f', 3)
                           .arg(estimate(r.total), nllText));
}

} // namespace ss::window
