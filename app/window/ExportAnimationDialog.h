#pragma once
// The "Export animation" dialog: the file (.mp4, .webm, .gif, or .png for a
// PNG sequence), the frame size (presets or typed; independent of the window),
// the frame rate, what to record (the sampler from its start to its end, N
// sampler steps, or a sweep of the noise level), steps per frame, a pause on
// the last frame, a title and the overlay text. It fills the job; the window
// adds the scene (sampler, network, layers, view) and runs it.
#include "export/AnimationRenderer.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace ss::window {

class ExportAnimationDialog : public QDialog {
    Q_OBJECT
public:
    ExportAnimationDialog(const QString& path, QWidget* parent = nullptr);
    QString path() const;
    // The dialog's fields written over base (the scene parts are the caller's).
    app::AnimationJob job(app::AnimationJob base) const;

private:
    void updateEnabled();

    QLineEdit *path_, *title_;
    QComboBox *preset_, *content_;
    QSpinBox *width_, *height_, *frames_, *stepsPerFrame_;
    QDoubleSpinBox *fps_, *hold_;
    QCheckBox* overlay_;
};

} // namespace ss::window
