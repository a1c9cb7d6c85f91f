#pragma once
// What the sampling worker is started with (SamplingSetup) and what it hands
// out (ParticleSnapshot): plain values, shared by the worker, the view, the
// painter, the animation export and the tests. No Qt object, widget or GL here.
#include "core/Guidance.h"
#include "core/Sampler.h"
#include "core/ScoreNet.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace ss::app {

enum class SourceKind { Learned, Exact };

// SDEdit (Sampler::sdedit): while on, runs start from these points noised to
// t0 instead of the prior; each point is repeated over the particles. The
// stroke is kept when SDEdit is turned off, so it can be turned on again.
struct SdeditStart {
    std::shared_ptr<const Eigen::Matrix2Xd> points; // the drawn stroke (null: none yet)
    double t0 = 0.5;
    bool on = false;
    bool active() const { return on && points && points->cols() > 0; }
    bool operator==(const SdeditStart&) const = default;
};

struct SamplingSetup {
    SamplerConfig sampler;
    NoiseSchedule schedule;
    std::shared_ptr<const Dataset> data; // for the exact score
    SourceKind source = SourceKind::Learned;
    GuidanceConfig guidance; // wraps the score (core/Guidance.h); off by default
    SdeditStart sdedit;      // off by default
    int stepsPerTick = 5;  // sampler steps per display tick when playing
    int trailLength = 24;  // positions kept per particle for the trails
    bool loop = true;
    int holdTicks = 90;    // looping: ticks the finished run stays on screen before the next
};

// Where the particles of one trail entry were: the sampler's step count and
// level then (the trajectory export writes them beside the positions).
struct TrailMark {
    int step = 0;
    NoiseLevel level;
};

struct TargetProfile;  // state/TargetProfile.h
struct TiltedMap;      // state/TiltedTarget.h
struct TargetDistance; // state/TiltedTarget.h

struct ParticleSnapshot {
    Eigen::Matrix2Xd particles;
    std::deque<Eigen::Matrix2Xd> trail; // oldest first, the newest equals particles
    std::deque<TrailMark> trailMarks;   // one per trail entry, in the same order
    StepTerms lastStep;                 // of the last step taken
    std::vector<Eigen::Index> followed; // the particles the step-through follows (columns; may be empty)
    StepTrace trace;                    // their last step as the sampler's equation (empty before a step)
    NoiseLevel level;
    int step = 0, totalSteps = 0, run = 0;
    long long evaluations = 0;
    bool playing = false, done = false;
    std::string source;                 // describe() of the score source
    SamplingSetup setup;                // the settings running (not a refused request)
    bool exactScore = false;            // the score in use is the exact one (also: learned, no network yet)
    std::optional<Divergence> divergence; // the run diverged; particles are its last finite ones
    std::shared_ptr<const TargetProfile> target; // the conditioned run's exact target (null: none)
    std::shared_ptr<const TiltedMap> tilted;     // the guided run's exact target (null: not guided)
    std::shared_ptr<const Eigen::Matrix2Xd> posterior;   // SDEdit: exact draws of p(x0 | x_t0) from this run's noised start
    std::shared_ptr<const TargetDistance> targetDistance; // the last finished guided or SDEdit run against its exact target
    // Non-empty: these are a continuous normalizing flow's samples (the Flow
    // dock, engine/CnfWorker), not the sampler's; it names them ("CNF flow, RK4 40 steps").
    std::string flow;
    std::int64_t serial = 0;
    std::int64_t setupRequest = 0; // the last settings change handled (SamplingWorker::setupPending)
};
using ParticlesPtr = std::shared_ptr<const ParticleSnapshot>;

// The learned score as the window's samplers use it (the sampler, the race,
// the animation export): the network, told the extent of the data it was
// trained on (EDM's default sigma_max follows it, core/SamplerDefaults.h).
std::shared_ptr<const ScoreSource> learnedScoreSource(const ScoreNet& net, const Dataset* data);

// The trail as trajectory frames (core/TrajectoryCsv.h writes them): one per
// trail entry, oldest first.
std::deque<TrajectoryFrame> trailFrames(const ParticleSnapshot& s);

} // namespace ss::app
