#pragma once
// JSON forms of the settings that files carry (model and scene files): model,
// objective, optimiser, trainer, noise schedule and sampler. Readers are strict:
// a missing field, a wrong type, a non-finite number or an out-of-range value
// throws InputError with the field's path ("schedule.sigmaMax: ..."); values
// then pass through the same validation as the UI's (the factories), so a file
// can never build what the program would refuse.
#include "core/Error.h"
#include "core/NoiseSchedule.h"
#include "core/Guidance.h"
#include "core/Objective.h"
#include "core/Optimizer.h"
#include "core/SamplerConfig.h"
#include "core/ScoreNet.h"
#include "core/Trainer.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ss {

nlohmann::json toJson(const ModelConfig& c);
nlohmann::json toJson(const ObjectiveConfig& c);
nlohmann::json toJson(const OptimizerConfig& c);
nlohmann::json toJson(const NoiseSchedule& s);
nlohmann::json toJson(const SamplerConfig& c);
nlohmann::json toJson(const GuidanceConfig& c);
nlohmann::json toJson(const TrainerConfig& c);

// `where` prefixes messages (e.g. "model.json: config").
ModelConfig modelConfigFromJson(const nlohmann::json& j, const std::string& where);
ObjectiveConfig objectiveConfigFromJson(const nlohmann::json& j, const std::string& where);
OptimizerConfig optimizerConfigFromJson(const nlohmann::json& j, const std::string& where);
NoiseSchedule scheduleFromJson(const nlohmann::json& j, const std::string& where);
// Within the bounds the Trainer accepts (batch size, threads, chunk).
TrainerConfig trainerConfigFromJson(const nlohmann::json& j, const std::string& where);
// Every field is optional (the defaults of SamplerConfig stand in); a field
// given must have the right type and value; unknown fields are refused (a typo
// would otherwise be ignored). Ends with SamplerConfig::validate().
SamplerConfig samplerConfigFromJson(const nlohmann::json& j, const std::string& where);
GuidanceConfig guidanceConfigFromJson(const nlohmann::json& j, const std::string& where);

// Typed field access with path-naming errors (shared by the file readers).
namespace json {
const nlohmann::json& field(const nlohmann::json& obj, const char* key, const std::string& where);
double number(const nlohmann::json& obj, const char* key, const std::string& where);
std::int64_t integer(const nlohmann::json& obj, const char* key, const std::string& where, std::int64_t min,
                     std::int64_t max);
// A non-negative integer up to 2^64 - 1 (seeds).
std::uint64_t unsignedInteger(const nlohmann::json& obj, const char* key, const std::string& where);
bool boolean(const nlohmann::json& obj, const char* key, const std::string& where);
std::string string(const nlohmann::json& obj, const char* key, const std::string& where);
// An array of at most maxSize finite numbers.
std::vector<double> numbers(const nlohmann::json& obj, const char* key, const std::string& where, size_t maxSize);
// Network weights (or optimiser moments): exactly `count` numbers, each finite
// as a float.
Eigen::VectorXf parameters(const nlohmann::json& obj, const char* key, const std::string& where, Eigen::Index count);
// Their writer: each float as the shortest decimal that reads back (through
// double, as parameters() reads it) to the same float, so weights round-trip
// bit-exactly in about half the characters of the double's decimal.
// Precondition: v is finite (JSON has no NaN).
nlohmann::json floatArray(const Eigen::VectorXf& v);

// Runs f (a factory or validator); an InputError gets "<where>: " in front
// unless a field reader already put the place there.
template <typename F>
auto located(const std::string& where, F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (const InputError& e) {
        const std::string what = e.what();
        if (what.rfind(where, 0) == 0) throw;
        throw InputError(where + ": " + what);
    }
}
} // namespace json

} // namespace ss
