#pragma once
// The live numbers a lesson step shows (LecturePresets.h names them), each
// from what the window already has: the sampler's latest particles and
// counters, the training snapshot's loss, the data's true mixture, the model
// measurements' latest snapshot (the ELBO). Cheap
// enough for the GUI thread at a few updates a second (the near-data share
// caps the particles it checks).
#include "window/LecturePresets.h"
#include "state/FlowSetup.h"
#include "engine/ModelMeasureWorker.h"
#include "state/SamplingSetup.h"
#include "state/TrainingSetup.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace ss::window {

struct MeasureInput {
    app::ParticlesPtr particles;         // the sampler's latest (may be null)
    app::SnapshotPtr training;           // the trainer's latest (may be null)
    std::shared_ptr<const Dataset> data; // what the scene trains and samples on
    app::FlowPtr flow;                   // the Flow dock's latest (may be null)
    app::ModelMeasurePtr model;          // the model measurements' latest (may be null)
};

// One line, e.g. "mode weights 0.80 / 0.20 (true 0.80 / 0.20)"; a sentence
// saying why when the number cannot be had (no mixture, no particles yet).
QString measureText(LessonMeasure measure, const MeasureInput& in);
// What measureText(measure, in) is made from, as a key: equal keys give the
// same text. The sampler republishes a finished run's particles on every tick
// while it holds them, so a particle snapshot counts by its run, step and
// evaluations, not by its address; the other snapshots by address (they are
// immutable). The lesson panel measures only when the key changes (issue 16:
// a sliced W2 costs 20-40 ms, and each republished end of run was measured).
using MeasureKey = std::vector<std::intptr_t>;
MeasureKey measureKey(LessonMeasure measure, const MeasureInput& in);
// Share of the particles inside the data's k-nearest-neighbour balls (k = 3;
// at most kNearDataParticles particles: every n-th, evenly over the set).
double nearDataShare(const Eigen::Matrix2Xd& particles, const Dataset& data);
inline constexpr int kNearDataParticles = 1000;
// Sliced W2 of the particles to the data points, and its floor: the same of
// as many exact draws of the data's mixture (seed 1; nullopt without a
// mixture). kLessonProjections directions, seed 0 (Metrics.h).
struct SlicedW2Line {
    double sw2 = 0;
    std::optional<double> floor;
};
SlicedW2Line slicedW2ToData(const Eigen::Matrix2Xd& particles, const Dataset& data);
inline constexpr int kLessonProjections = 64;

} // namespace ss::window
