#pragma once
// The race's files: the configuration (JSON, read by the CLI and the window's
// race view, written by the window) and the results (CSV, one row per
// configuration and step count).
//
//   {"format": "scorescope-race", "version": 1,
//    "name": "DDPM vs DDIM vs PF-ODE",            optional
//    "particles": 1000, "seed": 0,                optional (these defaults)
//    "steps": [5, 10, 20, 50, 100, 200, 500, 1000], optional (this default)
//    "metrics": ["sw2", "mmd", "energy", "modes"], optional (all)
//    "projections": 128,                          optional
//    "configurations": [
//      {"name": "DDIM", "score": "exact",         score: learned | exact
//       "sampler": {"kind": "ddim", "eta": 0},    ConfigJson's sampler form
//       "schedule": {"kind": "ddpm-linear", "T": 1000}}  optional (ConfigJson's)
//    ]}
//
// The sampler object is ConfigJson's (samplerConfigFromJson: every field
// optional, unknown ones refused); its particles, seed and step counts are
// replaced by the race's. Reading is strict like the other files: every
// message names the file, the configuration and the field.
#include "core/Race.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ss {

nlohmann::json toJson(const RaceSpec& spec);
RaceSpec raceSpecFromJson(const nlohmann::json& j, const std::string& sourceName);

std::string raceSpecToJsonText(const RaceSpec& spec);
RaceSpec raceSpecFromJsonText(const std::string& text, const std::string& sourceName);
void saveRaceSpec(const std::string& path, const RaceSpec& spec); // atomic
RaceSpec loadRaceSpec(const std::string& path);                   // at most 1 MB

// The results as CSV: a header, then per row configuration, sampler, score,
// schedule, steps (0: adaptive), steps_taken, nfe, seconds, status, then each
// metric of spec.metrics beside its floor (sw2, sw2_floor, mmd2, mmd2_floor,
// energy, energy_floor, mode_tv, mode_tv_floor; empty where not available),
// then note. Fields with a comma or quote are quoted.
std::string raceResultCsvText(const RaceSpec& spec, const RaceResult& result);

} // namespace ss
