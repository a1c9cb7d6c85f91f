#include "window/SamplerPanel.h"

#include "core/SamplerDefaults.h"
#include "window/SamplerForm.h"

#include "state/TiltedTarget.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <cmath>

namespace ss::window {

SamplerPanel::SamplerPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* buttons = new QHBoxLayout;
    auto addButton = [&](const QString& text, auto signal) {
        auto* b = new QPushButton(text, this);
        b->setObjectName("sampler" + text);
        connect(b, &QPushButton::clicked, this, signal);
        buttons->addWidget(b);
    };
    addButton(tr("Play"), &SamplerPanel::playRequested);
    addButton(tr("Pause"), &SamplerPanel::pauseRequested);
    addButton(tr("Step"), &SamplerPanel::stepRequested);
    addButton(tr("Reset"), &SamplerPanel::resetRequested);
    layout->addLayout(buttons);

    form_ = new QFormLayout;
    derivedHint_ = new QLabel(this);
    derivedHint_->setObjectName("derivedStep");
    derivedHint_->setWordWrap(true);
    // showSetup shows a setup as it is: no derived value moves while it sets
    // the fields one by one (it updates the rows and the rules once, after).
    const auto changed = [this] {
        if (showing_) return;
        updateEnabled();
        followDerived();
        emit settingsChanged();
    };
    for (const SamplerRow& row : samplerRows()) {
        QWidget* w = makeRowWidget(row, this);
        fields_.push_back(w);
        if (row.widget == SamplerRow::Widget::Check)
            form_->addRow(w);
        else
            form_->addRow(row.label, w);
        if (row.emits == SamplerRow::Emits::Source)
            onRowEdited(row, w, this, [this, &row, w] {
                if (!showing_) emit sourceChanged(app::SourceKind(int(rowValue(row, w))));
            });
        else
            onRowEdited(row, w, this, changed);
        if (w->objectName() == "stepSize")
            form_->addRow(QString(), derivedHint_); // the rule's value under it
        if (w->objectName() == "guidanceScale") {
            guidanceHint_ = new QLabel(this);
            guidanceHint_->setObjectName("guidanceConvention");
            guidanceHint_->setWordWrap(true);
            form_->addRow(QString(), guidanceHint_); // both conventions' numbers under it
        }
    }
    // The derived defaults' own fields (the table names them; direct children).
    stepSize_ = findChild<QDoubleSpinBox*>("stepSize", Qt::FindDirectChildrenOnly);
    langevinStd_ = findChild<QDoubleSpinBox*>("langevinStd", Qt::FindDirectChildrenOnly);
    spacing_ = findChild<QComboBox*>("ddimSpacing", Qt::FindDirectChildrenOnly);
    direction_ = findChild<QComboBox*>("direction", Qt::FindDirectChildrenOnly);
    layout->addLayout(form_);
    status_ = new QLabel(this);
    status_->setObjectName("samplerStatus");
    status_->setWordWrap(true);
    layout->addWidget(status_);
    layout->addStretch(1);
    updateEnabled();
}

void SamplerPanel::addFooter(QWidget* w)
{
    auto* box = static_cast<QVBoxLayout*>(layout());
    box->insertWidget(box->count() - 1, w); // above the closing stretch
}

SamplerKind SamplerPanel::kind() const { return apply(app::SamplingSetup{}).sampler.kind; }

void SamplerPanel::updateEnabled()
{
    // A row is shown (and enabled) only where the chosen sampler reads it.
    const app::SamplingSetup c = apply(shown_); // the stroke is the shown setup's (no widget holds it)
    const auto& rows = samplerRows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const bool on = rowApplies(rows[i], c);
        fields_[i]->setEnabled(on);
        form_->setRowVisible(fields_[i], on);
        if (fields_[i] == stepSize_) {
            derivedHint_->setEnabled(on);
            form_->setRowVisible(derivedHint_, on);
        }
        if (guidanceHint_ && fields_[i]->objectName() == "guidanceScale") form_->setRowVisible(guidanceHint_, on);
    }
    updateGuidanceHint(c.guidance);
}

app::SamplingSetup SamplerPanel::apply(app::SamplingSetup s) const
{
    const auto& rows = samplerRows();
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].field.set(s, rowValue(rows[i], fields_[i]));
    return s;
}

void SamplerPanel::showSetup(const app::SamplingSetup& s)
{
    showing_ = true;
    shown_ = s;
    const auto& rows = samplerRows();
    for (std::size_t i = 0; i < rows.size(); ++i) setRowValue(rows[i], fields_[i], rows[i].field.get(s));
    updateEnabled();
    // The shown values are the scene's: a value equal to what the rules derive
    // for it follows later changes, any other counts as typed.
    schedule_ = s.schedule;
    data_ = s.data;
    lastKind_ = s.sampler.kind;
    lastDirection_ = s.sampler.direction;
    lastStd_ = derivedStd();
    lastStep_ = derivedStep();
    updateHint(); // the values stay the scene's (a saved scene reopens exactly)
    showing_ = false;
}

void SamplerPanel::restore(const app::SamplingSetup& s)
{
    showSetup(s);
    emit settingsChanged();
}

void SamplerPanel::setContext(const NoiseSchedule& schedule, std::shared_ptr<const Dataset> data,
                              double modelSigma)
{
    schedule_ = schedule;
    data_ = std::move(data);
    modelSigma_ = modelSigma;
    if (followDerived() && !showing_) emit settingsChanged();
}

double SamplerPanel::derivedStd() const { return defaultLangevinStd(schedule_, modelSigma_); }

double SamplerPanel::derivedStep() const
{
    const SamplerConfig c = apply(app::SamplingSetup{}).sampler;
    return defaultStepSize(c, schedule_, dataCurvatureVariance(data_.get()));
}

bool SamplerPanel::followDerived()
{
    using K = SamplerKind;
    const K k = kind();
    // Equal up to the field's rounding: the user has not typed another value.
    const auto untouched = [](const QDoubleSpinBox* box, double derived) {
        return std::abs(box->value() - derived) <= 0.51 * std::pow(10.0, -box->decimals());
    };
    bool moved = false;
    // Langevin's noise level first (its step depends on it). A 0 that was
    // hidden (another sampler was chosen) is no choice of the user's either.
    const double std = derivedStd();
    if (untouched(langevinStd_, lastStd_) || (lastKind_ != K::Langevin && langevinStd_->value() == 0)) {
        if (!untouched(langevinStd_, std)) {
            langevinStd_->setValue(std);
            moved = true;
        }
    }
    lastStd_ = std;
    // Other samplers have no step size to derive: the field keeps its state.
    if (k == K::Langevin || k == K::AnnealedLangevin) {
        const double step = derivedStep();
        if (untouched(stepSize_, lastStep_) && !untouched(stepSize_, step)) {
            stepSize_->setValue(step);
            moved = true;
        }
        lastStep_ = step;
    }
    lastKind_ = k;
    // DDIM's spacing follows the direction (defaultDdimSpacing: Trailing to
    // encode, so the latents reach t = 1) unless the user chose another.
    const auto direction = Direction(direction_->currentData().toInt());
    if (direction != lastDirection_) {
        if (DdimSpacing(spacing_->currentData().toInt()) == defaultDdimSpacing(lastDirection_)) {
            const QSignalBlocker quiet(spacing_); // one settingsChanged, from the caller
            spacing_->setCurrentIndex(spacing_->findData(int(defaultDdimSpacing(direction))));
            moved = true;
        }
        lastDirection_ = direction;
    }
    updateHint();
    return moved;
}

void SamplerPanel::updateHint()
{
    using K = SamplerKind;
    const K k = kind();
    if (k == K::Langevin || k == K::AnnealedLangevin) {
        const double step = lastStep_;
        const double width2 = k == K::Langevin
            ? langevinStd_->value() * langevinStd_->value() + dataCurvatureVariance(data_.get())
            : std::pow(smallestStd(schedule_), 2);
        derivedHint_->setText(
            k == K::Langevin ? tr("default η = %1 (a = %2 of the narrowest width²; diverges above a = 4)")
                                   .arg(step, 0, 'g', 3)
                                   .arg(width2 > 0 ? step / width2 : 0.0, 0, 'g', 3)
                             : tr("default ε = %1 (a = α_l / σ_l² = %2 at every level; diverges above 4)")
                                   .arg(step, 0, 'g', 3)
                                   .arg(width2 > 0 ? step / width2 : 0.0, 0, 'g', 3));
    }
}

void SamplerPanel::updateGuidanceHint(const GuidanceConfig& g)
{
    if (!guidanceHint_) return;
    const double w = guidanceW(g.gamma);
    QString text = tr("γ = %1 is Ho & Salimans' w = %2: s_u + γ(s_c − s_u) = (1 + w) s_c − w s_u.")
                       .arg(g.gamma, 0, 'g', 3)
                       .arg(w, 0, 'g', 3);
    if (g.gamma == 1) text += tr(" γ = 1: exactly p(x | y).");
    else if (g.gamma == 0) text += tr(" γ = 0: no guidance.");
    else if (g.gamma < 0) text += tr(" γ < 0 pushes away from the class.");
    guidanceHint_->setText(text);
}

void SamplerPanel::showSnapshot(const app::ParticleSnapshot& s)
{
    status_->setText(tr("run %1 · step %2 / %3 · σ = %4 · %5 score evaluations\n%6")
                         .arg(s.run + 1)
                         .arg(s.step)
                         .arg(s.totalSteps < 0 ? QStringLiteral("?") : QString::number(s.totalSteps))
                         .arg(s.level.marginal.std, 0, 'g', 3)
                         .arg(s.evaluations)
                         .arg(QString::fromStdString(s.source)) +
                     (s.targetDistance ? tr("\nrun %1 against %2: sliced W2 %3 (floor %4)")
                                             .arg(s.targetDistance->run + 1)
                                             .arg(QString::fromStdString(s.targetDistance->what))
                                             .arg(s.targetDistance->sw2, 0, 'g', 3)
                                             .arg(s.targetDistance->floor, 0, 'g', 3)
                                       : QString()));
}

} // namespace ss::window
