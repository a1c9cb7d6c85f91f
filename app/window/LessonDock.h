#pragma once
// The Lesson dock, made and connected in one place so the main window only
// constructs it: the panel applies steps through LessonApplier.h, reads the
// snapshots for its live number and refreshes it as they arrive.
namespace ss::window {

class LessonPanel;
class MainWindow;

// Docked right, tabbed with the Training dock (raised when a lesson starts); owned by window.
LessonPanel* addLessonDock(MainWindow* window);

} // namespace ss::window
