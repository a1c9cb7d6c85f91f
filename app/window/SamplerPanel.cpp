#include "SamplerPanel.h"

#include "SamplerDefaults.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

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

    form_ = new QFormLayout;
    auto combo = [&](const char* name, std::initializer_list<std::pair<QString, int>> items) {
        auto* c = new QComboBox(this);
        c->setObjectName(name);
        for (const auto& [text, value] : items) c->addItem(text, value);
        return c;
    };
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
    kind_ = new QComboBox(this);
    kind_->setObjectName("samplerKind");
    for (SamplerKind k : kKinds) kind_->addItem(kindTitle(k), int(k));
    source_ = combo("scoreSource", {{tr("Learned score"), int(app::SourceKind::Learned)},
                                    {tr("Exact score"), int(app::SourceKind::Exact)}});
    source_->setToolTip(tr("Exact: the sampler's own error alone; learned: plus the network's"));
    start_ = combo("start", {{tr("The prior"), int(StartKind::Prior)}, {tr("Uniform in a box"), int(StartKind::UniformBox)}});
    start_->setToolTip(tr("Prior: N(0, σ_max² I) for VE schedules, N(0, I) for VP ones"));
    particles_ = spin("particles", 1, 200000, 2000);
    stepsPerFrame_ = spin("stepsPerFrame", 1, 1000, 5);
    trail_ = spin("trailLength", 1, 200, 12);
    trail_->setToolTip(tr("Positions kept per particle for its fading trail (1: none)"));
    loop_ = new QCheckBox(tr("Start again when a run ends"), this);
    loop_->setObjectName("loop");
    seed_ = spin("samplerSeed", 0, 1000000, 0);
    stepSize_ = dspin("stepSize", 1e-9, 10, 5e-4, 9);
    stepSize_->setToolTip(tr("Langevin: the step η. Annealed: ε, with α_l = ε σ_l² / σ_L².\n"
                             "Until you type one it follows the schedule: relative step a = η / width² chosen so the\n"
                             "particles reach each level's width within its steps (Song & Ermon 2020, technique 4;\n"
                             "a ≤ 1/2, stable below 4); ε = a σ_L², η = a (σ² + the narrowest mode's variance)."));
    langevinStd_ = dspin("langevinStd", 0, 100, 0, 4);
    langevinStd_->setToolTip(tr("The noise level of the score plain Langevin follows (0: the clean data).\n"
                                "Until you type one: a single-σ model's own σ, else the schedule's smallest σ."));
    derivedHint_ = new QLabel(this);
    derivedHint_->setObjectName("derivedStep");
    derivedHint_->setWordWrap(true);
    stepsPerLevel_ = spin("stepsPerLevel", 1, 10000, 30);
    annealedLevels_ = spin("annealedLevels", 1, 1000, 10);
    annealedLevels_->setToolTip(tr("Continuous VE schedules: geometric levels to anneal over"));
    steps_ = spin("timeSteps", 1, 100000, 300);
    variance_ = combo("ddpmVariance", {{tr("σ² = β_t"), int(DdpmVariance::Beta)},
                                       {tr("σ² = β̃_t (posterior)"), int(DdpmVariance::BetaTilde)}});
    ddimSteps_ = spin("ddimSteps", 1, 100000, 50);
    eta_ = dspin("eta", 0, 1, 0, 2);
    spacing_ = combo("ddimSpacing", {{tr("Uniform"), int(DdimSpacing::Uniform)},
                                     {tr("Quadratic"), int(DdimSpacing::Quadratic)},
                                     {tr("Trailing"), int(DdimSpacing::Trailing)}});
    spacing_->setToolTip(tr("Uniform: levels 1 + (i−1)T/S, from 1 up to 1 + (S−1)T/S.\n"
                            "Trailing: iT/S, reaching T: use it to encode data → noise.\n"
                            "Quadratic: denser at low noise, up to 1 + 0.8T."));
    predictor_ = combo("predictor", {{tr("Euler–Maruyama"), int(Predictor::EulerMaruyama)},
                                     {tr("Reverse diffusion"), int(Predictor::ReverseDiffusion)},
                                     {tr("Ancestral"), int(Predictor::Ancestral)}});
    correctors_ = spin("correctorSteps", 0, 100, 1);
    snr_ = dspin("snr", 0.001, 10, 0.16, 3);
    ode_ = combo("odeMethod", {{tr("Euler"), int(OdeMethod::Euler)},
                               {tr("Heun"), int(OdeMethod::Heun)},
                               {tr("RK4"), int(OdeMethod::Rk4)},
                               {tr("RK45, adaptive"), int(OdeMethod::Rk45)}});
    rtol_ = dspin("rtol", 1e-9, 0.1, 1e-5, 9);
    atol_ = dspin("atol", 1e-9, 0.1, 1e-5, 9);
    direction_ = combo("direction", {{tr("Noise → data (sample)"), int(Direction::NoiseToData)},
                                     {tr("Data → noise (encode)"), int(Direction::DataToNoise)}});
    direction_->setToolTip(tr("Encoding starts from the data set's points.\n"
                              "DDIM encoding ends at the spacing's last level: 1 + (S−1)T/S with Uniform\n"
                              "(981 of 1000 for S = 50: latents of variance ≈ 0.82), T with Trailing (latents ≈ N(0, I))"));

    form_->addRow(tr("Sampler"), kind_);
    form_->addRow(tr("Score"), source_);
    form_->addRow(tr("Particles"), particles_);
    form_->addRow(tr("Start from"), start_);
    form_->addRow(tr("Steps per frame"), stepsPerFrame_);
    form_->addRow(tr("Trail length"), trail_);
    form_->addRow(loop_);
    form_->addRow(tr("Seed"), seed_);
    form_->addRow(tr("Step size (ε / η)"), stepSize_);
    form_->addRow(QString(), derivedHint_);
    form_->addRow(tr("Score at σ"), langevinStd_);
    form_->addRow(tr("Steps per level"), stepsPerLevel_);
    form_->addRow(tr("Levels (continuous VE)"), annealedLevels_);
    form_->addRow(tr("Time steps"), steps_);
    form_->addRow(tr("Variance"), variance_);
    form_->addRow(tr("DDIM steps"), ddimSteps_);
    form_->addRow(tr("DDIM η"), eta_);
    form_->addRow(tr("Spacing"), spacing_);
    form_->addRow(tr("Predictor"), predictor_);
    form_->addRow(tr("Corrector steps"), correctors_);
    form_->addRow(tr("Corrector SNR"), snr_);
    form_->addRow(tr("ODE method"), ode_);
    form_->addRow(tr("Relative tolerance"), rtol_);
    form_->addRow(tr("Absolute tolerance"), atol_);
    form_->addRow(tr("Direction"), direction_);
    layout->addLayout(form_);
    status_ = new QLabel(this);
    status_->setObjectName("samplerStatus");
    status_->setWordWrap(true);
    layout->addWidget(status_);
    layout->addStretch(1);

    auto changed = [this] {
        updateEnabled();
        followDerived();
        if (!showing_) emit settingsChanged();
    };
    connect(source_, &QComboBox::currentIndexChanged, this, [this] {
        if (!showing_) emit sourceChanged(app::SourceKind(source_->currentData().toInt()));
    });
    for (QComboBox* c : {kind_, start_, variance_, spacing_, predictor_, ode_, direction_})
        connect(c, &QComboBox::currentIndexChanged, this, changed);
    connect(loop_, &QCheckBox::toggled, this, changed);
    for (QSpinBox* s : {particles_, stepsPerFrame_, trail_, seed_, stepsPerLevel_, annealedLevels_, steps_, ddimSteps_,
                        correctors_})
        connect(s, &QSpinBox::editingFinished, this, changed);
    for (QDoubleSpinBox* s : {stepSize_, langevinStd_, eta_, snr_, rtol_, atol_})
        connect(s, &QDoubleSpinBox::editingFinished, this, changed);
    updateEnabled();
}

void SamplerPanel::updateEnabled()
{
    using K = SamplerKind;
    const auto k = K(kind_->currentData().toInt());
    const auto method = OdeMethod(ode_->currentData().toInt());
    const bool ode = k == K::ProbabilityFlow;
    // A row is shown (and enabled) only where the chosen sampler reads it.
    auto relevant = [this](QWidget* w, bool on) {
        w->setEnabled(on);
        form_->setRowVisible(w, on);
    };
    relevant(stepSize_, k == K::Langevin || k == K::AnnealedLangevin);
    relevant(derivedHint_, k == K::Langevin || k == K::AnnealedLangevin);
    relevant(langevinStd_, k == K::Langevin);
    relevant(stepsPerLevel_, k == K::AnnealedLangevin);
    relevant(annealedLevels_, k == K::AnnealedLangevin);
    relevant(steps_, k == K::Langevin || k == K::ReverseSde || k == K::PredictorCorrector ||
                         (ode && method != OdeMethod::Rk45));
    relevant(variance_, k == K::Ddpm);
    relevant(ddimSteps_, k == K::Ddim);
    relevant(eta_, k == K::Ddim);
    relevant(spacing_, k == K::Ddim);
    relevant(predictor_, k == K::PredictorCorrector);
    relevant(correctors_, k == K::PredictorCorrector);
    relevant(snr_, k == K::PredictorCorrector);
    relevant(ode_, ode);
    relevant(rtol_, ode && method == OdeMethod::Rk45);
    relevant(atol_, ode && method == OdeMethod::Rk45);
    relevant(direction_, ode || k == K::Ddim);
}

app::SamplingSetup SamplerPanel::apply(app::SamplingSetup s) const
{
    auto& c = s.sampler;
    c.kind = SamplerKind(kind_->currentData().toInt());
    s.source = app::SourceKind(source_->currentData().toInt());
    c.particles = particles_->value();
    c.start = StartKind(start_->currentData().toInt());
    s.stepsPerTick = stepsPerFrame_->value();
    s.trailLength = trail_->value();
    s.loop = loop_->isChecked();
    c.seed = std::uint64_t(seed_->value());
    c.stepSize = stepSize_->value();
    c.langevinStd = langevinStd_->value();
    c.stepsPerLevel = stepsPerLevel_->value();
    c.annealedLevels = annealedLevels_->value();
    c.steps = steps_->value();
    c.ddpmVariance = DdpmVariance(variance_->currentData().toInt());
    c.ddimSteps = ddimSteps_->value();
    c.eta = eta_->value();
    c.spacing = DdimSpacing(spacing_->currentData().toInt());
    c.predictor = Predictor(predictor_->currentData().toInt());
    c.correctorSteps = correctors_->value();
    c.snr = snr_->value();
    c.ode = OdeMethod(ode_->currentData().toInt());
    c.rtol = rtol_->value();
    c.atol = atol_->value();
    c.direction = Direction(direction_->currentData().toInt());
    return s;
}

void SamplerPanel::showSetup(const app::SamplingSetup& s)
{
    showing_ = true;
    const auto& c = s.sampler;
    auto select = [](QComboBox* box, int value) { box->setCurrentIndex(box->findData(value)); };
    select(kind_, int(c.kind));
    select(source_, int(s.source));
    select(start_, int(c.start));
    particles_->setValue(c.particles);
    stepsPerFrame_->setValue(s.stepsPerTick);
    trail_->setValue(s.trailLength);
    loop_->setChecked(s.loop);
    seed_->setValue(int(c.seed));
    stepSize_->setValue(c.stepSize);
    langevinStd_->setValue(c.langevinStd);
    stepsPerLevel_->setValue(c.stepsPerLevel);
    annealedLevels_->setValue(c.annealedLevels);
    steps_->setValue(c.steps);
    select(variance_, int(c.ddpmVariance));
    ddimSteps_->setValue(c.ddimSteps);
    eta_->setValue(c.eta);
    select(spacing_, int(c.spacing));
    select(predictor_, int(c.predictor));
    correctors_->setValue(c.correctorSteps);
    snr_->setValue(c.snr);
    select(ode_, int(c.ode));
    rtol_->setValue(c.rtol);
    atol_->setValue(c.atol);
    select(direction_, int(c.direction));
    updateEnabled();
    // The shown values are the scene's: a value equal to what the rules derive
    // for it follows later changes, any other counts as typed.
    schedule_ = s.schedule;
    data_ = s.data;
    lastKind_ = c.kind;
    lastDirection_ = c.direction;
    lastStd_ = derivedStd();
    lastStep_ = derivedStep();
    updateHint(); // the values stay the scene's (a saved scene reopens exactly)
    showing_ = false;
}

void SamplerPanel::setContext(const NoiseSchedule& schedule, std::shared_ptr<const Dataset> data, double modelSigma)
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
    const auto k = K(kind_->currentData().toInt());
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
    const auto k = K(kind_->currentData().toInt());
    if (k == K::Langevin || k == K::AnnealedLangevin) {
        const double step = lastStep_;
        const double width2 = k == K::Langevin
            ? langevinStd_->value() * langevinStd_->value() + dataCurvatureVariance(data_.get())
            : std::pow(smallestStd(schedule_), 2);
        derivedHint_->setText(k == K::Langevin
                                  ? tr("default η = %1 (a = %2 of the narrowest width²; diverges above a = 4)")
                                        .arg(step, 0, 'g', 3)
                                        .arg(width2 > 0 ? step / width2 : 0.0, 0, 'g', 3)
                                  : tr("default ε = %1 (a = α_l / σ_l² = %2 at every level; diverges above 4)")
                                        .arg(step, 0, 'g', 3)
                                        .arg(width2 > 0 ? step / width2 : 0.0, 0, 'g', 3));
    }
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
