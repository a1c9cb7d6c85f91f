#include "SchedulePanel.h"

#include "Error.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace ss::window {

namespace {
enum Kind { Geometric, Ve, DdpmLinear, DdpmCosine, Vp, SubVp };
}

SchedulePanel::SchedulePanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    kind_ = new QComboBox(this);
    kind_->setObjectName("scheduleKind");
    kind_->addItem(tr("Geometric σ levels (NCSN)"), Geometric);
    kind_->addItem(tr("Continuous VE"), Ve);
    kind_->addItem(tr("DDPM, linear β"), DdpmLinear);
    kind_->addItem(tr("DDPM, cosine"), DdpmCosine);
    kind_->addItem(tr("VP SDE"), Vp);
    kind_->addItem(tr("sub-VP SDE"), SubVp);
    form->addRow(tr("Schedule"), kind_);
    auto number = [this](const char* name, double lo, double hi, double value, int decimals) {
        auto* s = new QDoubleSpinBox(this);
        s->setObjectName(name);
        s->setDecimals(decimals);
        s->setRange(lo, hi);
        s->setValue(value);
        return s;
    };
    sigmaMin_ = number("sigmaMin", 1e-4, 1e4, 0.05, 4);
    sigmaMax_ = number("sigmaMax", 1e-4, 1e4, 4.0, 3);
    betaMin_ = number("betaMin", 1e-4, 100, 0.1, 3);
    betaMax_ = number("betaMax", 1e-4, 100, 20, 2);
    levels_ = new QSpinBox(this);
    levels_->setObjectName("levels");
    levels_->setRange(1, 10000);
    levels_->setValue(10);
    T_ = new QSpinBox(this);
    T_->setObjectName("ddpmT");
    T_->setRange(2, 100000);
    T_->setValue(1000);
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
    connect(kind_, &QComboBox::currentIndexChanged, this, &SchedulePanel::updateEnabled);
    updateEnabled();
}

void SchedulePanel::updateEnabled()
{
    const int k = kind_->currentData().toInt();
    const bool ve = k == Geometric || k == Ve, ddpm = k == DdpmLinear || k == DdpmCosine, vp = k == Vp || k == SubVp;
    sigmaMin_->setEnabled(ve);
    sigmaMax_->setEnabled(ve);
    levels_->setEnabled(k == Geometric);
    T_->setEnabled(ddpm);
    betaMin_->setEnabled(vp);
    betaMax_->setEnabled(vp);
}

NoiseSchedule SchedulePanel::schedule() const
{
    switch (kind_->currentData().toInt()) {
    case Geometric: return NoiseSchedule::geometric(sigmaMin_->value(), sigmaMax_->value(), levels_->value());
    case Ve: return NoiseSchedule::veContinuous(sigmaMin_->value(), sigmaMax_->value());
    case DdpmLinear: return NoiseSchedule::ddpmLinear(T_->value());
    case DdpmCosine: return NoiseSchedule::ddpmCosine(T_->value());
    case Vp: return NoiseSchedule::vp(betaMin_->value(), betaMax_->value());
    default: return NoiseSchedule::subVp(betaMin_->value(), betaMax_->value());
    }
}

void SchedulePanel::apply()
{
    try {
        current_ = schedule();
    } catch (const InputError& e) {
        emit message(tr("schedule refused: %1").arg(QString::fromStdString(e.what())), true);
        return;
    }
    updateDiagnostics();
    emit scheduleRequested(current_);
}

void SchedulePanel::show(const NoiseSchedule& s)
{
    const QSignalBlocker block(this);
    current_ = s;
    const std::string name = s.name();
    const int k = name == "ve" ? Ve
                  : name == "ddpm-linear" ? DdpmLinear
                  : name == "ddpm-cosine" ? DdpmCosine
                  : name == "vp" ? Vp
                  : name == "sub-vp" ? SubVp
                                     : Geometric;
    kind_->setCurrentIndex(kind_->findData(k));
    if (s.isVarianceExploding()) {
        sigmaMin_->setValue(s.sigmaMin());
        sigmaMax_->setValue(s.sigmaMax());
        if (s.isDiscrete()) levels_->setValue(s.numLevels());
    } else if (s.isDiscrete()) {
        T_->setValue(s.numLevels());
    } else {
        betaMin_->setValue(s.betaMin());
        betaMax_->setValue(s.betaMax());
    }
    updateEnabled();
    updateDiagnostics();
}

void SchedulePanel::setData(std::shared_ptr<const Dataset> data)
{
    data_ = std::move(data);
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
        lines << tr("noisiest level: √ᾱ = %1 (ᾱ = %2)").arg(end.marginal.mean, 0, 'g', 3).arg(end.marginal.mean * end.marginal.mean, 0, 'g', 3);
    }
    if (data_ && data_->size() > 1) {
        const double kl = current_.priorMismatchKl(data_->mean(), data_->covariance());
        lines << tr("KL(final marginal ‖ prior) = %1 nats%2").arg(kl, 0, 'g', 3).arg(kl > 0.1 ? tr("  ⚠ the sampler starts off the prior") : QString());
        if (current_.isVarianceExploding()) {
            const Eigen::Matrix2Xd c = data_->points.colwise() - data_->mean();
            const double diameter = 2 * c.colwise().norm().maxCoeff();
            lines << tr("data diameter ≈ %1: σ max is %2 of it%3")
                         .arg(diameter, 0, 'g', 3)
                         .arg(current_.sigmaMax() / diameter, 0, 'f', 2)
                         .arg(current_.sigmaMax() < 0.5 * diameter ? tr("  ⚠ too small to mix the modes") : QString());
        }
    }
    if (current_.isVarianceExploding() && current_.isDiscrete()) {
        const std::vector<double> a = current_.annealedStepSizes(2e-5);
        lines << tr("annealed Langevin steps (ε = 2e-5): α from %1 down to %2").arg(a.front(), 0, 'g', 3).arg(a.back(), 0, 'g', 3);
    }
    diagnostics_->setText(lines.join('\n'));
}

} // namespace ss::window
