#include "SamplerPanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ss::window {

namespace {
const SamplerKind kKinds[] = {SamplerKind::Langevin,           SamplerKind::AnnealedLangevin, SamplerKind::Ddpm,
                              SamplerKind::Ddim,               SamplerKind::ReverseSde,       SamplerKind::PredictorCorrector,
                              SamplerKind::ProbabilityFlow};
QString kindTitle(SamplerKind k)
{
    switch (k) {
    case SamplerKind::Langevin: return QObject::tr("Langevin (one level)");
    case SamplerKind::AnnealedLangevin: return QObject::tr("Annealed Langevin");
    case SamplerKind::Ddpm: return QObject::tr("DDPM ancestral");
    case SamplerKind::Ddim: return QObject::tr("DDIM");
    case SamplerKind::ReverseSde: return QObject::tr("Reverse SDE (Euler–Maruyama)");
    case SamplerKind::PredictorCorrector: return QObject::tr("Predictor–corrector");
    case SamplerKind::ProbabilityFlow: return QObject::tr("Probability-flow ODE");
    }
    return {};
}
} // namespace

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

    auto* form = new QFormLayout;
    kind_ = new QComboBox(this);
    kind_->setObjectName("samplerKind");
    for (SamplerKind k : kKinds) kind_->addItem(kindTitle(k), int(k));
    form->addRow(tr("Sampler"), kind_);
    source_ = new QComboBox(this);
    source_->setObjectName("scoreSource");
    source_->addItem(tr("Learned score"), int(app::SourceKind::Learned));
    source_->addItem(tr("Exact score"), int(app::SourceKind::Exact));
    source_->setToolTip(tr("Exact: the sampler's own error alone; learned: plus the network's"));
    form->addRow(tr("Score"), source_);
    auto spin = [&](const char* name, int lo, int hi, int value) {
        auto* s = new QSpinBox(this);
        s->setObjectName(name);
        s->setRange(lo, hi);
        s->setValue(value);
        return s;
    };
    auto dspin = [&](const char* name, double lo, double hi, double value, int decimals) {
        auto* s = new QDoubleSpinBox(this);
        s->setObjectName(name);
        s->setDecimals(decimals);
        s->setRange(lo, hi);
        s->setValue(value);
        return s;
    };
    particles_ = spin("particles", 1, 200000, 2000);
    stepsPerFrame_ = spin("stepsPerFrame", 1, 1000, 5);
    seed_ = spin("samplerSeed", 0, 1000000, 0);
    stepSize_ = dspin("stepSize", 1e-7, 10, 5e-4, 7);
    stepsPerLevel_ = spin("stepsPerLevel", 1, 10000, 30);
    steps_ = spin("timeSteps", 1, 100000, 300);
    ddimSteps_ = spin("ddimSteps", 1, 100000, 50);
    eta_ = dspin("eta", 0, 1, 0, 2);
    correctors_ = spin("correctorSteps", 0, 100, 1);
    snr_ = dspin("snr", 0.001, 10, 0.16, 3);
    form->addRow(tr("Particles"), particles_);
    form->addRow(tr("Steps per frame"), stepsPerFrame_);
    form->addRow(tr("Seed"), seed_);
    form->addRow(tr("Step size (ε / η)"), stepSize_);
    form->addRow(tr("Steps per level"), stepsPerLevel_);
    form->addRow(tr("Time steps"), steps_);
    form->addRow(tr("DDIM steps"), ddimSteps_);
    form->addRow(tr("DDIM η"), eta_);
    form->addRow(tr("Corrector steps"), correctors_);
    form->addRow(tr("Corrector SNR"), snr_);
    layout->addLayout(form);
    status_ = new QLabel(this);
    status_->setObjectName("samplerStatus");
    status_->setWordWrap(true);
    layout->addWidget(status_);
    layout->addStretch(1);

    auto changed = [this] {
        updateEnabled();
        if (!showing_) emit settingsChanged();
    };
    connect(kind_, &QComboBox::currentIndexChanged, this, changed);
    connect(source_, &QComboBox::currentIndexChanged, this, [this] {
        if (!showing_) emit sourceChanged(app::SourceKind(source_->currentData().toInt()));
    });
    for (QSpinBox* s : {particles_, stepsPerFrame_, seed_, stepsPerLevel_, steps_, ddimSteps_, correctors_})
        connect(s, &QSpinBox::editingFinished, this, changed);
    for (QDoubleSpinBox* s : {stepSize_, eta_, snr_}) connect(s, &QDoubleSpinBox::editingFinished, this, changed);
    updateEnabled();
}

void SamplerPanel::updateEnabled()
{
    const auto k = SamplerKind(kind_->currentData().toInt());
    stepSize_->setEnabled(k == SamplerKind::Langevin || k == SamplerKind::AnnealedLangevin);
    stepsPerLevel_->setEnabled(k == SamplerKind::AnnealedLangevin);
    steps_->setEnabled(k == SamplerKind::Langevin || k == SamplerKind::ReverseSde ||
                       k == SamplerKind::PredictorCorrector || k == SamplerKind::ProbabilityFlow);
    ddimSteps_->setEnabled(k == SamplerKind::Ddim);
    eta_->setEnabled(k == SamplerKind::Ddim);
    correctors_->setEnabled(k == SamplerKind::PredictorCorrector);
    snr_->setEnabled(k == SamplerKind::PredictorCorrector);
}

app::SamplingSetup SamplerPanel::apply(app::SamplingSetup s) const
{
    s.sampler.kind = SamplerKind(kind_->currentData().toInt());
    s.source = app::SourceKind(source_->currentData().toInt());
    s.sampler.particles = particles_->value();
    s.stepsPerTick = stepsPerFrame_->value();
    s.sampler.seed = std::uint64_t(seed_->value());
    s.sampler.stepSize = stepSize_->value();
    s.sampler.stepsPerLevel = stepsPerLevel_->value();
    s.sampler.steps = steps_->value();
    s.sampler.ddimSteps = ddimSteps_->value();
    s.sampler.eta = eta_->value();
    s.sampler.correctorSteps = correctors_->value();
    s.sampler.snr = snr_->value();
    return s;
}

void SamplerPanel::showSetup(const app::SamplingSetup& s)
{
    showing_ = true;
    kind_->setCurrentIndex(kind_->findData(int(s.sampler.kind)));
    source_->setCurrentIndex(source_->findData(int(s.source)));
    particles_->setValue(s.sampler.particles);
    stepsPerFrame_->setValue(s.stepsPerTick);
    seed_->setValue(int(s.sampler.seed));
    stepSize_->setValue(s.sampler.stepSize);
    stepsPerLevel_->setValue(s.sampler.stepsPerLevel);
    steps_->setValue(s.sampler.steps);
    ddimSteps_->setValue(s.sampler.ddimSteps);
    eta_->setValue(s.sampler.eta);
    correctors_->setValue(s.sampler.correctorSteps);
    snr_->setValue(s.sampler.snr);
    updateEnabled();
    showing_ = false;
}

void SamplerPanel::showSnapshot(const app::ParticleSnapshot& s)
{
    status_->setText(tr("run %1 · step %2 / %3 · σ = %4 · %5 score evaluations\n%6")
                         .arg(s.run + 1)
                         .arg(s.step)
                         .arg(s.totalSteps < 0 ? QStringLiteral("?") : QString::number(s.totalSteps))
                         .arg(s.level.marginal.std, 0, 'g', 3)
                         .arg(s.evaluations)
                         .arg(QString::fromStdString(s.source)));
}

} // namespace ss::window
