#pragma once
// Scene files (.scorescope): a whole session as JSON with a format version,
// enough to reopen the same picture and to go on training where it stopped.
//
//   {"format": "scorescope-scene", "version": 1,
//    "data": {"name", "x": [...], "y": [...], "labels": [...], "numClasses",
//             "mixture": null | {"components": [{"weight", "mean": [x, y],
//                                               "covariance": [[a, b], [b, d]]}, ...]},
//             "origin": null | {"preset", "n", "seed", "params": {key: value}}},
//    "model", "objective", "schedule", "optimizer": as in ConfigJson.h,
//    "trainer": {"batchSize", "threads", "chunk", "minColumnsPerThread", "seed"},
//    "training": null | {"step", "params", "ema", "adamM", "adamV",
//                        "batchRng": {"words": [4 x 16 hex digits], "spare", "hasSpare"}},
//    "history": [[step, loss, [level losses, null where not seen yet]], ...],
//    "sampling": {"sampler": {...}, "source": "learned" | "exact", "stepsPerFrame",
//                 "trailLength", "loop", "useEma"},
//    "app": {...}}   (the window's own state, passed through unread)
//
// Numbers round-trip bit-exactly (doubles and the float weights are written
// as shortest round-trip decimals), so a reopened scene gives the same scores,
// and a resumed trainer the same weights, as the one saved.
//
// Reading is strict and bounded (SceneLimits): a wrong format, a newer version,
// a missing field, a wrong type, a non-finite number, an array over its limit,
// parameter counts that do not match the architecture, labels out of range, a
// schedule/sampler/optimiser the UI would refuse, or unknown fields are refused
// with InputError naming the file and the field ("s.scorescope: data.labels[7]:
// ..."). Nothing is half-loaded: a reader returns a complete document or throws.
#include "core/Dataset.h"
#include "core/Guidance.h"
#include "core/NoiseSchedule.h"
#include "core/Objective.h"
#include "core/Optimizer.h"
#include "core/Rng.h"
#include "core/SamplerConfig.h"
#include "core/ScoreNet.h"
#include "core/Trainer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ss {

// Where a preset data set came from (for the Data dock); the points are what
// counts, regenerating them is never needed.
struct DataOrigin {
    std::string preset;
    int count = 0;
    std::uint64_t seed = 0;
    std::map<std::string, double> params;
    bool operator==(const DataOrigin&) const = default;
};

// What a trainer needs, beyond its settings, to continue bit-exactly.
struct TrainingState {
    Eigen::VectorXf params;
    AdamState adam; // moments, EMA and step; each vector the size of params
    RngState batchRng;
};

struct LossRecord {
    std::int64_t step = 0;
    double loss = 0;
    std::vector<double> levels; // per objective bin; NaN: no example seen yet
};

// The window's sampling settings that are not part of SamplerConfig.
struct SamplingSettings {
    SamplerConfig sampler;
    bool exactScore = false; // the score source: exact (true) or the learned network
    int stepsPerFrame = 5;
    int trailLength = 12;
    bool loop = true;
    bool useEma = true; // samplers and fields use the EMA weights
    GuidanceConfig guidance; // "guidance" (optional; written when on)
    bool operator==(const SamplingSettings&) const = default;
};

struct SceneDocument {
    static constexpr int kFormatVersion = 1;

    Dataset data;
    std::optional<DataOrigin> origin;
    ModelConfig model;
    ObjectiveConfig objective;
    NoiseSchedule schedule;
    OptimizerConfig optimizer;
    TrainerConfig trainer;
    std::optional<TrainingState> training; // none: the model starts from model.seed
    std::vector<LossRecord> history;
    SamplingSettings sampling;
    nlohmann::json app = nlohmann::json::object(); // window-only state; the core bounds its size
};

// Bounds on what a reader accepts (the defaults hold any scene the program
// makes; tests lower them).
struct SceneLimits {
    std::uintmax_t maxBytes = 512ull << 20; // the file, checked before parsing
    std::size_t maxPoints = 5'000'000;
    std::size_t maxHistory = 1'000'000;      // loss records
    std::size_t maxLevelValues = 20'000'000; // per-level losses over the whole history
    std::size_t maxComponents = 10'000;      // mixture components
    std::size_t maxAppNodes = 100'000;       // values in "app", nested ones included
    int maxAppDepth = 32;                    // nesting of "app"
};

// Throws InputError ("<where>: ...") unless app is an object within the
// limits' node count and depth (deep nesting would exhaust the stack of every
// recursive walk over it, the writer's included).
void checkAppState(const nlohmann::json& app, const std::string& where, const SceneLimits& limits = {});

// Throws InputError when the document holds what the file cannot carry
// (non-finite points or weights, an "app" object over the default limits), so
// a saved scene can always be opened again.
std::string sceneToJsonText(const SceneDocument& scene);
// sourceName names the file in messages.
SceneDocument sceneFromJsonText(const std::string& text, const std::string& sourceName,
                                const SceneLimits& limits = {});

// Atomic write (temporary file beside the target + rename); throws InputError
// naming the path, and then leaves the old file (if any) untouched.
void saveScene(const std::string& path, const SceneDocument& scene);
// Throws InputError naming the path and the problem.
SceneDocument loadScene(const std::string& path, const SceneLimits& limits = {});

// The trainer's settings and its whole training state (weights, Adam moments,
// EMA, step, batch stream) into scene. Leaves data, history, sampling and app
// alone: the window owns those.
void captureTraining(const Trainer& trainer, SceneDocument& scene);
// Sets a trainer built from the scene's settings to the saved state. Throws
// InputError when the sizes do not fit the trainer's model.
void restoreTraining(Trainer& trainer, const TrainingState& state);
// A trainer on the scene's data and settings, at the saved state when there is
// one: N steps, capture, save, load, makeTrainer, M steps gives the weights of
// N + M steps straight (see Trainer::batchRngState for the conditions).
// Throws InputError as Trainer's constructor does.
std::unique_ptr<Trainer> makeTrainer(const SceneDocument& scene);

} // namespace ss
