#include "window/ExportStillDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace ss::window {

ExportStillDialog::ExportStillDialog(QSize windowSize, const QString& path, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Export picture"));
    auto* form = new QFormLayout(this);
    path_ = new QLineEdit(path, this);
    path_->setObjectName("stillPath");
    path_->setMinimumWidth(320);
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* row = new QHBoxLayout;
    row->addWidget(path_, 1);
    row->addWidget(browse);
    form->addRow(tr("File (.png, .svg, .pdf)"), row);
    preset_ = new QComboBox(this);
    preset_->setObjectName("stillPreset");
    preset_->addItem(tr("The scene's size on screen"), windowSize);
    preset_->addItem(tr("1920 × 1080 (full HD slide)"), QSize(1920, 1080));
    preset_->addItem(tr("1280 × 720"), QSize(1280, 720));
    preset_->addItem(tr("1080 × 1080 (square)"), QSize(1080, 1080));
    preset_->addItem(tr("3840 × 2160 (4K)"), QSize(3840, 2160));
    preset_->addItem(tr("Custom"), QSize());
    form->addRow(tr("Size"), preset_);
    auto spin = [this](const char* name, int value) {
        auto* s = new QSpinBox(this);
        s->setObjectName(name);
        s->setRange(16, 16384);
        s->setValue(value);
        s->setSuffix(tr(" px"));
        return s;
    };
    width_ = spin("stillWidth", windowSize.width());
    height_ = spin("stillHeight", windowSize.height());
    auto* dims = new QHBoxLayout;
    dims->addWidget(width_);
    dims->addWidget(height_);
    form->addRow(tr("Width, height"), dims);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, &ExportStillDialog::browse);
    connect(preset_, &QComboBox::currentIndexChanged, this, &ExportStillDialog::presetChosen);
    // Typing a size makes it a custom one.
    for (QSpinBox* s : {width_, height_})
        connect(s, &QSpinBox::valueChanged, this, [this] {
            const QSize chosen = preset_->currentData().toSize();
            if (chosen.isValid() && chosen != pictureSize()) {
                const QSignalBlocker b(preset_);
                preset_->setCurrentIndex(preset_->count() - 1);
            }
        });
}

void ExportStillDialog::presetChosen()
{
    const QSize s = preset_->currentData().toSize();
    if (!s.isValid()) return;
    const QSignalBlocker a(width_), b(height_);
    width_->setValue(s.width());
    height_->setValue(s.height());
}

void ExportStillDialog::browse()
{
    const QString chosen = QFileDialog::getSaveFileName(this, tr("Export picture"), path_->text(),
                                                        tr("PNG image (*.png);;SVG vector (*.svg);;PDF vector (*.pdf)"));
    if (!chosen.isEmpty()) path_->setText(chosen);
}

QString ExportStillDialog::path() const { return path_->text(); }
QSize ExportStillDialog::pictureSize() const { return {width_->value(), height_->value()}; }

} // namespace ss::window
