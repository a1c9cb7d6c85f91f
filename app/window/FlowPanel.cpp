#include "window/FlowPanel.h"

#include "window/EnumCombo.h"

#include "core/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ss::window {

namespace {

QString megabytes(std::int64_t bytes) { return QString::number(double(bytes) / 1e6, 'f', 1) + QObject::tr(" MB"); }

} // namespace

FlowPanel::FlowPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("A continuous normalizing flow (FFJORD) learns the density by maximum likelihood: every training step "
           "solves the ODE dz/dt = v_θ(z, t) from the data to N(0, I) and back for the gradient. A score model "
           "never solves it while training."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* form = new QFormLayout;
    auto combo = [this](const char* name, std::initializer_list<std::pair<QString, int>> items) {
        return enumCombo(this, name, items);
    };
    auto spin = [this](const char* name, int lo, int hi) {
        auto* s = new QSpinBox(this);
        s->setObjectName(name);
        s->setRange(lo, hi);
        return s;
    };
    hidden_ = new QLineEdit(this);
    hidden_->setObjectName("flowHidden");
    hidden_->setToolTip(tr("Hidden layer widths of v_θ(x₁, x₂, t), comma-separated (1 to 8 layers of 1 to 1024)"));
    form->addRow(tr("Hidden layers"), hidden_);
    activation_ = combo("flowActivation", {{"SiLU", int(Activation::SiLU)},
                                           {"softplus", int(Activation::Softplus)},
                                           {"tanh", int(Activation::Tanh)}});
    activation_->setToolTip(tr("Smooth only: the divergence's gradient needs the second derivative (ReLU's is 0)"));
    form->addRow(tr("Activation"), activation_);
    trace_ = combo("flowTrace", {{tr("exact (2 × 2 Jacobian)"), int(TraceEstimator::Exact)},
                                 {tr("Hutchinson estimate"), int(TraceEstimator::Hutchinson)}});
    trace_->setToolTip(tr("The divergence tr ∂v/∂z in d log p/dt = −tr ∂v/∂z: exact (two tangent passes), or "
                          "Hutchinson's (1/K) Σ εᵀ(∂v/∂z)ε, unbiased, with the variance charted"));
    form->addRow(tr("Divergence"), trace_);
    probes_ = spin("flowProbes", 1, 64);
    probes_->setToolTip(tr("K: Hutchinson probes per particle (the variance falls as 1/K)"));
    form->addRow(tr("Probes K"), probes_);
    probe_ = combo("flowProbe", {{tr("Gaussian"), int(ProbeKind::Gaussian)}, {tr("Rademacher ±1"), int(ProbeKind::Rademacher)}});
    probe_->setToolTip(tr("The probes' law: Gaussian ε ~ N(0, I), or Rademacher ε ∈ {±1}² (no diagonal term in "
                          "the variance, so never worse)"));
    form->addRow(tr("Probe law"), probe_);
    gradient_ = combo("flowGradient", {{tr("adjoint ODE"), int(CnfGradient::Adjoint)},
                                       {tr("backprop through the solver"), int(CnfGradient::Backprop)}});
    gradient_->setToolTip(tr("Adjoint: a second ODE backwards, memory constant in the steps; backprop: reverse "
                             "mode through every solver stage, memory grows with the steps (the status line says "
                             "how much)"));
    form->addRow(tr("Gradient"), gradient_);
    method_ = combo("flowSolver", {{"Euler", int(OdeMethod::Euler)},
                                   {"Heun", int(OdeMethod::Heun)},
                                   {"RK4", int(OdeMethod::Rk4)},
                                   {tr("RK45 (adaptive)"), int(OdeMethod::Rk45)}});
    method_->setToolTip(tr("How the ODE is integrated over t ∈ [0, 1]; RK45 adapts its steps, so the evaluations "
                           "per step grow as the flow gets more intricate"));
    form->addRow(tr("Solver"), method_);
    steps_ = spin("flowOdeSteps", 1, 1000);
    steps_->setToolTip(tr("Steps over [0, 1] of a fixed-step solver"));
    form->addRow(tr("ODE steps"), steps_);
    tolerance_ = new QDoubleSpinBox(this);
    tolerance_->setObjectName("flowTolerance");
    tolerance_->setDecimals(6);
    tolerance_->setRange(app::FlowSettings::kMinTolerance, app::FlowSettings::kMaxTolerance);
    tolerance_->setSingleStep(1e-4);
    tolerance_->setToolTip(tr("RK45's relative and absolute tolerance"));
    form->addRow(tr("Tolerance"), tolerance_);
    batch_ = spin("flowBatch", 1, 65536);
    batch_->setToolTip(tr("Data points per maximum-likelihood step"));
    form->addRow(tr("Batch"), batch_);
    learningRate_ = new QDoubleSpinBox(this);
    learningRate_->setObjectName("flowLearningRate");
    learningRate_->setDecimals(6);
    learningRate_->setRange(app::FlowSettings::kMinLearningRate, OptimizerConfig::kMaxLearningRate);
    learningRate_->setSingleStep(1e-3);
    learningRate_->setToolTip(tr("Adam's learning rate for the maximum-likelihood steps (halved after a step that "
                                 "diverges)"));
    form->addRow(tr("Learning rate"), learningRate_);
    sampleSteps_ = spin("flowSampleSteps", 1, 1000);
    sampleSteps_->setToolTip(tr("RK4 steps of the sample run drawn in the scene, from N(0, I) at t = 1 to the data "
                                "at t = 0"));
    form->addRow(tr("Sample steps"), sampleSteps_);
    seed_ = spin("flowSeed", 0, 1'000'000);
    seed_->setToolTip(tr("Seed of the weights, batches, probes and base draws"));
    form->addRow(tr("Seed"), seed_);
    layout->addLayout(form);

    apply_ = new QPushButton(tr("Apply (a fresh flow)"), this);
    apply_->setObjectName("flowApply");
    apply_->setToolTip(tr("Start a fresh flow with these settings (the one training now is replaced)"));
    layout->addWidget(apply_);
    auto* buttons = new QHBoxLayout;
    train_ = new QPushButton(tr("Train"), this);
    train_->setObjectName("flowTrain");
    train_->setCheckable(true);
    train_->setToolTip(tr("Train the flow by maximum likelihood (again: pause)"));
    reset_ = new QPushButton(tr("Reset"), this);
    reset_->setObjectName("flowReset");
    reset_->setToolTip(tr("A fresh flow with the same settings, from its seed"));
    save_ = new QPushButton(tr("Save flow…"), this);
    save_->setObjectName("flowSave");
    save_->setToolTip(tr("Write the flow (EMA weights) as a CNF model file: scorescope-cli cnf-sample and cnf-nll "
                         "read it"));
    buttons->addWidget(train_);
    buttons->addWidget(reset_);
    buttons->addWidget(save_);
    layout->addLayout(buttons);
    samples_ = new QCheckBox(tr("Samples in the scene (instead of the sampler's)"), this);
    samples_->setObjectName("flowSamples");
    samples_->setToolTip(tr("Draw the flow's samples in the scene: N(0, I) carried to the data by the ODE, with "
                            "trails; the Measurements dock then measures them"));
    layout->addWidget(samples_);
    status_ = new QLabel(this);
    status_->setObjectName("flowStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);
    layout->addStretch(1);

    showSettings(app::FlowSettings{});
    connect(trace_, &QComboBox::currentIndexChanged, this, &FlowPanel::updateEnabled);
    connect(method_, &QComboBox::currentIndexChanged, this, &FlowPanel::updateEnabled);
    connect(apply_, &QPushButton::clicked, this, &FlowPanel::applyRequested);
    connect(train_, &QPushButton::toggled, this, &FlowPanel::trainToggled);
    connect(reset_, &QPushButton::clicked, this, &FlowPanel::resetRequested);
    connect(save_, &QPushButton::clicked, this, &FlowPanel::saveRequested);
    connect(samples_, &QCheckBox::toggled, this, &FlowPanel::samplesToggled);
}

void FlowPanel::showSettings(const app::FlowSettings& s)
{
    const QSignalBlocker blocks[] = {QSignalBlocker(trace_), QSignalBlocker(method_)};
    QStringList widths;
    for (int w : s.model.hidden) widths << QString::number(w);
    hidden_->setText(widths.join(", "));
    selectEnum(activation_, s.model.activation);
    selectEnum(trace_, s.solve.trace);
    probes_->setValue(s.solve.probes);
    selectEnum(probe_, s.solve.probe);
    selectEnum(gradient_, s.solve.gradient);
    selectEnum(method_, s.solve.method);
    steps_->setValue(s.solve.steps);
    tolerance_->setValue(s.solve.rtol);
    batch_->setValue(s.batchSize);
    learningRate_->setValue(s.optimizer.learningRate);
    sampleSteps_->setValue(s.sampleSteps);
    seed_->setValue(int(s.seed));
    updateEnabled();
}

app::FlowSettings FlowPanel::settings(app::FlowSettings base) const
{
    std::vector<int> widths;
    for (const QString& part : hidden_->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int w = part.trimmed().toInt(&ok);
        if (!ok) throw InputError("the flow's hidden layers: \"" + part.trimmed().toStdString() + "\" is not a width");
        widths.push_back(w);
    }
    base.model.hidden = widths;
    base.model.activation = selectedEnum<Activation>(activation_);
    base.model.seed = std::uint64_t(seed_->value());
    base.solve.trace = selectedEnum<TraceEstimator>(trace_);
    base.solve.probes = probes_->value();
    base.solve.probe = selectedEnum<ProbeKind>(probe_);
    base.solve.gradient = selectedEnum<CnfGradient>(gradient_);
    base.solve.method = selectedEnum<OdeMethod>(method_);
    base.solve.steps = steps_->value();
    base.solve.rtol = base.solve.atol = tolerance_->value();
    base.batchSize = batch_->value();
    base.optimizer.learningRate = learningRate_->value();
    base.sampleSteps = sampleSteps_->value();
    base.seed = std::uint64_t(seed_->value());
    base.validate(); // a refusal names the field here, before a fresh flow is asked for
    return base;
}

void FlowPanel::updateEnabled()
{
    const bool hutchinson = selectedEnum<TraceEstimator>(trace_) == TraceEstimator::Hutchinson;
    probes_->setEnabled(hutchinson);
    probe_->setEnabled(hutchinson);
    const bool adaptive = selectedEnum<OdeMethod>(method_) == OdeMethod::Rk45;
    steps_->setEnabled(!adaptive);
    tolerance_->setEnabled(adaptive);
}

void FlowPanel::showSnapshot(const app::FlowSnapshot& s)
{
    {
        const QSignalBlocker block(train_);
        train_->setChecked(s.running);
        train_->setText(s.running ? tr("Pause") : tr("Train"));
    }
    QStringList lines;
    lines << tr("step %1 · %2 steps/s").arg(s.step).arg(s.stepsPerSecond, 0, 'f', 1);
    if (!s.history.empty()) {
        const app::FlowStepRecord& r = s.history.back();
        lines << tr("batch NLL %1 nats · NFE %2 forward + %3 backward · %4 ms a step · %5 held for the gradient")
                     .arg(r.loss, 0, 'f', 3)
                     .arg(r.forwardNfe)
                     .arg(r.backwardNfe)
                     .arg(1000 * r.seconds, 0, 'f', 0)
                     .arg(megabytes(r.bytesStored));
        if (std::isfinite(r.hutchinsonVariance))
            lines << tr("Hutchinson variance per particle at t = 0 (batch mean) %1").arg(r.hutchinsonVariance, 0, 'g', 3);
    }
    if (!s.evals.empty()) {
        const app::FlowEval& e = s.evals.back();
        QString line = tr("%1 NLL %2 ± %3 nats (EMA flow, exact trace, RK45: %4 NFE)")
                           .arg(s.heldOut ? tr("held-out") : tr("data"))
                           .arg(e.nll.mean, 0, 'f', 3)
                           .arg(1.96 * e.nll.standardError, 0, 'f', 3)
                           .arg(e.nfe);
        if (s.exactNll) line += tr(" · exact %1").arg(s.exactNll->mean, 0, 'f', 3);
        lines << line;
    }
    if (s.skipped > 0) lines << tr("%1 steps skipped (diverged)").arg(s.skipped);
    status_->setText(lines.join('\n'));
}

void FlowPanel::setSamplesShown(bool on)
{
    const QSignalBlocker block(samples_);
    samples_->setChecked(on);
}

bool FlowPanel::samplesShown() const { return samples_->isChecked(); }

QString FlowPanel::status() const { return status_->text(); }

} // namespace ss::window
