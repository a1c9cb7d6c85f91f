#pragma once
// What the training worker is started with (TrainingSetup) and what it hands
// out (TrainingSnapshot): plain values, shared by the worker, the window, the
// animation export and the tests. No Qt object, widget or GL here.
#include "core/SceneFile.h"
#include "core/Trainer.h"

#include <cstdint>
#include <memory>
#include <optional>

namespace ss::app {

struct TrainingSetup {
    std::shared_ptr<const Dataset> data;
    ModelConfig model;
    ObjectiveConfig objective;
    NoiseSchedule schedule;
    OptimizerConfig optimizer;
    TrainerConfig trainer;
    bool publishEma = true; // snapshots carry the EMA weights (false: the raw ones)
    // A reopened scene's training state (weights, Adam, EMA, step, batch stream):
    // the trainer starts there instead of from model.seed. It must fit the model.
    std::optional<TrainingState> resume;
};

// What the GUI sees of training: a value, never changed after publication.
struct TrainingSnapshot {
    std::int64_t step = 0;
    TrainStats stats;
    ScoreNet net;          // what samplers and fields use: the EMA or the raw weights
    bool ema = true;       // which of the two net holds
    NoiseSchedule schedule;
    ModelConfig model;
    ObjectiveConfig objective;
    bool running = false;
    std::int64_t serial = 0; // increases with every publication
};
using SnapshotPtr = std::shared_ptr<const TrainingSnapshot>;

} // namespace ss::app
