#pragma once
// The keys for live teaching, one table (kTeachingKeys in the .cpp):
//   Space play / pause sampling   →  one sampler step   R  reset the particles
//   PgDn / PgUp  next / previous lesson step
//   1-9  toggle the Layers dock's layers, in its order
//   ↑ / ↓  noise level (the scrubber under the scene) up / down
// Each drives the same path as the control it stands for (the Sampler dock's
// buttons, the Layers dock's check boxes, the scrubber's slider), so the
// docks always show what the keys did.
//
// The keys act while the scene has keyboard focus (a click on the scene gives
// it, presentation mode gives it): typing in a dock's field, or arrowing
// through a combo box, never triggers them. The View menu's "Teaching keys"
// submenu lists them with their shortcuts (and runs them from the mouse).
//
// Lesson steps: PgDn / PgUp emit nextLessonStep / previousLessonStep. Until a
// lesson panel connects to them, they step through the Lectures menu's
// presets (stepLecture).
#include <QObject>

class QMenu;

namespace ss::window {

class MainWindow;

class PresentationKeys : public QObject {
    Q_OBJECT
public:
    explicit PresentationKeys(MainWindow* window);
    void addToMenu(QMenu* view);

    // Connected to the lesson signals until a lesson panel replaces it: loads
    // the next (delta 1) or previous (-1) Lectures menu preset, from the one
    // last chosen there (before any: the first).
    void stepLecture(int delta);
    void disconnectLectureStepping(); // for the lesson panel that takes PgDn / PgUp over

signals:
    void nextLessonStep();
    void previousLessonStep();

private:
    void playPause();
    void toggleLayer(int number); // 1-based, the Layers dock's order
    void scrubLevel(int direction);

    MainWindow* window_;
    QMenu* keysMenu_;
    int lecture_ = -1; // the Lectures menu entry last chosen
    QMetaObject::Connection nextLecture_, previousLecture_;
};

} // namespace ss::window
