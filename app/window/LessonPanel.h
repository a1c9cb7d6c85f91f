#pragma once
// The Lesson dock: the active lecture preset's lesson (LecturePresets.h) -
// its title, what to look at, the current step's text and what the audience
// should see, and the step's live number (LessonMeasure.h, refreshed from the
// sampler's and trainer's snapshots a few times a second). Previous / Next
// (and the slots, which PgUp / PgDn reach) apply a step's settings through
// the window (hooks.apply: the docks' own request paths, LessonApplier.h), so
// the docks show the new values. "Save current scene as a new step" appends a
// step holding the running settings to the user's copy of the lesson file
// (userLectureDir(), written atomically), read in place of the built-in one
// from then on; the panel says which of the two it shows. A step the window
// refuses, or a copy that cannot be written, is said in the panel.
#include "window/LecturePresets.h"
#include "window/LessonMeasure.h"

#include <QElapsedTimer>
#include <QThreadPool>
#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace ss::window {

class LessonPanel : public QWidget {
    Q_OBJECT
public:
    struct Hooks {
        std::function<void(const LessonStep&)> apply;  // makes the window run the step's scene
        std::function<LectureScene()> currentScene;     // what the window runs now
        std::function<MeasureInput()> measureInput;     // the snapshots the live number reads
        std::function<void(bool)> wantModelMeasure;     // the step shows the ELBO: measure it (dock hidden or not)
    };
    explicit LessonPanel(Hooks hooks, QWidget* parent = nullptr);

    // Shows p's lesson at its first step and applies that step. The scene
    // itself is started by the caller (MainWindow::startLecture).
    void setLesson(const LecturePreset& p);
    bool hasLesson() const { return preset_.has_value(); }
    const std::optional<LecturePreset>& preset() const { return preset_; }
    int currentStep() const { return step_; } // 0-based
    int stepCount() const { return preset_ ? int(preset_->lesson.steps.size()) : 0; }

    // Appends the running scene as a step (text: what it shows) to the user's
    // copy in dir and reloads the lesson from it, at the new step. false: not
    // saved (the reason is shown in the panel).
    bool saveCurrentAsStep(const QString& text, const QString& dir = userLectureDir());

    // The panel's texts (tests and the user guide's screenshots read them).
    QString stepLine() const;    // "Step 2 of 4"
    QString stepText() const;
    QString expectText() const;
    QString measureLine() const; // the live number, or empty
    QString noteText() const;    // which file the lesson comes from, or the last problem

public slots:
    // While presenting, the card holds what the audience reads: the row that
    // saves a new step is hidden (shown again after), and the card's dock
    // comes back (presentation mode hides the docks) when a lesson runs; on
    // leaving, it stays in front of Training unless it was closed.
    void setPresenting(bool on);
    void nextStep();
    void previousStep();
    void refreshMeasure(); // at most every kRefreshMs, and at each run's end

public:
    static constexpr int kRefreshMs = 250;

private:
    void showStep(int index); // shows and applies step index
    void showSource();        // the note: built-in or the user's copy
    void bringDockForward(bool evenIfClosed); // the dock this panel is in, shown and raised
    void updateMeasure(bool force);
    // GUI thread, queued from measurePool_: a measurement made for step
    // generation `generation` (a newer step drops it).
    void showMeasured(const QString& now, bool runEnd, quint64 generation);

    Hooks hooks_;
    std::optional<LecturePreset> preset_;
    int step_ = 0;
    QElapsedTimer sinceRefresh_;
    QString lastFinished_; // the live number at the end of the last finished run of this step
    MeasureKey measuredFrom_;         // what the last measurement started was made from
    quint64 measureGeneration_ = 0;   // bumped by each shown step: results of older ones are dropped
    bool measuring_ = false;          // a measurement of this generation is in flight
    bool measureAgain_ = false;       // newer snapshots came meanwhile: measure them when it lands
    QLabel *title_, *lookAt_, *counter_, *text_, *expect_, *measure_, *note_;
    QPushButton *previous_, *next_, *save_;
    QLineEdit* newStepText_;
    // The live number is measured here, off the GUI thread (a sliced W2 takes
    // 20-40 ms). Last member: destroyed first, it waits for a measurement in
    // flight, whose result is queued to this still-whole panel and dropped.
    QThreadPool measurePool_;
};

} // namespace ss::window
