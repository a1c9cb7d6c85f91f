#pragma once
// Lecture presets: one click loads a data set, model, objective, schedule,
// sampler, score source and layers prepared for one point of the course, and
// its lesson (the Lesson dock walks through it). They are JSON files in
// resources/lectures/ (embedded); a user's copy of one, with steps saved from
// the window, lives in userLectureDir() and is read in its place. Read
// strictly: an unknown key, a wrong type, a step whose settings the scene
// reader refuses or an empty lesson throws InputError naming the file and
// field (the tests load them all; fuzz/fuzz_lecture feeds the reader).
//
// The format (version 1):
//   {"format": "scorescope-lecture", "version": 1, "title", "description",
//    the scene: "data": {"preset", "n", "seed"}, "model", "objective",
//    "schedule", "sampler" (core/ConfigJson.h's forms), "source": "exact" |
//    "learned", "stepsPerFrame", "layers" (state/LayerSettingsJson.h),
//    "scrubber" (in [0, 1]), optionally "flow" (the Flow dock: {"train",
//    "samples", "chart" ("nll", "nfe" or "variance": the tab in front), and any of "hidden", "activation", "trace", "probes",
//    "probe", "gradient", "solver", "steps", "tolerance", "batch", "lr",
//    "sampleSteps", "seed"; FlowSettings' defaults for the rest}),
//    "lesson": {"title", "look_at": what to look at, "steps": [1..50 of
//      {"text": what to do / what happens, "expect": what the audience
//       should see, "apply": optional settings changes, "measure": optional
//       live number (lessonMeasureNames())}]}}
// A step's "apply" holds scene keys only; it is a JSON merge patch (RFC 7396:
// objects merge field by field, null removes a field) onto the scene of the
// step before it (the preset's own scene for the first step), and the result
// is read by the same scene reader as the preset itself.
#include "state/FlowSetup.h"
#include "state/LayerSettings.h"
#include "state/SceneSetup.h"

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace ss::window {

using app::SceneSetup;

// The live numbers a lesson step can show (window/LessonMeasure.h computes them).
enum class LessonMeasure { None, ModeWeights, NearData, Loss, Evaluations, Sigma, TargetDistance, FlowNll, Elbo, SlicedW2 };
// "mode-weights", "near-data", "loss", "evaluations", "sigma", "target-distance"
// (the last finished guided or SDEdit run against exact draws of its target),
// "flow-nll" (the Flow dock's held-out NLL beside the exact one, and its cost),
// "elbo" (a DDPM's bound and its terms, from the Measurements dock's worker,
// which measures while such a step is shown even with the dock hidden),
// "sliced-w2" (the particles against the data, beside exact draws'); None has no name.
const std::vector<std::pair<LessonMeasure, std::string>>& lessonMeasureNames();

// A scene as a lecture file holds it: what the workers run, the layers shown
// and the noise scrubber's position (0: least noise).
// What a lesson sets in the Flow dock (shown and raised when present).
struct FlowLesson {
    app::FlowSettings settings;
    bool train = true;
    bool samples = false; // the flow's samples in the scene instead of the sampler's
    std::string chart = "nll"; // the Flow dock's chart in front: "nll", "nfe" or "variance"
    bool operator==(const FlowLesson&) const = default;
};

struct LectureScene {
    SceneSetup scene;
    view::LayerSettings layers;
    double scrubber = 0.45;
    std::optional<FlowLesson> flow; // none: the Flow dock is left as it is
};

struct LessonStep : LectureScene { // the scene with this step and every one before it applied
    QString text;   // what to do / what happens
    QString expect; // what the audience should see
    LessonMeasure measure = LessonMeasure::None;
    nlohmann::json apply; // the step's own changes as written (null: none)
};

struct Lesson {
    QString title;
    QString lookAt;
    std::vector<LessonStep> steps; // never empty
};

struct LecturePreset : LectureScene {
    QString title;
    QString description;
    Lesson lesson;
    nlohmann::json document; // the file as read (a saved step is appended to it)
    QString file;            // its file name, e.g. "2-sigma-too-small.json"
    QString userCopy;        // the user's copy it was read from; empty: the built-in one
};

LecturePreset lecturePresetFromJson(const QByteArray& text, const QString& name);
// The scene keys of a lecture file for `scene` (what a saved step's "apply" holds).
nlohmann::json lectureSceneToJson(const LectureScene& scene);
// The file with a step appended whose "apply" brings the last step's scene to
// `scene`; read back with lecturePresetFromJson before it is returned (throws
// InputError when it does not read, e.g. data that no preset makes).
QByteArray lectureWithStep(const LecturePreset& preset, const LectureScene& scene, const QString& text,
                           const QString& expect);

// Every built-in preset in :/lectures, in the order of the files' leading
// numbers ("10-..." after "9-...": the menu and --lecture K count in it),
// throws on a bad one.
std::vector<LecturePreset> lecturePresets();

// Where users' copies live: QStandardPaths::AppDataLocation + "/lectures".
QString userLectureDir();
// The Lectures menu's entries: each built-in preset, or the user's copy of it
// where there is one. A file that does not read is an entry with its reason.
struct LectureEntry {
    QString file;
    QString title; // the preset's, or the file name when it does not read
    std::optional<LecturePreset> preset;
    QString error;
};
std::vector<LectureEntry> lectureEntries(const QString& userDir = userLectureDir());
// The entry named by its title or number (1..); nullopt with *error set.
std::optional<LecturePreset> findLecture(const QString& name, QString* error);

} // namespace ss::window
