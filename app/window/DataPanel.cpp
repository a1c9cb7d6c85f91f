#include "DataPanel.h"

#include "Csv.h"
#include "Error.h"
#include "Presets.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ss::window {

DataPanel::DataPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    preset_ = new QComboBox(this);
    preset_->setObjectName("preset");
    for (const PresetInfo& p : presetCatalogue()) {
        preset_->addItem(QString::fromStdString(p.title), QString::fromStdString(p.id));
        preset_->setItemData(preset_->count() - 1, QString::fromStdString(p.description), Qt::ToolTipRole);
    }
    form->addRow(tr("Preset"), preset_);
    count_ = new QSpinBox(this);
    count_->setObjectName("pointCount");
    count_->setRange(1, 1'000'000);
    count_->setValue(2000);
    form->addRow(tr("Points"), count_);
    seed_ = new QSpinBox(this);
    seed_->setObjectName("dataSeed");
    seed_->setRange(0, 1'000'000);
    form->addRow(tr("Seed"), seed_);
    layout->addLayout(form);
    params_ = new QFormLayout;
    layout->addLayout(params_);

    auto* buttons = new QHBoxLayout;
    auto* apply = new QPushButton(tr("Apply"), this);
    apply->setObjectName("applyData");
    apply->setToolTip(tr("Draw the preset's points; training and sampling continue on them"));
    auto* load = new QPushButton(tr("Load CSV…"), this);
    auto* save = new QPushButton(tr("Save CSV…"), this);
    buttons->addWidget(apply);
    buttons->addWidget(load);
    buttons->addWidget(save);
    layout->addLayout(buttons);
    layout->addStretch(1);

    connect(preset_, &QComboBox::currentIndexChanged, this, &DataPanel::rebuildParameters);
    connect(apply, &QPushButton::clicked, this, &DataPanel::applyPreset);
    connect(load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load points"), QString(), tr("CSV (*.csv);;All files (*)"));
        if (!path.isEmpty()) loadCsvFile(path);
    });
    connect(save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save points"), QStringLiteral("points.csv"),
                                                          tr("CSV (*.csv)"));
        if (!path.isEmpty()) saveCsvFile(path);
    });
    rebuildParameters();
}

void DataPanel::rebuildParameters()
{
    while (params_->rowCount() > 0) params_->removeRow(0);
    paramBoxes_.clear();
    const std::string id = preset_->currentData().toString().toStdString();
    for (const PresetInfo& p : presetCatalogue()) {
        if (p.id != id) continue;
        for (const PresetParam& q : p.params) {
            auto* box = new QDoubleSpinBox(this);
            box->setObjectName(QString::fromStdString("param_" + q.key));
            box->setDecimals(3);
            box->setRange(q.min, q.max);
            box->setSingleStep((q.max - q.min) / 100);
            box->setValue(q.defaultValue);
            box->setToolTip(QString::fromStdString(q.description));
            params_->addRow(QString::fromStdString(q.key), box);
            paramBoxes_[q.key] = box;
        }
    }
}

void DataPanel::showPreset(const std::string& id, int n, std::uint64_t seed, std::shared_ptr<const Dataset> data)
{
    const QSignalBlocker block(this);
    current_ = std::move(data);
    preset_->setCurrentIndex(preset_->findData(QString::fromStdString(id)));
    count_->setValue(n);
    seed_->setValue(int(seed));
}

void DataPanel::applyPreset()
{
    std::map<std::string, double> params;
    for (const auto& [key, box] : paramBoxes_) params[key] = box->value();
    try {
        current_ = std::make_shared<const Dataset>(makePreset(preset_->currentData().toString().toStdString(),
                                                              count_->value(), std::uint64_t(seed_->value()), params));
    } catch (const InputError& e) {
        emit message(QString::fromStdString(e.what()), true);
        return;
    }
    emit dataChanged(current_, preset_->currentText());
}

void DataPanel::loadCsvFile(const QString& path)
{
    try {
        current_ = std::make_shared<const Dataset>(loadCsv(path.toStdString()));
    } catch (const InputError& e) {
        emit message(QString::fromStdString(e.what()), true); // the current data set stays
        return;
    }
    emit message(tr("loaded %1 points from %2").arg(current_->size()).arg(path), false);
    emit dataChanged(current_, QFileInfo(path).fileName());
}

void DataPanel::saveCsvFile(const QString& path)
{
    if (!current_) return;
    try {
        saveCsv(path.toStdString(), *current_);
        emit message(tr("saved %1 points to %2").arg(current_->size()).arg(path), false);
    } catch (const InputError& e) {
        emit message(QString::fromStdString(e.what()), true);
    }
}

} // namespace ss::window
