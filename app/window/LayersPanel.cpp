#include "window/LayersPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>

namespace ss::window {

LayersPanel::LayersPanel(const view::LayerSettings& initial, QWidget* parent) : QWidget(parent), layers_(initial)
{
    auto* grid = new QGridLayout(this);
    grid->addWidget(new QLabel(tr("<b>Layer</b>"), this), 0, 0);
    grid->addWidget(new QLabel(tr("<b>Opacity</b>"), this), 0, 1);
    // Each layer: its member, its title, and what it shows with its formula
    // (the row's What's This, Shift+F1; its first sentence is the tooltip).
    struct Row {
        view::Layer view::LayerSettings::*member;
        QString title, meaning, formula;
    };
    const Row rows[] = {
        {&view::LayerSettings::data, tr("Data"), tr("The training points x ~ p_data."),
         tr("Training draws its batches from them; an analytic preset's points are samples of a known "
            "mixture density p(x).")},
        {&view::LayerSettings::noised, tr("Data noised to the level"),
         tr("The data noised to the scrubber's level: the points the network learns there."),
         tr("x_σ = m·x + σ·z, z ~ N(0, I); VE schedules: m = 1; VP and DDPM: m = √ᾱ, σ = √(1 − ᾱ). The same "
            "draws of z are kept while you scrub.")},
        {&view::LayerSettings::density, tr("Density of the noised data (heat map)"),
         tr("Density of the noised data at the scrubber's level."),
         tr("p_σ(x) = ∫ p(y) N(x; m·y, σ²I) dy, exact (the preset's mixture, or a kernel sum over the points), "
            "drawn as sqrt(p/p_max) so the tails stay visible; the colour bar runs from 0 to p max.")},
        {&view::LayerSettings::error, tr("Score error p·|s − s*|² (heat map)"),
         tr("Where the learned score is wrong, weighted by where the data is."),
         tr("p_σ(x)·|s_θ(x, σ) − ∇ₓ log p_σ(x)|², the integrand of the score-matching loss (the Fisher "
            "divergence), drawn relative to its maximum. Needs a trained network; while shown it replaces the "
            "density heat map.")},
        {&view::LayerSettings::exactField, tr("Exact score field"),
         tr("The true score at the scrubber's level, as arrows."),
         tr("s*(x) = ∇ₓ log p_σ(x) on an N × N grid (Score arrows per side). Arrows point uphill in density; "
            "their length grows with |s| up to the 95th percentile, at most 0.9 of a cell.")},
        {&view::LayerSettings::learnedField, tr("Learned score field"),
         tr("The network's score at the scrubber's level, as arrows."),
         tr("s_θ(x, σ) on the exact field's grid and scale: where the two disagree the model is wrong (see the "
            "score error layer).")},
        {&view::LayerSettings::particles, tr("Particles"),
         tr("The sampler's particles, moved by its update from the prior toward the data."),
         tr("E.g. annealed Langevin: x' = x + α_l/2·s_θ(x, σ_l) + √α_l·z, z ~ N(0, I), from σ_max down to "
            "σ_min.")},
        {&view::LayerSettings::trails, tr("Trails"), tr("Each particle's last positions, fading with age."),
         tr("The path the sampler took: Trail length (Sampler dock) positions per particle, for up to 2,500 "
            "particles.")},
        {&view::LayerSettings::decomposition, tr("Step terms (when stepping)"),
         tr("The last step of each particle split into its terms, while the sampler is paused."),
         tr("x' = x + drift + score term + noise, drawn head to tail for up to 400 particles: the drift (e.g. "
            "VP's −½β·x·dt), the score term (e.g. ε/2·s(x, σ)) and the noise (e.g. √ε·z). Press Step in the "
            "Sampler dock to see them.")},
        {&view::LayerSettings::target, tr("Exact target (guided, conditioned runs)"),
         tr("What the particles should look like when the run is guided or keeps one coordinate fixed."),
         tr("Guided: the tilted density p(x) p(y | x)^γ at the level the run ends on, exact, as a translucent "
            "heat map; the Sampler dock reports the particles' distance to it when a run ends. Conditioned: "
            "p(x₂ | x₁ = a) (or p(x₁ | x₂ = a)), exact, drawn as a curve along the line x₁ = a; replacement "
            "and RePaint only approximate it: compare the particles with it.")},
        // The tenth and eleventh rows have no presentation key (keys 1-9 are the first nine).
        {&view::LayerSettings::modelDensity, tr("Model density log p_θ (heat map)"),
         tr("The model's own density at the scrubber's level, from the probability-flow ODE, in nats."),
         tr("log p_θ(x) = log N(x(1); 0, σ_max²·I) + ∫ ∇·v dt, following the flow dx/dt = f·x − ½g²·s_θ(x, t) "
            "from the level to t = 1, with the exact trace of the 2 × 2 Jacobian. Computed while shown, off the "
            "window's thread: a 17 × 17 grid first, then 33², 65², 129² (seconds). Colours: nats, from the "
            "maximum down 12 (lower: clear). Model density view: the model alone, model | data (left: p_θ, right: the true "
            "p_σ, one scale), or the difference log p_θ − log p (blue: the model has too little mass there, red: "
            "too much). While shown it replaces the other heat maps.")}};
    int row = 1;
    for (const auto& [member, title, meaning, formula] : rows) {
        auto* box = new QCheckBox(title, this);
        box->setObjectName(QStringLiteral("layer%1").arg(row));
        box->setToolTip(meaning + tr(" Shift+F1: more."));
        box->setWhatsThis(QStringLiteral("<p><b>%1</b></p><p>%2</p><p>%3</p>").arg(title, meaning, formula));
        box->setChecked((layers_.*member).visible);
        auto* slider = new QSlider(Qt::Horizontal, this);
        slider->setObjectName(QStringLiteral("opacity%1").arg(row));
        slider->setRange(0, 100);
        slider->setValue(int(100 * (layers_.*member).opacity));
        slider->setMinimumWidth(80);
        slider->setToolTip(tr("Opacity of the layer (0–100 %)"));
        slider->setWhatsThis(box->whatsThis());
        grid->addWidget(box, row, 0);
        grid->addWidget(slider, row, 1);
        showRows_.push_back([box, slider, m = member](const view::LayerSettings& l) {
            const QSignalBlocker b1(box), b2(slider);
            box->setChecked((l.*m).visible);
            slider->setValue(int(100 * (l.*m).opacity));
        });
        connect(box, &QCheckBox::toggled, this, [this, m = member](bool on) {
            (layers_.*m).visible = on;
            emit layersChanged(layers_);
        });
        connect(slider, &QSlider::valueChanged, this, [this, m = member](int v) {
            (layers_.*m).opacity = float(v) / 100.0f;
            emit layersChanged(layers_);
        });
        ++row;
    }
    // Resolution: more arrows and cells cost the field worker (and llvmpipe) more.
    auto resolution = [&](const char* name, const QString& title, const QString& tip, int lo, int hi,
                          int view::LayerSettings::*member) {
        auto* spin = new QSpinBox(this);
        spin->setObjectName(name);
        spin->setToolTip(tip);
        spin->setRange(lo, hi);
        spin->setValue(layers_.*member);
        grid->addWidget(new QLabel(title, this), row, 0);
        grid->addWidget(spin, row, 1);
        showRows_.push_back([spin, member](const view::LayerSettings& l) {
            const QSignalBlocker b(spin);
            spin->setValue(l.*member);
        });
        connect(spin, &QSpinBox::valueChanged, this, [this, member](int v) {
            layers_.*member = v;
            emit layersChanged(layers_);
        });
        ++row;
    };
    resolution("arrowsPerSide", tr("Score arrows per side"),
               tr("N: the score fields are drawn on an N × N grid over the view"), 4, 96,
               &view::LayerSettings::arrows);
    resolution("heatCells", tr("Heat-map cells per side"),
               tr("M: the density and error heat maps are computed on an M × M grid over the view"), 16, 512,
               &view::LayerSettings::heatCells);
    // How the model-density layer shows (DensityView).
    auto* view = new QComboBox(this);
    view->setObjectName("modelDensityView");
    view->addItems({tr("Model"), tr("Model | data"), tr("Difference")});
    view->setToolTip(tr("The model-density layer: log p_θ alone, beside the true density (split down the middle), "
                        "or log p_θ − log p on a scale centred on 0"));
    view->setCurrentIndex(int(layers_.modelDensityView));
    grid->addWidget(new QLabel(tr("Model density view"), this), row, 0);
    grid->addWidget(view, row, 1);
    showRows_.push_back([view](const view::LayerSettings& l) {
        const QSignalBlocker b(view);
        view->setCurrentIndex(int(l.modelDensityView));
    });
    connect(view, &QComboBox::currentIndexChanged, this, [this](int i) {
        layers_.modelDensityView = view::DensityView(i);
        emit layersChanged(layers_);
    });
    ++row;
    grid->setRowStretch(row, 1);
}

void LayersPanel::showLayers(const view::LayerSettings& layers)
{
    layers_ = layers;
    for (const auto& row : showRows_) row(layers_);
}

void LayersPanel::restore(const view::LayerSettings& layers)
{
    showLayers(layers);
    emit layersChanged(layers_);
}

} // namespace ss::window
