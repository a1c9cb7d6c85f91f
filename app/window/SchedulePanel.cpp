#include "window/SchedulePanel.h"

#include "core/Error.h"
#include "core/SamplerDefaults.h"
#include "core/ScheduleDefaults.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace ss::window {

namespace {
// The fields a kind reads (the others are greyed).
enum Field { SigmaRange = 1, Levels = 2, Steps = 4, Betas = 8 };

struct FieldValues {
    double sigmaMin = 0, sigmaMax = 0, betaMin = 0, betaMax = 0;
    int levels = 0, T = 0;
    std::vector<CurvePoint> points; // the custom curve's
};

// The kinds the dock offers, in the combo's order (its item data is the
// index): the core's name (NoiseSchedule::name()), the title, the fields the
// kind reads, and how they build it (applied: the schedule in use). Adding a
// kind is a row here (docs/architecture.md, "Adding a schedule kind"); a schedule
// of a kind not listed (user-edited sigma levels) shows as the first row.
struct KindRow {
    const char* name;
    QString title;
    QString formula; // the kind's tooltip in the combo
    int fields;
    std::function<NoiseSchedule(const FieldValues&, const NoiseSchedule& applied)> make;
};

const std::vector<KindRow>& scheduleKinds()
{
    using S = NoiseSchedule;
    using F = FieldValues;
    const auto tr = [](const char* text) { return QObject::tr(text); };
    static const std::vector<KindRow> rows = {
        {"geometric", tr("Geometric σ levels (NCSN)"),
         tr("L levels σ_l = σ_max·(σ_min/σ_max)^((l−1)/(L−1)), l = 1..L (Song & Ermon 2019)"), SigmaRange | Levels,
         [](const F& f, const S&) { return S::geometric(f.sigmaMin, f.sigmaMax, f.levels); }},
        {"ve", tr("Continuous VE"), tr("σ(t) = σ_min·(σ_max/σ_min)^t, t ∈ [0, 1]; dx = √(dσ²/dt) dw"), SigmaRange,
         [](const F& f, const S&) { return S::veContinuous(f.sigmaMin, f.sigmaMax); }},
        {"ddpm-linear", tr("DDPM, linear β"),
         tr("T steps, β_t linear from 10⁻⁴ to 0.02 (scaled by 1000/T); ᾱ_t = ∏(1 − β_s) (Ho et al. 2020)"), Steps,
         [](const F& f, const S& applied) { // keeps betas dragged on the curve; the defaults otherwise
             return applied.kind() == ScheduleKind::DdpmLinear
                 ? S::ddpmLinear(f.T, applied.betaMin(), applied.betaMax(), applied.ddpmRescaled())
                 : S::ddpmLinear(f.T);
         }},
        {"ddpm-cosine", tr("DDPM, cosine"),
         tr("T steps, ᾱ_t = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s)·π/2), s = 0.008 (Nichol & Dhariwal 2021)"),
         Steps, [](const F& f, const S&) { return S::ddpmCosine(f.T); }},
        {"vp", tr("VP SDE"), tr("dx = −½β(t)x dt + √β(t) dw, β(t) = β_min + t(β_max − β_min)"), Betas, [](const F& f, const S&) { return S::vp(f.betaMin, f.betaMax); }},
        {"sub-vp", tr("sub-VP SDE"),
         tr("dx = −½β(t)x dt + √(β(t)(1 − e^(−2∫β))) dw: the VP drift, less noise"), Betas,
         [](const F& f, const S&) { return S::subVp(f.betaMin, f.betaMax); }},
        // Its parameters are its points; without points yet, the sigma fields
        // give the ends of a straight first curve (updateEnabled).
        {"custom-curve", tr("Custom curve (drag the points)"),
         tr("log σ piecewise linear through the points you drag; L levels, or continuous (L = 0)"), Levels,
         [](const F& f, const S&) {
             std::vector<CurvePoint> points = f.points;
             if (points.empty()) points = {{0.0, std::log(f.sigmaMin)}, {1.0, std::log(f.sigmaMax)}};
             return S::customCurve(std::move(points), f.levels);
         }},
    };
    return rows;
}

bool isCustom(int kind) { return std::string(scheduleKinds().at(std::size_t(kind)).name) == "custom-curve"; }
} // namespace

SchedulePanel::SchedulePanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* viewRow = new QHBoxLayout;
    view_ = new QComboBox(this);
    view_->setObjectName("scheduleView");
    view_->addItem(tr("σ (log scale)"), int(ScheduleCurve::View::Sigma));
    view_->addItem(tr("β(t)"), int(ScheduleCurve::View::Beta));
    view_->addItem(tr("ᾱ(t)"), int(ScheduleCurve::View::AlphaBar));
    view_->setToolTip(tr("What the curve shows; β(t) and ᾱ(t) are for VP and DDPM schedules"));
    viewRow->addWidget(new QLabel(tr("Curve"), this));
    viewRow->addWidget(view_, 1);
    layout->addLayout(viewRow);
    curve_ = new ScheduleCurve(this);
    curve_->setObjectName("scheduleCurve");
    layout->addWidget(curve_);
    hint_ = new QLabel(this);
    hint_->setObjectName("scheduleHint");
    hint_->setWordWrap(true);
    layout->addWidget(hint_);
    auto* form = new QFormLayout;
    kind_ = new QComboBox(this);
    kind_->setObjectName("scheduleKind");
    for (std::size_t i = 0; i < scheduleKinds().size(); ++i) {
        kind_->addItem(scheduleKinds()[i].title, int(i));
        kind_->setItemData(int(i), scheduleKinds()[i].formula, Qt::ToolTipRole);
    }
    kind_->setToolTip(tr("The noise schedule: how the noise σ (or β) grows from data (t = 0) to the prior (t = 1)"));
    form->addRow(tr("Schedule"), kind_);
    auto number = [this](const char* name, double lo, double hi, double value, int decimals, const QString& tip) {
        auto* s = new QDoubleSpinBox(this);
        s->setObjectName(name);
        s->setToolTip(tip);
        s->setDecimals(decimals);
        s->setRange(lo, hi);
        s->setValue(value);
        return s;
    };
    sigmaMin_ = number("sigmaMin", 1e-4, 1e4, 0.05, 4,
                       tr("σ_min: the smallest noise, where sampling ends (below the data's finest detail)"));
    sigmaMax_ = number("sigmaMax", 1e-4, 1e4, 4.0, 3,
                       tr("σ_max: the largest noise, where sampling starts. While it is the data's diameter (the default),\n"
                          "a data set picked or loaded in the Data dock sets it to the new diameter; a value you apply stays."));
    betaMin_ = number("betaMin", 1e-5, 100, 0.1, 5, // DDPM's beta_1 is ~1e-4
                      tr("β_min = β(0), the VP noise rate at the data end (t = 0)"));
    betaMax_ = number("betaMax", 1e-4, 100, 20, 2, tr("β_max = β(1), the VP noise rate at the prior end (t = 1)"));
    levels_ = new QSpinBox(this);
    levels_->setObjectName("levels");
    levels_->setRange(1, 10000);
    levels_->setValue(10);
    levels_->setToolTip(tr("L: the number of noise levels σ_1 > … > σ_L (annealed Langevin visits each)"));
    T_ = new QSpinBox(this);
    T_->setObjectName("ddpmT");
    T_->setRange(2, 100000);
    T_->setValue(1000);
    T_->setToolTip(tr("T: DDPM's number of diffusion steps, x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε"));
    form->addRow(tr("σ min"), sigmaMin_);
    form->addRow(tr("σ max"), sigmaMax_);
    form->addRow(tr("Levels L"), levels_);
    form->addRow(tr("Steps T"), T_);
    form->addRow(tr("β min"), betaMin_);
    form->addRow(tr("β max"), betaMax_);
    layout->addLayout(form);
    auto* apply = new QPushButton(tr("Apply to training and sampling"), this);
    apply->setObjectName("applySchedule");
    layout->addWidget(apply);
    diagnostics_ = new QLabel(this);
    diagnostics_->setObjectName("scheduleDiagnostics");
    diagnostics_->setWordWrap(true);
    diagnostics_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(diagnostics_);
    layout->addStretch(1);
    connect(apply, &QPushButton::clicked, this, &SchedulePanel::apply);
    connect(kind_, &QComboBox::activated, this, &SchedulePanel::kindChosen);
    connect(kind_, &QComboBox::currentIndexChanged, this, &SchedulePanel::updateEnabled);
    connect(view_, &QComboBox::currentIndexChanged, this, [this] {
        curve_->setView(ScheduleCurve::View(view_->currentData().toInt()));
        hint_->setText(curve_->hint());
    });
    connect(curve_, &ScheduleCurve::editFinished, this, &SchedulePanel::applyCurveEdit);
    updateEnabled();
    updateViewChoices();
}

void SchedulePanel::updateEnabled()
{
    const int k = kind_->currentData().toInt();
    const int fields = scheduleKinds().at(std::size_t(k)).fields;
    const bool custom = isCustom(k);
    // A custom curve's parameters are its points; the sigma fields then show
    // its ends, unless there are no points yet (a VP schedule is shown): then
    // they give the ends of a straight first curve.
    const bool points = custom && !curve_->controlPoints().empty();
    sigmaMin_->setEnabled((fields & SigmaRange) || (custom && !points));
    sigmaMax_->setEnabled((fields & SigmaRange) || (custom && !points));
    if (points) {
        const std::vector<CurvePoint> p = curve_->controlPoints();
        sigmaMin_->setValue(std::exp(p.front().logSigma));
        sigmaMax_->setValue(std::exp(p.back().logSigma));
    }
    levels_->setMinimum(custom ? 0 : 1); // a custom curve with L = 0 is continuous
    levels_->setSpecialValueText(custom ? tr("continuous") : QString());
    levels_->setEnabled(fields & Levels);
    T_->setEnabled(fields & Steps);
    betaMin_->setEnabled(fields & Betas);
    betaMax_->setEnabled(fields & Betas);
}

NoiseSchedule SchedulePanel::schedule() const
{
    FieldValues f;
    f.sigmaMin = sigmaMin_->value();
    f.sigmaMax = sigmaMax_->value();
    f.betaMin = betaMin_->value();
    f.betaMax = betaMax_->value();
    f.levels = levels_->value();
    f.T = T_->value();
    f.points = curve_->controlPoints();
    return scheduleKinds().at(std::size_t(kind_->currentData().toInt())).make(f, current_);
}

void SchedulePanel::kindChosen()
{
    // Picking "custom curve" for a VE schedule starts from its levels (or continuous).
    if (isCustom(kind_->currentData().toInt()) && current_.isVarianceExploding()) {
        updateEnabled();
        levels_->setValue(current_.numLevels());
    }
}

void SchedulePanel::applyCurveEdit(const CurveEdit& edit)
{
    NoiseSchedule next;
    try {
        next = edit.make();
    } catch (const InputError& e) {
        emit message(tr("schedule refused: %1").arg(QString::fromStdString(e.what())), true);
        curve_->setSchedule(current_); // the handles go back to what is applied
        return;
    }
    showSchedule(next);
    emit scheduleRequested(current_);
}

void SchedulePanel::updateViewChoices()
{
    auto* model = qobject_cast<QStandardItemModel*>(view_->model());
    for (int i = 0; i < view_->count(); ++i)
        model->item(i)->setEnabled(curve_->viewApplies(ScheduleCurve::View(view_->itemData(i).toInt())));
    if (!curve_->viewApplies(ScheduleCurve::View(view_->currentData().toInt()))) view_->setCurrentIndex(0);
    hint_->setText(curve_->hint());
}

void SchedulePanel::apply()
{
    try {
        current_ = schedule();
    } catch (const InputError& e) {
        emit message(tr("schedule refused: %1").arg(QString::fromStdString(e.what())), true);
        showSchedule(current_); // the fields go back to the schedule in use
        return;
    }
    curve_->setSchedule(current_);
    updateViewChoices();
    updateDiagnostics();
    emit scheduleRequested(current_);
}

void SchedulePanel::showSchedule(const NoiseSchedule& s)
{
    const QSignalBlocker block(this);
    current_ = s;
    curve_->setSchedule(s);
    updateViewChoices();
    int k = 0; // a kind the dock does not list shows as the first
    for (std::size_t i = 0; i < scheduleKinds().size(); ++i)
        if (s.name() == scheduleKinds()[i].name) k = int(i);
    kind_->setCurrentIndex(kind_->findData(k));
    updateEnabled();
    if (s.isVarianceExploding()) {
        sigmaMin_->setValue(s.sigmaMin());
        sigmaMax_->setValue(s.sigmaMax());
        if (s.isDiscrete() || isCustom(k)) levels_->setValue(s.numLevels());
    } else if (s.isDiscrete()) {
        T_->setValue(s.numLevels());
        // Greyed, for reading: the schedule's actual beta_1 and beta_T (after
        // any 1000/T rescaling), not the VP fields' own values.
        betaMin_->setValue(s.betas()[1]);
        betaMax_->setValue(s.betas().back());
    } else {
        betaMin_->setValue(s.betaMin());
        betaMax_->setValue(s.betaMax());
    }
    updateEnabled();
    updateDiagnostics();
}

void SchedulePanel::restore(const NoiseSchedule& s)
{
    showSchedule(s);
    emit scheduleRequested(current_);
}

void SchedulePanel::setData(std::shared_ptr<const Dataset> data)
{
    data_ = std::move(data);
    updateDiagnostics();
}

void SchedulePanel::setSampler(const SamplerConfig& sampler)
{
    sampler_ = sampler;
    updateDiagnostics();
}

QString SchedulePanel::diagnostics() const { return diagnostics_->text(); }

void SchedulePanel::updateDiagnostics()
{
    QStringList lines;
    const NoiseLevel end = current_.noisiest();
    if (current_.isVarianceExploding()) {
        lines << tr("σ max = %1").arg(current_.sigmaMax(), 0, 'g', 3);
    } else {
        lines << tr("noisiest level: √ᾱ = %1 (ᾱ = %2)")
                     .arg(end.marginal.mean, 0, 'g', 3)
                     .arg(end.marginal.mean * end.marginal.mean, 0, 'g', 3);
    }
    if (data_ && data_->size() > 1) {
        const double kl = current_.priorMismatchKl(data_->mean(), data_->covariance());
        lines << tr("KL(final marginal ‖ prior) = %1 nats%2")
                     .arg(kl, 0, 'g', 3)
                     .arg(kl > 0.1 ? tr("  ⚠ the sampler starts off the prior") : QString());
        if (current_.isVarianceExploding()) {
            const double diameter = dataDiameter(*data_); // the rule's (core/ScheduleDefaults)
            lines << tr("data diameter ≈ %1: σ max is %2 of it%3")
                         .arg(diameter, 0, 'g', 3)
                         .arg(current_.sigmaMax() / diameter, 0, 'f', 2)
                         .arg(current_.sigmaMax() < 0.5 * diameter ? tr("  ⚠ too small to mix the modes")
                                                                   : QString());
        }
    }
    if (current_.isVarianceExploding()) {
        // The same rule as the Sampler dock's default (annealedEpsilon); the
        // sampler's own eps beside it when the user typed another.
        const double eps = annealedEpsilon(current_, sampler_.stepsPerLevel, sampler_.annealedLevels,
                                           dataCurvatureVariance(data_.get()));
        const double sL = current_.isDiscrete() ? current_.level(1).marginal.std : current_.sigmaMin();
        const double top =
            current_.isDiscrete() ? current_.level(current_.numLevels()).marginal.std : current_.sigmaMax();
        QString line = tr("annealed Langevin, %1 steps per level: ε = %2 (a = %3 of σ_l² at every level), α "
                          "from %4 down to %5")
                           .arg(sampler_.stepsPerLevel)
                           .arg(eps, 0, 'g', 3)
                           .arg(eps / (sL * sL), 0, 'g', 3)
                           .arg(eps * (top / sL) * (top / sL), 0, 'g', 3)
                           .arg(eps, 0, 'g', 3);
        const bool annealed = sampler_.kind == SamplerKind::AnnealedLangevin;
        if (annealed && std::abs(sampler_.stepSize - eps) > 1e-6 * eps)
            line += tr("; the sampler runs with ε = %1 (a = %2%3)")
                        .arg(sampler_.stepSize, 0, 'g', 3)
                        .arg(sampler_.stepSize / (sL * sL), 0, 'g', 3)
                        .arg(sampler_.stepSize / (sL * sL) >= 4 ? tr(", ⚠ above the stable 4") : QString());
        lines << line;
    }
    diagnostics_->setText(lines.join('\n'));
}

} // namespace ss::window
