#pragma once
// Help → About ScoreScope: the version (core/Version.h, from CMake's
// project(VERSION)), Qt at run and build time, the scene's OpenGL renderer,
// what the program is, and its licence.
#include <QDialog>

class QLabel;

namespace ss::window {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    // glDescription: SceneView::glDescription() (empty before the first frame).
    AboutDialog(const QString& glDescription, QWidget* parent);
    QString text() const; // the dialog's text (rich text)

    static QString aboutText(const QString& glDescription);

private:
    QLabel* label_;
};

} // namespace ss::window
