#pragma once
// The "Export picture" dialog: a file (.png, .svg or .pdf: the extension picks
// the format) and a size in pixels, from presets (the window's, 1920 x 1080,
// 1280 x 720, square 1080, 4K) or typed. It only asks; the window exports.
#include <QDialog>
#include <QSize>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ss::window {

class ExportStillDialog : public QDialog {
    Q_OBJECT
public:
    ExportStillDialog(QSize windowSize, const QString& path, QWidget* parent = nullptr);
    QString path() const;
    QSize pictureSize() const;

private:
    void browse();
    void presetChosen();

    QLineEdit* path_;
    QComboBox* preset_;
    QSpinBox *width_, *height_;
};

} // namespace ss::window
