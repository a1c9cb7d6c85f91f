#include "ModelFile.h"

#include "ConfigJson.h"
#include "Csv.h"
#include "Error.h"
#include "Trainer.h"

#include <filesystem>
#include <fstream>

namespace ss {

namespace {
constexpr const char* kFormat = "scorescope-model";
// The largest valid model (ModelConfig::kMaxParams, weights and EMA at up to
// ~13 characters each) fits; the parse tree costs ~16 bytes per number on top.
constexpr std::uintmax_t kMaxBytes = 128ull << 20;

Eigen::VectorXf floats(const nlohmann::json& j, const char* key, const std::string& where, Eigen::Index expected)
{
    const auto values = json::numbers(j, key, where, size_t(expected));
    if (Eigen::Index(values.size()) != expected)
        throw InputError(where + "." + key + ": " + std::to_string(values.size()) + " values, the architecture needs " +
                         std::to_string(expected));
    Eigen::VectorXf out(expected);
    for (Eigen::Index i = 0; i < expected; ++i) {
        out[i] = float(values[size_t(i)]);
        if (!std::isfinite(out[i])) throw InputError(where + "." + key + "[" + std::to_string(i) + "]: overflows float");
    }
    return out;
}
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
    auto list = [](const Eigen::VectorXf& v) { return std::vector<float>(v.data(), v.data() + v.size()); };
    const nlohmann::json j{{"format", kFormat},
                           {"version", TrainedModel::kFormatVersion},
                           {"model", toJson(m.model)},
                           {"objective", toJson(m.objective)},
                           {"schedule", toJson(m.schedule)},
                           {"optimizer", toJson(m.optimizer)},
                           {"step", m.step},
                           {"data", m.dataName},
                           {"params", list(m.params)},
                           {"ema", list(m.ema.size() ? m.ema : m.params)}};
    return j.dump(1) + "\n";
}

TrainedModel modelFromJsonText(const std::string& text, const std::string& sourceName)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(sourceName + ": not valid JSON (at byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception& e) {
        // e.g. a number beyond double's range (out_of_range 406)
        throw InputError(sourceName + ": not valid JSON (" + e.what() + ")");
    }
    const std::string& w = sourceName;
    if (!j.is_object() || !j.contains("format") || !j["format"].is_string() || j["format"] != kFormat)
        throw InputError(w + ": not a ScoreScope model file (no \"format\": \"" + kFormat + "\")");
    const auto version = json::integer(j, "version", w, 1, std::numeric_limits<int>::max());
    if (version > TrainedModel::kFormatVersion)
        throw InputError(w + ": model format version " + std::to_string(version) +
                         " is newer than this program reads (" + std::to_string(TrainedModel::kFormatVersion) +
                         "); update ScoreScope");
    TrainedModel m;
    m.model = modelConfigFromJson(json::field(j, "model", w), w + ": model");
    m.objective = objectiveConfigFromJson(json::field(j, "objective", w), w + ": objective");
    m.schedule = scheduleFromJson(json::field(j, "schedule", w), w + ": schedule");
    m.optimizer = optimizerConfigFromJson(json::field(j, "optimizer", w), w + ": optimizer");
    try {
        Objective::validate(m.objective, m.schedule, m.model);
    } catch (const InputError& e) {
        throw InputError(w + ": " + e.what());
    }
    m.step = json::integer(j, "step", w, 0, std::numeric_limits<std::int64_t>::max());
    m.dataName = json::string(j, "data", w);
    const Eigen::Index n = Eigen::Index(m.model.numParams()); // validated: at most kMaxParams
    m.params = floats(j, "params", w, n);
    m.ema = floats(j, "ema", w, n);
    return m;
}

void saveModel(const std::string& path, const TrainedModel& m) { writeFileAtomically(path, modelToJsonText(m)); }

TrainedModel loadModel(const std::string& path)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw InputError(path + ": cannot read (" + ec.message() + ")");
    auto tooLarge = [&](std::uintmax_t bytes) {
        return InputError(path + ": " + std::to_string(bytes >> 20) + " MB, over the " +
                          std::to_string(kMaxBytes >> 20) + " MB limit for model files");
    };
    if (size > kMaxBytes) throw tooLarge(size);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open for reading");
    // Read at most one byte past the limit: the file may have grown since.
    std::string text(std::size_t(std::min<std::uintmax_t>(size, kMaxBytes) + 1), '\0');
    in.read(text.data(), std::streamsize(text.size()));
    if (in.bad()) throw InputError(path + ": read error");
    text.resize(std::size_t(in.gcount()));
    if (text.size() > kMaxBytes) throw tooLarge(text.size());
    return modelFromJsonText(text, path);
}

} // namespace ss
