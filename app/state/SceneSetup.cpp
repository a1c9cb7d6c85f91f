#include "state/SceneSetup.h"

#include "core/Presets.h"
#include "core/SamplerDefaults.h"
#include "core/ScheduleDefaults.h"
#include "core/TrainingDefaults.h"

#include <QObject>

namespace ss::app {

SceneSetup defaultScene()
{
    SceneSetup s;
    auto data = std::make_shared<const Dataset>(makePreset(s.presetId, s.points, s.dataSeed));
    s.title = QObject::tr("8 Gaussians");
    s.training.data = data;
    // s.training.model: the core's default network (6x128), which resolves every
    // preset the Data dock offers, not only these 8 Gaussians.
    s.training.objective.kind = ObjectiveKind::Ncsn;
    // sigma_min below the modes' width (0.1); sigma_max the data's rule
    // (core/ScheduleDefaults: the diameter, ~4.7 here), so a new data set
    // re-derives it (SceneController::followData).
    const double sigmaMin = 0.05;
    s.training.schedule = NoiseSchedule::geometric(sigmaMin, derivedSigmaMax(dataDiameter(*data), sigmaMin), 10);
    s.training.optimizer = defaultOptimizer(); // runs until paused: the default run's decay, then held
    s.training.trainer.batchSize = 256;
    s.training.trainer.threads = 1; // the other core samples and draws
    s.sampling.sampler.kind = SamplerKind::AnnealedLangevin;
    s.sampling.sampler.particles = 2000;
    s.sampling.sampler.stepsPerLevel = 40;
    // The rule's eps for this schedule and steps (core/SamplerDefaults), so the
    // Sampler dock sees it as derived and keeps it so when the schedule changes.
    s.sampling.sampler.stepSize =
        annealedEpsilon(s.training.schedule, 40, s.sampling.sampler.annealedLevels, dataCurvatureVariance(data.get()));
    s.sampling.schedule = s.training.schedule;
    s.sampling.data = data;
    s.sampling.source = SourceKind::Learned;
    s.sampling.stepsPerTick = 2;
    s.sampling.trailLength = 12; // each trail segment costs llvmpipe a primitive
    return s;
}

} // namespace ss::app
