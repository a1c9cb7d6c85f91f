#pragma once
// Model files: a trained score network as JSON, with everything a sampler needs
// to use it (how it was trained: objective, schedule) and a format version.
//
//   {"format": "scorescope-model", "version": 1, "model": {...},
//    "objective": {...}, "schedule": {...}, "optimizer": {...},
//    "step": N, "data": "8gaussians", "params": [...], "ema": [...]}
//
// Weights round-trip bit-exactly (floats written as shortest round-trip
// decimals). Reading is strict and bounded: a wrong format, a newer version,
// wrong types, parameter counts that do not match the architecture, NaN/Inf,
// or a file over 128 MB is refused with InputError naming the file and field.
//
// A model file is for using a model (sampling, evaluation): it holds no Adam
// moments, so it is not a way to resume training exactly (scene files will
// carry the optimiser state).
#include "core/NoiseSchedule.h"
#include "core/Objective.h"
#include "core/Optimizer.h"
#include "core/ScoreNet.h"

#include <cstdint>
#include <string>

namespace ss {

class Trainer;

struct TrainedModel {
    static constexpr int kFormatVersion = 1;

    ModelConfig model;
    ObjectiveConfig objective;
    NoiseSchedule schedule;
    OptimizerConfig optimizer;
    std::int64_t step = 0;
    std::string dataName;
    Eigen::VectorXf params;
    Eigen::VectorXf ema; // same size as params (equal to them when never trained)

    // The network with the EMA weights (useEma) or the raw ones.
    ScoreNet net(bool useEma = true) const;
};

// The trainer's current model, settings and EMA.
TrainedModel trainedModelOf(const Trainer& trainer);

std::string modelToJsonText(const TrainedModel& m);
// sourceName names the file in messages.
TrainedModel modelFromJsonText(const std::string& text, const std::string& sourceName);

// Atomic write (temporary file + rename); throws InputError naming the path.
void saveModel(const std::string& path, const TrainedModel& m);
// Throws InputError naming the path and the problem.
TrainedModel loadModel(const std::string& path);

} // namespace ss
