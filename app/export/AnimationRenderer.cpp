#include "export/AnimationRenderer.h"

#include "core/Error.h"
#include "core/ScoreSource.h"
#include "paint/StillExport.h"

#include <QObject> // tr()

#include <algorithm>
#include <cmath>

namespace ss::app {

AnimationRenderer::AnimationRenderer(const AnimationJob& job) : job_(job)
{
    if (job_.fps <= 0 || job_.fps > 120) throw InputError("frame rate must be in (0, 120]");
    if (job_.stepsPerFrame < 1) throw InputError("steps per frame must be at least 1");
    if (!job_.sampling.data || job_.sampling.data->size() == 0) throw InputError("there are no data points");
    if (job_.size.width() < 16 || job_.size.height() < 16 || job_.size.width() > 7680 || job_.size.height() > 4320)
        throw InputError("the frame size must be between 16 x 16 and 7680 x 4320 pixels");
    if (!(job_.world.width() > 0 && job_.world.height() > 0)) throw InputError("the view is empty");
    job_.world = view::fitWorld(job_.world, job_.size);
    exact_ = job_.sampling.data->exactScore();
    noise_ = noisedDataNoise(job_.sampling.data->points.cols());
    constexpr int kMaxFrames = 100000;
    if (job_.content == AnimationJob::Content::NoiseSweep) {
        contentFrames_ = std::clamp(job_.frames, 2, kMaxFrames);
    } else if (job_.content == AnimationJob::Content::TrainingProgress) {
        const TrainingSetup& t = job_.training;
        if (!t.data) throw InputError("training progress needs the training setup");
        TrainerConfig config = t.trainer;
        config.threads = 1; // the window's training keeps its own core
        trainer_ = std::make_unique<Trainer>(t.data, t.model, t.objective, t.schedule, t.optimizer, config);
        contentFrames_ = std::clamp(job_.frames, 2, kMaxFrames);
    } else {
        std::shared_ptr<const ScoreSource> source;
        if (job_.sampling.source == SourceKind::Learned && job_.net)
            source = learnedScoreSource(*job_.net, job_.sampling.data.get());
        else
            source = std::make_shared<ExactScoreSource>(job_.sampling.data);
        sampler_ = std::make_unique<Sampler>(job_.sampling.sampler, job_.sampling.schedule, source, 1);
        if (job_.sampling.sampler.direction == Direction::DataToNoise) {
            const Eigen::Index n = std::min<Eigen::Index>(job_.sampling.sampler.particles, job_.sampling.data->size());
            sampler_->resetFrom(job_.sampling.data->points.leftCols(n));
        }
        int steps = job_.frames;
        if (job_.content == AnimationJob::Content::SamplerRun) {
            steps = sampler_->totalSteps();
            if (steps < 0) throw InputError("an adaptive ODE run has no known length: record N steps instead");
        }
        contentFrames_ = std::min(kMaxFrames, 1 + (std::max(steps, 1) + job_.stepsPerFrame - 1) / job_.stepsPerFrame);
        trail_.push_back(sampler_->particles());
    }
    frameCount_ = contentFrames_ + std::max(0, job_.holdFrames);
    fontScale_ = view::exportScale(job_.size);
}

view::ScenePicture AnimationRenderer::picture(int i)
{
    const int k = std::min(i, contentFrames_ - 1);
    view::ScenePicture s;
    s.data = job_.sampling.data;
    s.layers = job_.layers;
    s.palette = job_.palette;
    s.world = job_.world;
    s.scale = fontScale_;
    NoiseLevel level;
    QString what;
    if (sampler_) {
        // Frame k shows the particles after k * stepsPerFrame steps.
        while (sampler_->stepsTaken() < k * job_.stepsPerFrame && sampler_->step()) {
            trail_.push_back(sampler_->particles());
            while (int(trail_.size()) > job_.sampling.trailLength) trail_.pop_front();
        }
        auto p = std::make_shared<ParticleSnapshot>();
        p->particles = sampler_->particles();
        p->trail = trail_;
        p->level = level = sampler_->level();
        p->step = sampler_->stepsTaken();
        p->playing = true; // no step-term arrows in animations
        p->divergence = sampler_->divergence(); // the frames after it say so (paintScene's banner)
        s.particles = p;
        what = QObject::tr("%1 · step %2").arg(QString::fromStdString(samplerKindName(job_.sampling.sampler.kind)))
                   .arg(p->step);
        if (p->divergence) what += QObject::tr(" · diverged");
    } else if (trainer_) {
        // Frame k shows the model after k * stepsPerFrame steps (frame 0: the initial weights).
        const std::int64_t target = std::int64_t(k) * job_.stepsPerFrame;
        const std::int64_t done = trainer_->optimizer().state().step;
        if (done < target) trainer_->run(int(target - done));
        job_.net = std::make_shared<const ScoreNet>(job_.training.publishEma ? trainer_->emaNet() : trainer_->net());
        level = job_.level;
        s.layers.learnedField.visible = true; // what the animation is about
        what = QObject::tr("training step %1 · loss %2").arg(target).arg(trainer_->stats().smoothedLoss, 0, 'g', 3);
    } else {
        const double t = 1.0 - double(k) / double(contentFrames_ - 1); // noisiest first
        level = job_.sampling.schedule.sdeMarginal(std::max(t, job_.sampling.schedule.tEpsilon()));
        what = QObject::tr("noise level sweep");
    }
    FieldRequest r;
    // A square region around the view, as the window asks for.
    const double half = 0.5 * std::max(s.world.width(), s.world.height());
    r.xMin = s.world.center().x() - half;
    r.xMax = s.world.center().x() + half;
    r.yMin = s.world.center().y() - half;
    r.yMax = s.world.center().y() + half;
    r.level = level;
    r.arrows = job_.layers.arrows;
    r.heat = job_.layers.heatCells;
    r.error = job_.layers.error.visible && job_.net;
    const bool learned = job_.net && (job_.layers.learnedField.visible || r.error);
    s.field = std::make_shared<FieldSnapshot>(
        computeField(r, *job_.sampling.data, *exact_, learned ? job_.net.get() : nullptr, noise_));
    QStringList caption;
    if (!job_.title.isEmpty()) caption << job_.title;
    if (job_.overlayText)
        caption << QObject::tr("%1 · σ = %2 · t = %3").arg(what).arg(level.marginal.std / level.marginal.mean, 0, 'g', 3)
                       .arg(level.t, 0, 'f', 3);
    s.caption = caption.join('\n');
    return s;
}

QImage AnimationRenderer::frame(int i) { return view::renderImage(picture(i), job_.size); }

} // namespace ss::app
