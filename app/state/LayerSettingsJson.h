#pragma once
// The layers (what the Layers dock toggles) as JSON, shared by the lecture
// presets, the scene files' "app" object and the command-line renderer:
//
//   {"data": [visible, opacity], "noised": [...], "density": [...],
//    "error": [...], "exactField": [...], "learnedField": [...],
//    "particles": [...], "trails": [...], "decomposition": [...], "target": [...],
//    "arrows": score arrows per side (4..96), "heatCells": cells per side (16..512)}
//
// visible is a boolean, opacity a number in [0, 1]. Every key is optional on
// reading (a missing one keeps LayerSettings' default), so a lecture preset
// names only what it changes; the writer writes them all.
//
// The window's whole "app" object in a scene file (state/SceneState.h reads and writes it) is
//   {"layers": the above, "view": {"xMin", "xMax", "yMin", "yMax"} (world units),
//    "scrubber": the noise scrubber's position in [0, 1], "title": the data set's title}
#include "state/LayerSettings.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ss::view {

nlohmann::json layersToJson(const LayerSettings& layers);
// Strict: an unknown key, a wrong type or a value out of range throws
// InputError naming the field ("<where>.trails: expected [visible, opacity in 0..1]").
LayerSettings layersFromJson(const nlohmann::json& j, const std::string& where);

} // namespace ss::view
