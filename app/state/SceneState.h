#pragma once
// One home for the scene file's application part, used by the window, the
// command line's `render` and the tests alike:
//
// - AppState: the scene file's "app" object (the window's own state), with ONE
//   strict reader and ONE writer. Its format:
//     {"layers": LayerSettingsJson.h's object, "view": {"xMin", "xMax", "yMin",
//      "yMax"} (world units), "scrubber": the noise scrubber's position in [0, 1],
//      "title": the data set's title}
//   Every key is optional on reading (a scene written by another program may
//   leave them out); an unknown key or a bad value is refused.
// - The mapping between a scene file (core's SceneDocument) and the setups
//   the workers run (SceneSetup), both ways.
//
// Qt Core only (QRectF, QString) plus the layer settings' value type.
#include "state/LayerSettingsJson.h" // view::LayerSettings and its JSON
#include "core/SceneFile.h"
#include "state/SceneSetup.h"

#include <QRectF>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ss::state {

struct AppState {
    std::optional<view::LayerSettings> layers;
    std::optional<QRectF> view;     // the world rectangle shown (y up: top() is yMin)
    std::optional<double> scrubber; // in [0, 1]
    std::optional<QString> title;
};

// Throws InputError "<where>.<field>: ..." naming the bad or unknown field
// (where is e.g. "scene.scorescope: app").
AppState appStateFromJson(const nlohmann::json& app, const std::string& where);
// Writes the keys that are set; appStateFromJson reads it back equal.
nlohmann::json appStateToJson(const AppState& app);

// What a scene file runs: its data, model, objective, schedule, optimiser,
// trainer, saved training state (moved out of doc), sampler settings, the
// data's origin and the app state's title. What a file does not hold comes
// from base (e.g. the sampler's hold time; the title when the file has none).
app::SceneSetup setupFromScene(SceneDocument&& doc, const AppState& app, app::SceneSetup base);
// The reverse: the setup's data and settings into doc. Leaves origin, history,
// the training state and "app" alone: their owners fill them.
void setupToScene(const app::SceneSetup& setup, SceneDocument& doc);

} // namespace ss::state
