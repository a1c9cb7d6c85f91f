// Writes the fuzzers' seed corpus with the project's own writers, so the seeds
// follow the formats as they are now: make_seeds OUTDIR makes OUTDIR/{csv,
// model,scene,config}/ (scripts/fuzz.sh adds the lecture presets from
// resources/lectures). Small on purpose: tiny networks, a few dozen points.
#include "core/ConfigJson.h"
#include "core/Csv.h"
#include "core/ModelFile.h"
#include "core/Presets.h"
#include "core/SceneFile.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;
using namespace ss;

namespace {

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

SceneDocument smallScene(bool trained, ObjectiveKind kind)
{
    SceneDocument s;
    s.data = makePreset("8gaussians", 24, 3);
    s.origin = DataOrigin{"8gaussians", 24, 3, {}};
    s.model.hidden = {8};
    s.objective.kind = kind;
    if (kind == ObjectiveKind::Ddpm) {
        s.model.parametrisation = Parametrisation::Epsilon;
        s.model.conditioning = NoiseConditioning::Time;
        s.schedule = NoiseSchedule::ddpmLinear(50);
        s.sampling.sampler.kind = SamplerKind::Ddpm;
    } else {
        s.schedule = NoiseSchedule::geometric(0.05, 4, 4);
    }
    s.trainer.batchSize = 16;
    s.trainer.threads = 1;
    if (trained) {
        auto trainer = makeTrainer(s);
        for (int i = 0; i < 3; ++i) {
            const StepStats st = trainer->step();
            s.history.push_back({st.step, st.loss, trainer->stats().levelLoss});
        }
        captureTraining(*trainer, s);
    }
    s.sampling.sampler.particles = 16;
    s.app = {{"view", {{"xMin", -3}, {"xMax", 3}, {"yMin", -2}, {"yMax", 2}}}, {"scrubber", 0.5}};
    return s;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: make_seeds OUTDIR\n";
        return 2;
    }
    const fs::path out = argv[1];
    for (const char* d : {"csv", "model", "scene", "config"}) fs::create_directories(out / d);

    // Point files: the writer's own, labelled and not, plus the reader's extras.
    saveCsv((out / "csv/moons.csv").string(), makePreset("moons", 12, 1));
    saveCsv((out / "csv/8gaussians-labelled.csv").string(), makePreset("8gaussians", 12, 1));
    writeText(out / "csv/extras.csv", "\xEF\xBB\xBF# comment\nx,y\n\n 1.5 , -2e-3\r\n+3,4\n");

    // Model files: an NCSN and a DDPM network of 8 units.
    for (const ObjectiveKind kind : {ObjectiveKind::Ncsn, ObjectiveKind::Ddpm}) {
        const SceneDocument s = smallScene(true, kind);
        auto trainer = makeTrainer(s);
        saveModel((out / "model" / (objectiveName(kind) + ".json")).string(), trainedModelOf(*trainer));
    }

    // Scene files: untrained and trained, both schedules.
    saveScene((out / "scene/untrained.scorescope").string(), smallScene(false, ObjectiveKind::Ncsn));
    saveScene((out / "scene/ncsn.scorescope").string(), smallScene(true, ObjectiveKind::Ncsn));
    saveScene((out / "scene/ddpm.scorescope").string(), smallScene(true, ObjectiveKind::Ddpm));

    // Settings: each reader's own output, defaults and a few other kinds.
    const SceneDocument s = smallScene(false, ObjectiveKind::Ddpm);
    int i = 0;
    auto config = [&](const nlohmann::json& j) { writeText(out / "config" / (std::to_string(i++) + ".json"), j.dump()); };
    config(toJson(ModelConfig{}));
    config(toJson(s.model));
    config(toJson(ObjectiveConfig{}));
    config(toJson(s.objective));
    config(toJson(OptimizerConfig{}));
    config(toJson(TrainerConfig{}));
    config(toJson(s.schedule));
    config(toJson(NoiseSchedule::vp(0.1, 20)));
    config(toJson(NoiseSchedule::veContinuous(0.01, 10)));
    config(toJson(SamplerConfig{}));
    config(toJson(s.sampling.sampler));
    std::printf("seeds written to %s\n", out.string().c_str());
    return 0;
}
