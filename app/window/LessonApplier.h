#pragma once
// How a lesson step reaches the running scene: each part of the step's scene
// that differs from what runs goes through the dock a user would use - the
// dock shows the value, then its own request signal runs the window's usual
// handler (the controller applies it, refusals are reported and the dock goes
// back). Parts that did not change are left alone, so a step that only
// switches the sampler keeps the model training. Also the reverse: the scene
// the window runs now, as a lecture scene (a saved step's settings).
#include "window/LecturePresets.h"

namespace ss::window {

class MainWindow;

void applyLessonStep(MainWindow& window, const LectureScene& step);
// The Flow dock shown with these settings (a fresh flow only if they differ), training and samples as given.
void applyFlow(MainWindow& window, const FlowLesson& flow);
LectureScene runningLectureScene(const MainWindow& window);

} // namespace ss::window
