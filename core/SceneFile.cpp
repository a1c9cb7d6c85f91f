// Scene files: writing, the file I/O and the bridge to a live Trainer. The
// reader is in SceneRead.cpp.
#include "core/SceneFile.h"

#include "core/ConfigJson.h"
#include "core/Csv.h"
#include "core/Error.h"
#include "core/JsonFile.h"

#include <cstdio>

namespace ss {

namespace {

constexpr const char* kFormat = "scorescope-scene";

// The writer refuses what the reader would: a file that cannot be opened
// again is worse than a save that says why it failed.
InputError unsaveable(const std::string& what) { return InputError("cannot save the scene: " + what); }

nlohmann::json floatList(const Eigen::VectorXf& v, const char* name)
{
    if (!v.allFinite()) throw unsaveable(std::string(name) + " are not all finite");
    return json::floatArray(v);
}

nlohmann::json mixtureJson(const GaussianMixture& m)
{
    nlohmann::json components = nlohmann::json::array();
    for (int k = 0; k < m.size(); ++k) {
        const Eigen::Matrix2d& c = m.covariances()[std::size_t(k)];
        components.push_back({{"weight", m.weights()[std::size_t(k)]},
                              {"mean", {m.means()(0, k), m.means()(1, k)}},
                              {"covariance", {c(0, 0), c(0, 1), c(1, 0), c(1, 1)}}});
    }
    return {{"components", components}};
}

nlohmann::json dataJson(const Dataset& d, const std::optional<DataOrigin>& origin)
{
    if (!d.points.allFinite()) throw unsaveable("the data set has non-finite points");
    const Eigen::Index n = d.points.cols();
    std::vector<double> x(std::size_t(n), 0.0), y(std::size_t(n), 0.0);
    for (Eigen::Index i = 0; i < n; ++i) {
        x[std::size_t(i)] = d.points(0, i);
        y[std::size_t(i)] = d.points(1, i);
    }
    nlohmann::json j{{"name", d.name},
                     {"x", x},
                     {"y", y},
                     {"labels", d.labels},
                     {"numClasses", d.numClasses},
                     {"mixture", nullptr},
                     {"origin", nullptr}};
    if (d.mixture) j["mixture"] = mixtureJson(*d.mixture);
    if (origin)
        j["origin"] = {{"preset", origin->preset},
                       {"n", origin->count},
                       {"seed", origin->seed},
                       {"params", origin->params}};
    return j;
}

nlohmann::json rngJson(const RngState& s)
{
    nlohmann::json words = nlohmann::json::array();
    for (std::uint64_t w : s.words) {
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(w));
        words.push_back(hex);
    }
    return {{"words", words}, {"spare", s.spare}, {"hasSpare", s.hasSpare}};
}

nlohmann::json trainingJson(const std::optional<TrainingState>& t)
{
    if (!t) return nullptr;
    return {{"step", t->adam.step},
            {"params", floatList(t->params, "the weights")},
            {"ema", floatList(t->adam.ema, "the EMA weights")},
            {"adamM", floatList(t->adam.m, "the Adam moments")},
            {"adamV", floatList(t->adam.v, "the Adam moments")},
            {"batchRng", rngJson(t->batchRng)}};
}

nlohmann::json historyJson(const std::vector<LossRecord>& history)
{
    nlohmann::json out = nlohmann::json::array();
    for (const LossRecord& r : history) {
        if (!std::isfinite(r.loss))
            throw unsaveable("the loss at step " + std::to_string(r.step) + " is not finite");
        nlohmann::json levels = nlohmann::json::array();
        for (double l : r.levels)
            levels.push_back(std::isfinite(l) ? nlohmann::json(l) : nlohmann::json(nullptr));
        out.push_back({r.step, r.loss, std::move(levels)});
    }
    return out;
}

nlohmann::json samplingJson(const SamplingSettings& s)
{
    nlohmann::json j = {{"sampler", toJson(s.sampler)},
                        {"source", s.exactScore ? "exact" : "learned"},
                        {"stepsPerFrame", s.stepsPerFrame},
                        {"trailLength", s.trailLength},
                        {"loop", s.loop},
                        {"useEma", s.useEma}};
    if (s.guidance.kind != GuidanceKind::None) j["guidance"] = toJson(s.guidance);
    return j;
}

} // namespace

std::string sceneToJsonText(const SceneDocument& scene)
{
    try {
        checkAppState(scene.app, "app");
    } catch (const InputError& e) {
        throw unsaveable(e.what());
    }
    // One section a line, in reading order: the big arrays stay on their
    // lines and the settings can still be found by eye.
    const std::pair<const char*, nlohmann::json> sections[] = {{"format", kFormat},
                                                               {"version", SceneDocument::kFormatVersion},
                                                               {"data", dataJson(scene.data, scene.origin)},
                                                               {"model", toJson(scene.model)},
                                                               {"objective", toJson(scene.objective)},
                                                               {"schedule", toJson(scene.schedule)},
                                                               {"optimizer", toJson(scene.optimizer)},
                                                               {"trainer", toJson(scene.trainer)},
                                                               {"training", trainingJson(scene.training)},
                                                               {"history", historyJson(scene.history)},
                                                               {"sampling", samplingJson(scene.sampling)},
                                                               {"app", scene.app}};
    std::string text = "{\n";
    for (const auto& [key, value] : sections) {
        if (text.size() > 2) text += ",\n";
        text += " \"" + std::string(key) + "\": " + value.dump();
    }
    return text + "\n}\n";
}

void saveScene(const std::string& path, const SceneDocument& scene)
{
    std::string text;
    try {
        text = sceneToJsonText(scene);
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
    writeFileAtomically(path, text);
}

SceneDocument loadScene(const std::string& path, const SceneLimits& limits)
{
    return sceneFromJsonText(readFileBounded(path, limits.maxBytes, "scene files"), path, limits);
}

void captureTraining(const Trainer& trainer, SceneDocument& scene)
{
    scene.model = trainer.net().config();
    scene.objective = trainer.objective().config();
    scene.schedule = trainer.objective().schedule();
    scene.optimizer = trainer.optimizer().config(); // with any rate halved after a divergence
    scene.trainer = trainer.config();
    scene.training =
        TrainingState{trainer.net().mlp().params(), trainer.optimizer().state(), trainer.batchRngState()};
}

void restoreTraining(Trainer& trainer, const TrainingState& state)
{
    const auto& w = state.batchRng.words;
    if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0)
        throw InputError("saved training state: the batch stream state is all zero");
    trainer.restore(state.params, state.adam);
    trainer.setBatchRngState(state.batchRng);
}

std::unique_ptr<Trainer> makeTrainer(const SceneDocument& scene)
{
    auto trainer = std::make_unique<Trainer>(std::make_shared<const Dataset>(scene.data), scene.model,
                                             scene.objective, scene.schedule, scene.optimizer, scene.trainer);
    if (scene.training) restoreTraining(*trainer, *scene.training);
    return trainer;
}

} // namespace ss
