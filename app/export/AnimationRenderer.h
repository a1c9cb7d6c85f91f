#pragma once
// The frames of an exported animation, computed from the job alone (its seed,
// settings and network snapshot), so the same scene and seed give the same
// frames, whatever the window is doing meanwhile. What it records:
//  - the sampler from its start to its end (stepsPerFrame steps a frame),
//  - the sampler for N steps,
//  - a sweep of the noise level from the noisiest to the cleanest (N frames;
//    the density, fields and noised data at each level, no particles);
//  - training progress: the model trained from its seed, stepsPerFrame steps a
//    frame for N frames, its learned field (and error map) at `level`.
// Each frame is drawn by ScenePainter with the job's layers and view, plus an
// optional overlay text (title, sampler, level, step).
#include "state/FieldCompute.h"
#include "state/SamplingSetup.h"
#include "paint/ScenePainter.h"
#include "state/TrainingSetup.h"

#include "core/Sampler.h"
#include "core/Trainer.h"

#include <QImage>
#include <QRectF>
#include <QSize>
#include <QString>

#include <deque>
#include <memory>

namespace ss::app {

struct AnimationJob {
    enum class Content { SamplerRun, SamplerSteps, NoiseSweep, TrainingProgress };
    Content content = Content::SamplerRun;
    SamplingSetup sampling;              // sampler, schedule, data, score source, trail length
    TrainingSetup training;              // TrainingProgress: what is trained (from model.seed)
    NoiseLevel level{{1.0, 0.35}, 0.45}; // TrainingProgress: the level its fields show
    std::shared_ptr<const ScoreNet> net; // the learned score (null: the exact one is used)
    view::LayerSettings layers;
    view::PaletteKind palette = view::PaletteKind::Standard; // the view's colours
    QRectF world;                        // the view (y up)
    QString title;                       // first caption line when not empty
    bool overlayText = true;             // sampler, sigma / t, step
    QSize size{1280, 720};
    double fps = 25;
    int frames = 100;                    // SamplerSteps: steps; NoiseSweep, TrainingProgress: frames
    int stepsPerFrame = 1;               // sampler (or training) steps between frames
    int holdFrames = 0;                  // the last frame repeated at the end
};

class AnimationRenderer {
public:
    // Throws InputError when the job cannot run (the sampler refuses it, no frames).
    explicit AnimationRenderer(const AnimationJob& job);
    int frameCount() const { return frameCount_; }
    // Frame i in order (0, 1, ...): advances the sampler as needed.
    QImage frame(int i);
    // What frame i draws (for stills): the same order rule.
    view::ScenePicture picture(int i);

private:
    AnimationJob job_;
    std::unique_ptr<Sampler> sampler_;
    std::unique_ptr<Trainer> trainer_;
    std::shared_ptr<const ExactScore> exact_;
    Eigen::Matrix2Xd noise_;
    std::deque<Eigen::Matrix2Xd> trail_;
    int frameCount_ = 0, contentFrames_ = 0;
    double fontScale_ = 1;
};

} // namespace ss::app
