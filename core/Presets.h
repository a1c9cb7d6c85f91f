#pragma once
// Built-in data sets. Every preset is deterministic for (n, seed, params) and
// documents its parameters (key, meaning, default, range) so that the Data
// panel and the CLI can list and edit them.
//
// Ids: gaussian, 8gaussians, 25gaussians, moons, swissroll, circles, rings,
// spirals, checkerboard, pinwheel, ncsn (0.8 N((5,5), I) + 0.2 N((-5,-5), I)).
// Gaussian-mixture presets (gaussian, 8gaussians, 25gaussians, ncsn) carry their
// analytic mixture; the rest are point sets (exact score = empirical).
#include "core/Dataset.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ss {

struct PresetParam {
    std::string key;
    std::string description;
    double defaultValue;
    double min;
    double max;
};

struct PresetInfo {
    std::string id;
    std::string title;       // for menus: "8 Gaussians on a circle"
    std::string description; // one sentence: what it is and what it shows
    bool analytic;           // true: a Gaussian mixture with exact density
    bool labelled;           // true: points carry class labels
    std::vector<PresetParam> params;
};

const std::vector<PresetInfo>& presetCatalogue();

// Throws InputError when id is unknown (the message lists the known ids), n is
// outside [1, 10'000'000], or a parameter key is unknown or out of its range.
Dataset makePreset(const std::string& id, int n, std::uint64_t seed,
                   const std::map<std::string, double>& params = {});

} // namespace ss
