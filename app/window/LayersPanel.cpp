#include "window/LayersPanel.h"

#include <QCheckBox>
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
    const std::pair<view::Layer view::LayerSettings::*, QString> rows[] = {
        {&view::LayerSettings::data, tr("Data")},
        {&view::LayerSettings::noised, tr("Data noised to the level")},
        {&view::LayerSettings::density, tr("Density of the noised data (heat map)")},
        {&view::LayerSettings::error, tr("Score error p·|s − s*|² (heat map)")},
        {&view::LayerSettings::exactField, tr("Exact score field")},
        {&view::LayerSettings::learnedField, tr("Learned score field")},
        {&view::LayerSettings::particles, tr("Particles")},
        {&view::LayerSettings::trails, tr("Trails")},
        {&view::LayerSettings::decomposition, tr("Step terms (when stepping)")}};
    int row = 1;
    for (const auto& [member, title] : rows) {
        auto* box = new QCheckBox(title, this);
        box->setObjectName(QStringLiteral("layer%1").arg(row));
        box->setChecked((layers_.*member).visible);
        auto* slider = new QSlider(Qt::Horizontal, this);
        slider->setObjectName(QStringLiteral("opacity%1").arg(row));
        slider->setRange(0, 100);
        slider->setValue(int(100 * (layers_.*member).opacity));
        slider->setMinimumWidth(80);
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
    auto resolution = [&](const char* name, const QString& title, int lo, int hi, int view::LayerSettings::*member) {
        auto* spin = new QSpinBox(this);
        spin->setObjectName(name);
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
    resolution("arrowsPerSide", tr("Score arrows per side"), 4, 96, &view::LayerSettings::arrows);
    resolution("heatCells", tr("Heat-map cells per side"), 16, 512, &view::LayerSettings::heatCells);
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
