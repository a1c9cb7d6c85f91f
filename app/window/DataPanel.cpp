#include "window/DataPanel.h"

#include "core/Csv.h"
#include "core/Error.h"
#include "core/PointEdits.h"
#include "core/Presets.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
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
    preset_->setToolTip(tr("The data distribution p_data: a mixture with a known density, or a shape"));
    form->addRow(tr("Preset"), preset_);
    count_ = new QSpinBox(this);
    count_->setObjectName("pointCount");
    count_->setRange(1, 1'000'000);
    count_->setValue(2000);
    count_->setToolTip(tr("n: the number of points x_1 … x_n drawn from the preset"));
    form->addRow(tr("Points"), count_);
    seed_ = new QSpinBox(this);
    seed_->setObjectName("dataSeed");
    seed_->setRange(0, 1'000'000);
    seed_->setToolTip(tr("Seed of the preset's draw: the same seed, the same points"));
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
    layout->addWidget(buildDrawGroup());
    layout->addStretch(1);

    connect(preset_, &QComboBox::currentIndexChanged, this, &DataPanel::rebuildParameters);
    connect(apply, &QPushButton::clicked, this, &DataPanel::applyPreset);
    connect(load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load points"), QString(),
                                                          tr("CSV (*.csv);;All files (*)"));
        if (!path.isEmpty()) loadCsvFile(path);
    });
    connect(save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save points"),
                                                          QStringLiteral("points.csv"), tr("CSV (*.csv)"));
        if (!path.isEmpty()) saveCsvFile(path);
    });
    rebuildParameters();
    showCurrent();
}

QWidget* DataPanel::buildDrawGroup()
{
    auto* group = new QGroupBox(tr("Draw points"), this);
    auto* form = new QFormLayout(group);
    drawTool_ = new QComboBox(group);
    drawTool_->setObjectName("drawTool");
    drawTool_->addItem(tr("Off (left drag pans)"), int(view::DrawTool::Off));
    drawTool_->addItem(tr("Add points"), int(view::DrawTool::Add));
    drawTool_->addItem(tr("Erase"), int(view::DrawTool::Erase));
    drawTool_->addItem(tr("SDEdit stroke (not data)"), int(view::DrawTool::Sdedit));
    drawTool_->setItemData(drawTool_->count() - 1,
                           tr("Draw what SDEdit should edit: the stroke's points are noised to t₀ (Sampler dock) and "
                              "denoised by the sampler; the data stays as it is."),
                           Qt::ToolTipRole);
    form->addRow(tr("Mouse"), drawTool_);
    radius_ = new QDoubleSpinBox(group);
    radius_->setObjectName("brushRadius");
    radius_->setDecimals(3);
    radius_->setRange(0.005, 10);
    radius_->setSingleStep(0.05);
    radius_->setValue(0.25);
    radius_->setToolTip(
        tr("The brush circle's radius in data units: where a drag sprays, and what Erase removes"));
    form->addRow(tr("Radius"), radius_);
    density_ = new QSpinBox(group);
    density_->setObjectName("sprayDensity");
    density_->setRange(1, 500);
    density_->setValue(6);
    density_->setSuffix(tr(" per move"));
    density_->setToolTip(
        tr("Points sprayed, uniform in the brush circle, each time the mouse moves while dragging"));
    form->addRow(tr("Spray"), density_);
    label_ = new QSpinBox(group);
    label_->setObjectName("drawLabel");
    label_->setRange(0, 9);
    label_->setToolTip(tr("The class of the points you add (a class-conditional model trains on it)"));
    form->addRow(tr("Class"), label_);
    auto* clear = new QPushButton(tr("Clear all points"), group);
    clear->setObjectName("clearPoints");
    clear->setToolTip(tr("Start an empty drawn data set (training keeps the last points until you draw)"));
    currentInfo_ = new QLabel(group);
    currentInfo_->setObjectName("dataInfo");
    currentInfo_->setWordWrap(true);
    form->addRow(clear, currentInfo_);
    auto* hint =
        new QLabel(tr("Add: click for a point, drag to spray in the circle. Erase: click or drag over "
                      "points. Right or middle drag pans."),
                   group);
    hint->setWordWrap(true);
    form->addRow(hint);
    drawTool_->setToolTip(
        tr("What the left button does in the scene. Drawing on a preset keeps its points and "
           "labels, and makes the data empirical (its exact density is then the points')."));

    auto announceTool = [this] { emit drawToolChanged(drawTool(), brushRadius()); };
    connect(drawTool_, &QComboBox::currentIndexChanged, this, announceTool);
    connect(radius_, &QDoubleSpinBox::valueChanged, this, announceTool);
    connect(clear, &QPushButton::clicked, this, &DataPanel::clearPoints);
    return group;
}

view::DrawTool DataPanel::drawTool() const { return view::DrawTool(drawTool_->currentData().toInt()); }

double DataPanel::brushRadius() const { return radius_->value(); }

void DataPanel::showCurrent()
{
    if (!current_) {
        currentInfo_->setText(tr("No data set."));
        return;
    }
    const Dataset& d = *current_;
    QString kind = d.mixture ? tr("analytic preset") : d.name == "drawn" ? tr("drawn") : tr("empirical");
    QString text = tr("%1 points, %2").arg(d.size()).arg(kind);
    if (d.labelled()) text += d.numClasses == 1 ? tr(", one class") : tr(", %1 classes").arg(d.numClasses);
    currentInfo_->setText(text);
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

void DataPanel::showPreset(const std::string& id, int n, std::uint64_t seed,
                           std::shared_ptr<const Dataset> data)
{
    const QSignalBlocker block(this);
    current_ = std::move(data);
    showCurrent();
    preset_->setCurrentIndex(preset_->findData(QString::fromStdString(id)));
    count_->setValue(n);
    seed_->setValue(int(seed));
}

DataOrigin DataPanel::origin() const
{
    DataOrigin o;
    o.preset = preset_->currentData().toString().toStdString();
    o.count = count_->value();
    o.seed = std::uint64_t(seed_->value());
    for (const auto& [key, box] : paramBoxes_) o.params[key] = box->value();
    return o;
}

void DataPanel::applyPreset()
{
    const DataOrigin o = origin();
    try {
        current_ = std::make_shared<const Dataset>(makePreset(o.preset, o.count, o.seed, o.params));
    } catch (const InputError& e) {
        emit message(QString::fromStdString(e.what()), true);
        return;
    }
    showCurrent();
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
    showCurrent();
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

// ---- draw mode --------------------------------------------------------------------

void DataPanel::edit(Dataset next)
{
    current_ = std::make_shared<const Dataset>(std::move(next));
    strokeEdited_ = true;
    showCurrent();
    emit pointsEdited(current_, false);
}

void DataPanel::add(const Eigen::Matrix2Xd& points)
{
    const int have = current_ ? current_->size() : 0;
    if (have + points.cols() > kMaxDrawnPoints) {
        if (!strokeRefused_) // once per stroke, not on every move
            emit message(
                tr("at most %1 points can be drawn (the set has %2): erase some, or apply a smaller preset")
                    .arg(kMaxDrawnPoints)
                    .arg(have),
                true);
        strokeRefused_ = true;
        return;
    }
    edit(withPointsAdded(current_ ? *current_ : emptyDrawnSet(), points, label_->value()));
}

void DataPanel::erase(QPointF world)
{
    const Eigen::Vector2d centre(world.x(), world.y());
    if (!current_ || countWithin(*current_, centre, brushRadius()) == 0) return; // nothing under the brush
    edit(withPointsErased(*current_, centre, brushRadius()));
}

void DataPanel::beginStroke(QPointF world)
{
    strokeEdited_ = strokeRefused_ = false;
    sdeditStroke_.resize(2, 0);
    if (drawTool() == view::DrawTool::Sdedit)
        addToSdeditStroke(Eigen::Vector2d(world.x(), world.y()));
    else if (drawTool() == view::DrawTool::Add)
        add(Eigen::Vector2d(world.x(), world.y()));
    else if (drawTool() == view::DrawTool::Erase)
        erase(world);
}

void DataPanel::continueStroke(QPointF world)
{
    if (drawTool() == view::DrawTool::Sdedit)
        addToSdeditStroke(sprayDisc(Eigen::Vector2d(world.x(), world.y()), brushRadius(), density_->value(), spray_));
    else if (drawTool() == view::DrawTool::Add)
        add(sprayDisc(Eigen::Vector2d(world.x(), world.y()), brushRadius(), density_->value(), spray_));
    else if (drawTool() == view::DrawTool::Erase)
        erase(world);
}

void DataPanel::addToSdeditStroke(const Eigen::Matrix2Xd& points)
{
    // Capped like drawn data: the sampler repeats the stroke over its particles.
    const Eigen::Index room = std::max<Eigen::Index>(0, kMaxSdeditPoints - sdeditStroke_.cols());
    const Eigen::Index n = std::min(room, points.cols());
    sdeditStroke_.conservativeResize(2, sdeditStroke_.cols() + n);
    sdeditStroke_.rightCols(n) = points.leftCols(n);
}

void DataPanel::endStroke()
{
    if (drawTool() == view::DrawTool::Sdedit && sdeditStroke_.cols() > 0) {
        emit sdeditStrokeDrawn(sdeditStroke_);
        sdeditStroke_.resize(2, 0);
    }
    if (strokeEdited_) emit pointsEdited(current_, true);
    strokeEdited_ = strokeRefused_ = false;
}

void DataPanel::clearPoints()
{
    current_ = std::make_shared<const Dataset>(emptyDrawnSet());
    showCurrent();
    emit pointsEdited(current_, true);
}

void DataPanel::restore(std::shared_ptr<const Dataset> data, const DataOrigin& origin, const QString& title)
{
    showPreset(origin.preset, origin.count, origin.seed, std::move(data));
    for (const auto& [key, value] : origin.params)
        if (const auto box = paramBoxes_.find(key); box != paramBoxes_.end()) box->second->setValue(value);
    if (current_->name == "drawn") emit pointsEdited(current_, true);
    else emit dataChanged(current_, title);
}

} // namespace ss::window
