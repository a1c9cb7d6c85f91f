#include "window/ExportAnimationDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

#include <cmath>

namespace ss::window {

ExportAnimationDialog::ExportAnimationDialog(const QString& path, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Export animation"));
    auto* form = new QFormLayout(this);
    path_ = new QLineEdit(path, this);
    path_->setObjectName("animationPath");
    path_->setMinimumWidth(320);
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* row = new QHBoxLayout;
    row->addWidget(path_, 1);
    row->addWidget(browse);
    form->addRow(tr("File"), row);
    preset_ = new QComboBox(this);
    preset_->addItem(tr("1920 × 1080 (full HD)"), QSize(1920, 1080));
    preset_->addItem(tr("1280 × 720"), QSize(1280, 720));
    preset_->addItem(tr("1080 × 1080 (square)"), QSize(1080, 1080));
    preset_->addItem(tr("720 × 720 (square)"), QSize(720, 720));
    preset_->addItem(tr("Custom"), QSize());
    preset_->setCurrentIndex(1);
    form->addRow(tr("Frame size"), preset_);
    auto spin = [this](const char* name, int lo, int hi, int value) {
        auto* s = new QSpinBox(this);
        s->setObjectName(name);
        s->setRange(lo, hi);
        s->setValue(value);
        return s;
    };
    width_ = spin("animationWidth", 16, 7680, 1280);
    height_ = spin("animationHeight", 16, 4320, 720);
    auto* dims = new QHBoxLayout;
    dims->addWidget(width_);
    dims->addWidget(height_);
    form->addRow(tr("Width, height (px)"), dims);
    fps_ = new QDoubleSpinBox(this);
    fps_->setObjectName("animationFps");
    fps_->setRange(1, 120);
    fps_->setValue(25);
    form->addRow(tr("Frames per second"), fps_);
    content_ = new QComboBox(this);
    content_->setObjectName("animationContent");
    content_->addItem(tr("The sampler, from its start to its end"), int(app::AnimationJob::Content::SamplerRun));
    content_->addItem(tr("The sampler, N steps"), int(app::AnimationJob::Content::SamplerSteps));
    content_->addItem(tr("A sweep of the noise level (N frames)"), int(app::AnimationJob::Content::NoiseSweep));
    content_->addItem(tr("Training from the first step (N frames, at the scrubber's level)"),
                      int(app::AnimationJob::Content::TrainingProgress));
    form->addRow(tr("Record"), content_);
    frames_ = spin("animationFrames", 2, 100000, 100);
    form->addRow(tr("N"), frames_);
    stepsPerFrame_ = spin("animationStepsPerFrame", 1, 10000, 4);
    form->addRow(tr("Sampler or training steps per frame"), stepsPerFrame_);
    hold_ = new QDoubleSpinBox(this);
    hold_->setObjectName("animationHold");
    hold_->setRange(0, 30);
    hold_->setValue(1.0);
    hold_->setSuffix(tr(" s"));
    form->addRow(tr("Hold the last frame"), hold_);
    title_ = new QLineEdit(this);
    title_->setObjectName("animationTitle");
    title_->setPlaceholderText(tr("optional, e.g. the lecture's name"));
    form->addRow(tr("Title"), title_);
    overlay_ = new QCheckBox(tr("Show the sampler, the level (σ, t) and the step"), this);
    overlay_->setChecked(true);
    form->addRow(overlay_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getSaveFileName(
            this, tr("Export animation"), path_->text(),
            tr("MP4 video (*.mp4);;WebM video (*.webm);;GIF animation (*.gif);;PNG sequence (*.png)"));
        if (!chosen.isEmpty()) path_->setText(chosen);
    });
    connect(preset_, &QComboBox::currentIndexChanged, this, [this] {
        const QSize s = preset_->currentData().toSize();
        if (!s.isValid()) return;
        const QSignalBlocker a(width_), b(height_);
        width_->setValue(s.width());
        height_->setValue(s.height());
    });
    for (QSpinBox* s : {width_, height_})
        connect(s, &QSpinBox::valueChanged, this, [this] {
            const QSignalBlocker b(preset_);
            preset_->setCurrentIndex(preset_->count() - 1);
        });
    connect(content_, &QComboBox::currentIndexChanged, this, &ExportAnimationDialog::updateEnabled);
    updateEnabled();
}

void ExportAnimationDialog::updateEnabled()
{
    const auto c = app::AnimationJob::Content(content_->currentData().toInt());
    frames_->setEnabled(c != app::AnimationJob::Content::SamplerRun);
    stepsPerFrame_->setEnabled(c != app::AnimationJob::Content::NoiseSweep);
}

QString ExportAnimationDialog::path() const { return path_->text(); }

app::AnimationJob ExportAnimationDialog::job(app::AnimationJob j) const
{
    j.content = app::AnimationJob::Content(content_->currentData().toInt());
    j.size = QSize(width_->value(), height_->value());
    j.fps = fps_->value();
    j.frames = frames_->value();
    j.stepsPerFrame = stepsPerFrame_->value();
    j.holdFrames = int(std::lround(hold_->value() * j.fps));
    j.title = title_->text();
    j.overlayText = overlay_->isChecked();
    return j;
}

} // namespace ss::window
