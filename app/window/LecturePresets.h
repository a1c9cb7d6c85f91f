#pragma once
// Lecture presets: one click loads a data set, model, objective, schedule,
// sampler, score source and layers prepared for one point of the course. They
// are JSON files in resources/lectures/ (embedded), read strictly: a malformed
// preset is a bug in the program and throws InputError naming the file and
// field (the tests load them all).
#include "state/SceneSetup.h"
#include "state/LayerSettings.h"

#include <QString>

#include <vector>

namespace ss::window {

using app::SceneSetup;

struct LecturePreset {
    QString title;
    QString description;
    SceneSetup scene;
    view::LayerSettings layers;
    double scrubber = 0.45; // the noise scrubber's position (0: least noise)
};

LecturePreset lecturePresetFromJson(const QByteArray& text, const QString& name);
// Every preset in :/lectures, in file-name order.
std::vector<LecturePreset> lecturePresets();

} // namespace ss::window
