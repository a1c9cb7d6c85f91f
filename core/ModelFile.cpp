#include "core/ModelFile.h"

#include "core/ConfigJson.h"
#include "core/Csv.h"
#include "core/Error.h"
#include "core/JsonFile.h"
#include "core/Trainer.h"

#include <limits>

namespace ss {

namespace {
constexpr const char* kFormat = "scorescope-model";
// The largest valid model (ModelConfig::kMaxParams, weights and EMA at up to
// ~13 characters each) fits; the parse tree costs ~16 bytes per number on top.
constexpr std::uintmax_t kMaxBytes = 128ull << 20;
} // namespace

ScoreNet TrainedModel::net(bool useEma) const
{
    ScoreNet n(model);
    n.mlp().params() = useEma && ema.size() == params.size() ? ema : params;
    return n;
}

TrainedModel trainedModelOf(const Trainer& trainer)
{
    TrainedModel m;
    m.model = trainer.net().config();
    m.objective = trainer.objective().config();
    m.schedule = trainer.objective().schedule();
    m.optimizer = trainer.optimizer().config();
    m.step = trainer.optimizer().state().step;
    m.dataName = trainer.data().name;
    m.params = trainer.net().mlp().params();
    m.ema = trainer.optimizer().state().ema;
    return m;
}

std::string modelToJsonText(const TrainedModel& m)
{
    const nlohmann::json j{{"format", kFormat},
                           {"version", TrainedModel::kFormatVersion},
                           {"model", toJson(m.model)},
                           {"objective", toJson(m.objective)},
                           {"schedule", toJson(m.schedule)},
                           {"optimizer", toJson(m.optimizer)},
                           {"step", m.step},
                           {"data", m.dataName},
                           {"params", json::floatArray(m.params)},
                           {"ema", json::floatArray(m.ema.size() ? m.ema : m.params)}};
    return j.dump(1) + "\n";
}

TrainedModel modelFromJsonText(const std::string& text, const std::string& sourceName)
{
    const nlohmann::json j = parseJsonText(text, sourceName);
    const std::string& w = sourceName;
    checkFormatHeader(j, w, kFormat, "model", TrainedModel::kFormatVersion);
    TrainedModel m;
    m.model = modelConfigFromJson(json::field(j, "model", w), w + ": model");
    m.objective = objectiveConfigFromJson(json::field(j, "objective", w), w + ": objective");
    m.schedule = scheduleFromJson(json::field(j, "schedule", w), w + ": schedule");
    m.optimizer = optimizerConfigFromJson(json::field(j, "optimizer", w), w + ": optimizer");
    json::located(w, [&] {
        Objective::validate(m.objective, m.schedule, m.model);
        return 0;
    });
    m.step = json::integer(j, "step", w, 0, std::numeric_limits<std::int64_t>::max());
    m.dataName = json::string(j, "data", w);
    const Eigen::Index n = Eigen::Index(m.model.numParams()); // validated: at most kMaxParams
    m.params = json::parameters(j, "params", w, n);
    m.ema = json::parameters(j, "ema", w, n);
    return m;
}

void saveModel(const std::string& path, const TrainedModel& m) { writeFileAtomically(path, modelToJsonText(m)); }

TrainedModel loadModel(const std::string& path)
{
    return modelFromJsonText(readFileBounded(path, kMaxBytes, "model files"), path);
}

} // namespace ss
