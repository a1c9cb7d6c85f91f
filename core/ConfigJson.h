#pragma once
// JSON forms of the settings that files carry (model files now, scene files
// later): model, objective, optimiser and noise schedule. Readers are strict:
// a missing field, a wrong type, a non-finite number or an out-of-range value
// throws InputError with the field's path ("schedule.sigmaMax: ..."); values
// then pass through the same validation as the UI's (the factories), so a file
// can never build what the program would refuse.
#include "NoiseSchedule.h"
#include "Objective.h"
#include "Optimizer.h"
#include "SamplerConfig.h"
#include "ScoreNet.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ss {

nlohmann::json toJson(const ModelConfig& c);
nlohmann::json toJson(const ObjectiveConfig& c);
nlohmann::json toJson(const OptimizerConfig& c);
nlohmann::json toJson(const NoiseSchedule& s);
nlohmann::json toJson(const SamplerConfig& c);

// `where` prefixes messages (e.g. "model.json: config").
ModelConfig modelConfigFromJson(const nlohmann::json& j, const std::string& where);
ObjectiveConfig objectiveConfigFromJson(const nlohmann::json& j, const std::string& where);
OptimizerConfig optimizerConfigFromJson(const nlohmann::json& j, const std::string& where);
NoiseSchedule scheduleFromJson(const nlohmann::json& j, const std::string& where);
// Every field is optional (the defaults of SamplerConfig stand in); a field
// given must have the right type and value; unknown fields are refused (a typo
// would otherwise be ignored). Ends with SamplerConfig::validate().
SamplerConfig samplerConfigFromJson(const nlohmann::json& j, const std::string& where);

// Typed field access with path-naming errors (shared by the file readers).
namespace json {
const nlohmann::json& field(const nlohmann::json& obj, const char* key, const std::string& where);
double number(const nlohmann::json& obj, const char* key, const std::string& where);
std::int64_t integer(const nlohmann::json& obj, const char* key, const std::string& where, std::int64_t min,
                     std::int64_t max);
bool boolean(const nlohmann::json& obj, const char* key, const std::string& where);
std::string string(const nlohmann::json& obj, const char* key, const std::string& where);
// An array of at most maxSize finite numbers.
std::vector<double> numbers(const nlohmann::json& obj, const char* key, const std::string& where, size_t maxSize);
} // namespace json

} // namespace ss
