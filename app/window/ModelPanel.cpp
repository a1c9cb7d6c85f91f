#include "window/ModelPanel.h"

#include "window/EnumCombo.h"

#include "window/WeightingChart.h"

#include "core/Parametrisation.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ss::window {

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    auto combo = [this](const char* name, std::initializer_list<std::pair<QString, int>> items) {
        return enumCombo(this, name, items);
    };
    objective_ = combo("objective", {{tr("NCSN (all levels, λ = σ²)"), int(ObjectiveKind::Ncsn)},
                                     {tr("DDPM (ε prediction)"), int(ObjectiveKind::Ddpm)},
                                     {tr("DSM (one σ)"), int(ObjectiveKind::Dsm)},
                                     {tr("ISM (one σ)"), int(ObjectiveKind::Ism)},
                                     {tr("SSM (one σ)"), int(ObjectiveKind::Ssm)},
                                     {tr("SSM-VR (one σ)"), int(ObjectiveKind::SsmVr)}});
    objective_->setToolTip(
        tr("The loss the network minimises. NCSN: Σ_l λ(σ_l)·E|s_θ(x̃, σ_l) + (x̃ − x)/σ_l²|², λ = σ²; DDPM: E|ε_θ − ε|²;\n"
           "DSM at one σ: denoising score matching; ISM: E[tr ∇s_θ + ½|s_θ|²]; SSM: its sliced form "
           "E[vᵀ∇s_θ v + ½(vᵀs_θ)²]; SSM-VR: SSM with ½|s_θ|² exact"));
    form->addRow(tr("Objective"), objective_);
    sigma_ = new QDoubleSpinBox(this);
    sigma_->setObjectName("objectiveSigma");
    sigma_->setDecimals(3);
    sigma_->setRange(0, 100);
    sigma_->setValue(0.1);
    sigma_->setToolTip(tr("σ: the one noise level a single-σ objective (DSM, ISM, SSM) trains at (0: the clean data)"));
    form->addRow(tr("σ (one-σ objectives)"), sigma_);
    projections_ = new QSpinBox(this);
    projections_->setObjectName("projections");
    projections_->setRange(1, 16);
    projections_->setToolTip(tr("M: random directions v per point in sliced score matching (more: less variance)"));
    form->addRow(tr("Projections (SSM)"), projections_);
    weighting_ = combo("weighting", {{tr("natural (the output's own MSE)"), int(Weighting::Natural)},
                                     {tr("simple: 1 (DDPM)"), int(Weighting::Simple)},
                                     {tr("σ² on the score (NCSN)"), int(Weighting::Ncsn)},
                                     {tr("x₀ MSE: 1/SNR"), int(Weighting::X0)},
                                     {tr("v MSE: 1 + 1/SNR"), int(Weighting::V)},
                                     {tr("EDM λ(σ)"), int(Weighting::Edm)},
                                     {tr("min-SNR-γ"), int(Weighting::MinSnr)},
                                     {tr("flow matching"), int(Weighting::FlowMatching)}});
    weighting_->setToolTip(
        tr("How much each noise level's error counts (NCSN, DDPM): a weight w(λ) on ‖ε̂ − ε‖² at log-SNR λ.\n"
           "simple 1; NCSN σ² (the same); x₀ e^−λ; v 1 + e^−λ; EDM 1 + e^−λ/σ_d²; min-SNR-γ min(SNR, γ)/SNR;\n"
           "flow matching (1 + e^−λ/2)². Natural: the output's own MSE. All have the same minimiser, the exact "
           "denoiser (Weightings… draws them)"));
    form->addRow(tr("Weighting"), weighting_);
    gamma_ = new QDoubleSpinBox(this);
    gamma_->setObjectName("minSnrGamma");
    gamma_->setDecimals(2);
    gamma_->setRange(0.01, 1000);
    gamma_->setValue(5);
    gamma_->setToolTip(tr("γ of min-SNR-γ: levels with SNR above γ are weighted down to γ/SNR (Hang et al. 2023)"));
    form->addRow(tr("γ (min-SNR)"), gamma_);
    width_ = new QSpinBox(this);
    width_->setObjectName("width");
    width_->setRange(8, 1024);
    width_->setSingleStep(16);
    width_->setToolTip(tr("Units per hidden layer of the network s_θ"));
    form->addRow(tr("Width"), width_);
    depth_ = new QSpinBox(this);
    depth_->setObjectName("depth");
    depth_->setRange(1, 8);
    depth_->setToolTip(tr("Hidden layers of the network s_θ (each: width units, then the activation)"));
    form->addRow(tr("Hidden layers"), depth_);
    activation_ = combo("activation", {{"SiLU", int(Activation::SiLU)},
                                       {"softplus", int(Activation::Softplus)},
                                       {"tanh", int(Activation::Tanh)},
                                       {"ReLU", int(Activation::ReLU)}});
    activation_->setToolTip(tr("The nonlinearity after each hidden layer; SiLU(x) = x·sigmoid(x), smooth (ISM and "
                               "SSM need a smooth score)"));
    form->addRow(tr("Activation"), activation_);
    parametrisation_ = combo("parametrisation", {{tr("score / σ"), int(Parametrisation::ScoreOverSigma)},
                                                 {tr("score"), int(Parametrisation::Score)},
                                                 {tr("ε (noise)"), int(Parametrisation::Epsilon)},
                                                 {tr("x₀ (clean point)"), int(Parametrisation::X0)},
                                                 {tr("v = (m ε − s x₀)/r"), int(Parametrisation::V)},
                                                 {tr("velocity ε − x₀ (flow matching)"), int(Parametrisation::Velocity)},
                                                 {tr("EDM preconditioned"), int(Parametrisation::Edm)}});
    parametrisation_->setToolTip(
        tr("What the network outputs: f with s_θ = f/σ, the score s_θ itself, the noise ε_θ with s_θ = −ε_θ/σ,\n"
           "the clean point x₀ (s_θ = (m x̂₀ − x)/s²), v, the linear path's velocity ε − x₀, or EDM's F with\n"
           "D = c_skip x + c_out F(c_in x) (σ_d from the data). Every sampler reads any of them as a score."));
    form->addRow(tr("Output"), parametrisation_);
    conditioning_ = combo("conditioning", {{tr("log σ"), int(NoiseConditioning::LogSigma)},
                                           {tr("time t"), int(NoiseConditioning::Time)},
                                           {tr("none"), int(NoiseConditioning::None)}});
    conditioning_->setToolTip(tr("How the network is told the noise level: log σ, the time t, or not at all (one "
                                 "network for every level)"));
    form->addRow(tr("Noise input"), conditioning_);
    seed_ = new QSpinBox(this);
    seed_->setObjectName("modelSeed");
    seed_->setRange(0, 1'000'000);
    seed_->setToolTip(tr("Seed of the initial weights θ₀ (the same seed, the same start)"));
    form->addRow(tr("Seed"), seed_);
    layout->addLayout(form);
    showChart_ = new QPushButton(tr("Weightings…"), this);
    showChart_->setObjectName("showWeightings");
    showChart_->setCheckable(true);
    showChart_->setToolTip(tr("Show the loss weight of every weighting over log-SNR, this model's highlighted"));
    layout->addWidget(showChart_);
    chart_ = new WeightingChart(this);
    chart_->setVisible(false);
    layout->addWidget(chart_);
    connect(showChart_, &QPushButton::toggled, this, [this](bool on) {
        chart_->setVisible(on);
        if (on) updateWeightings();
    });
    for (QComboBox* c : {objective_, parametrisation_, weighting_})
        connect(c, &QComboBox::currentIndexChanged, this, &ModelPanel::updateWeightings);
    connect(gamma_, &QDoubleSpinBox::valueChanged, this, &ModelPanel::updateWeightings);
    auto* apply = new QPushButton(tr("Apply: new model"), this);
    apply->setObjectName("applyModel");
    apply->setToolTip(tr("Start a new model with these settings (the training history starts again)"));
    connect(apply, &QPushButton::clicked, this, &ModelPanel::applyRequested);
    layout->addWidget(apply);
    layout->addStretch(1);
}

void ModelPanel::showModel(const ModelConfig& m, const ObjectiveConfig& o)
{
    const QSignalBlocker block(this);
    objective_->setCurrentIndex(objective_->findData(int(o.kind)));
    sigma_->setValue(o.sigma);
    projections_->setValue(o.projections);
    width_->setValue(m.hidden.empty() ? 128 : m.hidden.front());
    depth_->setValue(int(m.hidden.size()));
    activation_->setCurrentIndex(activation_->findData(int(m.activation)));
    parametrisation_->setCurrentIndex(parametrisation_->findData(int(m.parametrisation)));
    conditioning_->setCurrentIndex(conditioning_->findData(int(m.conditioning)));
    seed_->setValue(int(m.seed));
    weighting_->setCurrentIndex(weighting_->findData(int(o.weighting)));
    gamma_->setValue(o.minSnrGamma);
    base_ = m;
    updateWeightings();
}

void ModelPanel::setContext(const NoiseSchedule& schedule, std::shared_ptr<const Dataset> data)
{
    schedule_ = schedule;
    data_ = std::move(data);
    updateWeightings();
}

void ModelPanel::updateWeightings()
{
    const ObjectiveConfig o = objective(ObjectiveConfig{});
    const bool multiLevel = o.kind == ObjectiveKind::Ncsn || o.kind == ObjectiveKind::Ddpm;
    weighting_->setEnabled(multiLevel);
    gamma_->setEnabled(multiLevel && resolveWeighting(o.weighting, model(base_).parametrisation) == Weighting::MinSnr);
    if (!showChart_->isChecked()) return; // drawn when shown
    double sigmaData = base_.sigmaData;
    if (!(sigmaData > 0) && data_ && data_->size() > 0) sigmaData = dataSigma(data_->points);
    chart_->showWeightings(model(base_), o, schedule_, sigmaData);
}

void ModelPanel::restore(const ModelConfig& m, const ObjectiveConfig& o)
{
    showModel(m, o);
    emit applyRequested();
}

ModelConfig ModelPanel::model(ModelConfig m) const
{
    m.hidden.assign(std::size_t(depth_->value()), width_->value());
    m.activation = Activation(activation_->currentData().toInt());
    m.parametrisation = Parametrisation(parametrisation_->currentData().toInt());
    m.conditioning = NoiseConditioning(conditioning_->currentData().toInt());
    m.seed = std::uint64_t(seed_->value());
    return m;
}

ObjectiveConfig ModelPanel::objective(ObjectiveConfig o) const
{
    o.kind = ObjectiveKind(objective_->currentData().toInt());
    o.sigma = sigma_->value();
    o.projections = projections_->value();
    // One-sigma objectives have no weighting (validate() refuses one).
    const bool multiLevel = o.kind == ObjectiveKind::Ncsn || o.kind == ObjectiveKind::Ddpm;
    o.weighting = multiLevel ? Weighting(weighting_->currentData().toInt()) : Weighting::Natural;
    o.minSnrGamma = gamma_->value();
    return o;
}

} // namespace ss::window
