// Scene files: the strict, bounded reader (the format is in SceneFile.h).
// Every section is read into locals and checked before anything is returned,
// so a refused file leaves the caller's scene as it was. Where strings are
// "<file>: <section>" so messages read "s.scorescope: data.labels[7]: ...".
#include "core/SceneFile.h"

#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/JsonFile.h"

#include <charconv>
#include <initializer_list>
#include <limits>

namespace ss {

namespace {

constexpr const char* kFormat = "scorescope-scene";

// A typo in a hand-edited file must not be ignored silently.
void onlyKeys(const nlohmann::json& obj, const std::string& where, std::initializer_list<const char*> keys)
{
    if (!obj.is_object()) throw InputError(where + ": expected an object");
    for (const auto& [key, value] : obj.items()) {
        bool known = false;
        for (const char* k : keys) known = known || key == k;
        if (!known) throw InputError(where + "." + key + ": unknown field");
    }
}

// An optional section: null when absent or null.
const nlohmann::json* optionalSection(const nlohmann::json& obj, const char* key)
{
    const auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string at(const std::string& where, const char* key, std::size_t i)
{
    return where + "." + key + "[" + std::to_string(i) + "]";
}

using json::located;

GaussianMixture readMixture(const nlohmann::json& j, const std::string& where, const SceneLimits& limits)
{
    onlyKeys(j, where, {"components"});
    const auto& list = json::field(j, "components", where);
    if (!list.is_array() || list.empty() || list.size() > limits.maxComponents)
        throw InputError(where + ".components: expected an array of 1 to " +
                         std::to_string(limits.maxComponents) + " components");
    std::vector<double> weights;
    Eigen::Matrix2Xd means(2, Eigen::Index(list.size()));
    std::vector<Eigen::Matrix2d> covariances;
    for (std::size_t k = 0; k < list.size(); ++k) {
        const std::string w = at(where, "components", k);
        onlyKeys(list[k], w, {"weight", "mean", "covariance"});
        weights.push_back(json::number(list[k], "weight", w));
        const auto mean = json::numbers(list[k], "mean", w, 2);
        const auto cov = json::numbers(list[k], "covariance", w, 4);
        if (mean.size() != 2) throw InputError(w + ".mean: expected [x, y]");
        if (cov.size() != 4) throw InputError(w + ".covariance: expected [c00, c01, c10, c11]");
        means.col(Eigen::Index(k)) << mean[0], mean[1];
        covariances.emplace_back();
        covariances.back() << cov[0], cov[1], cov[2], cov[3];
    }
    return located(
        where, [&] { return GaussianMixture(std::move(weights), std::move(means), std::move(covariances)); });
}

DataOrigin readOrigin(const nlohmann::json& j, const std::string& where)
{
    onlyKeys(j, where, {"preset", "n", "seed", "params"});
    DataOrigin o;
    o.preset = json::string(j, "preset", where);
    o.count = int(json::integer(j, "n", where, 1, 10'000'000));
    o.seed = json::unsignedInteger(j, "seed", where);
    if (const auto* params = optionalSection(j, "params")) {
        if (!params->is_object() || params->size() > 64)
            throw InputError(where + ".params: expected an object of at most 64 numbers");
        for (const auto& [key, value] : params->items())
            o.params[key] = json::number(*params, key.c_str(), where + ".params");
    }
    return o;
}

std::vector<int> readLabels(const nlohmann::json& j, const std::string& where, std::size_t points,
                            int classes)
{
    const auto& list = json::field(j, "labels", where);
    if (!list.is_array()) throw InputError(where + ".labels: expected an array of integers");
    if (list.empty()) return {};
    if (classes == 0) throw InputError(where + ".labels: labels given but numClasses is 0");
    if (list.size() != points)
        throw InputError(where + ".labels: " + std::to_string(list.size()) + " labels for " +
                         std::to_string(points) + " points");
    std::vector<int> labels(points);
    for (std::size_t i = 0; i < points; ++i) {
        const auto& v = list[i];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() >= classes)
            throw InputError(at(where, "labels", i) + ": expected a class in [0, " + std::to_string(classes) +
                             ")");
        labels[i] = int(v.get<std::int64_t>());
    }
    return labels;
}

Dataset readData(const nlohmann::json& j, const std::string& where, const SceneLimits& limits,
                 std::optional<DataOrigin>& origin)
{
    onlyKeys(j, where, {"name", "x", "y", "labels", "numClasses", "mixture", "origin"});
    Dataset d;
    d.name = json::string(j, "name", where);
    const auto x = json::numbers(j, "x", where, limits.maxPoints);
    const auto y = json::numbers(j, "y", where, limits.maxPoints);
    if (x.size() != y.size())
        throw InputError(where + ".y: " + std::to_string(y.size()) + " values for " +
                         std::to_string(x.size()) + " x values");
    if (x.empty()) throw InputError(where + ".x: no points (a scene needs at least one to train on)");
    d.points.resize(2, Eigen::Index(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) d.points.col(Eigen::Index(i)) << x[i], y[i];
    d.numClasses = int(json::integer(j, "numClasses", where, 0, 1024));
    d.labels = readLabels(j, where, x.size(), d.numClasses);
    if (d.labels.empty() && d.numClasses > 0)
        throw InputError(where + ".numClasses: " + std::to_string(d.numClasses) + " classes but no labels");
    if (const auto* m = optionalSection(j, "mixture")) d.mixture = readMixture(*m, where + ".mixture", limits);
    if (const auto* o = optionalSection(j, "origin")) origin = readOrigin(*o, where + ".origin");
    return d;
}

RngState readRng(const nlohmann::json& j, const std::string& where)
{
    onlyKeys(j, where, {"words", "spare", "hasSpare"});
    const auto& words = json::field(j, "words", where);
    if (!words.is_array() || words.size() != 4)
        throw InputError(where + ".words: expected 4 hexadecimal strings");
    RngState s;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::string text = words[i].is_string() ? words[i].get<std::string>() : "";
        const char* end = text.data() + text.size();
        const auto r = std::from_chars(text.data(), end, s.words[i], 16);
        if (text.size() != 16 || r.ec != std::errc() || r.ptr != end)
            throw InputError(at(where, "words", i) + ": expected 16 hexadecimal digits");
    }
    if (s.words == std::array<std::uint64_t, 4>{})
        throw InputError(where + ".words: all zero, not a valid state");
    s.spare = json::number(j, "spare", where);
    s.hasSpare = json::boolean(j, "hasSpare", where);
    return s;
}

TrainingState readTraining(const nlohmann::json& j, const std::string& where, const ModelConfig& model)
{
    onlyKeys(j, where, {"step", "params", "ema", "adamM", "adamV", "batchRng"});
    const Eigen::Index n = Eigen::Index(model.numParams()); // validated: at most kMaxParams
    TrainingState t;
    t.adam.step = json::integer(j, "step", where, 0, std::numeric_limits<std::int64_t>::max());
    t.params = json::parameters(j, "params", where, n);
    t.adam.ema = json::parameters(j, "ema", where, n);
    t.adam.m = json::parameters(j, "adamM", where, n);
    t.adam.v = json::parameters(j, "adamV", where, n);
    for (Eigen::Index i = 0; i < n; ++i)
        if (t.adam.v[i] < 0)
            throw InputError(at(where, "adamV", std::size_t(i)) + ": a second moment cannot be negative");
    t.batchRng = readRng(json::field(j, "batchRng", where), where + ".batchRng");
    return t;
}

std::vector<LossRecord> readHistory(const nlohmann::json& list, const std::string& where,
                                    const SceneLimits& limits)
{
    if (!list.is_array()) throw InputError(where + ": expected an array of [step, loss, [level losses]]");
    if (list.size() > limits.maxHistory)
        throw InputError(where + ": " + std::to_string(list.size()) + " records, more than the limit of " +
                         std::to_string(limits.maxHistory));
    std::vector<LossRecord> out(list.size());
    std::size_t levelValues = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& r = list[i];
        const std::string w = where + "[" + std::to_string(i) + "]";
        if (!r.is_array() || r.size() != 3 || !r[0].is_number_integer() || r[0].get<std::int64_t>() < 0 ||
            !r[1].is_number() || !r[2].is_array())
            throw InputError(w + ": expected [step, loss, [level losses]]");
        levelValues += r[2].size();
        if (levelValues > limits.maxLevelValues)
            throw InputError(w + ": more than " + std::to_string(limits.maxLevelValues) +
                             " level losses in all");
        out[i].step = r[0].get<std::int64_t>();
        out[i].loss = r[1].get<double>();
        if (!std::isfinite(out[i].loss)) throw InputError(w + ": the loss is not a finite number");
        for (const auto& l : r[2]) {
            if (!l.is_null() && !(l.is_number() && std::isfinite(l.get<double>())))
                throw InputError(w + ": level losses must be numbers (or null where not seen yet)");
            out[i].levels.push_back(l.is_null() ? std::numeric_limits<double>::quiet_NaN() : l.get<double>());
        }
    }
    return out;
}

SamplingSettings readSampling(const nlohmann::json& j, const std::string& where)
{
    onlyKeys(j, where, {"sampler", "source", "stepsPerFrame", "trailLength", "loop", "useEma", "guidance"});
    SamplingSettings s;
    s.sampler = samplerConfigFromJson(json::field(j, "sampler", where), where + ".sampler");
    const std::string source = json::string(j, "source", where);
    if (source != "learned" && source != "exact")
        throw InputError(where + ".source: expected learned or exact");
    s.exactScore = source == "exact";
    s.stepsPerFrame = int(json::integer(j, "stepsPerFrame", where, 1, 1000));
    s.trailLength = int(json::integer(j, "trailLength", where, 1, 1000));
    s.loop = json::boolean(j, "loop", where);
    s.useEma = json::boolean(j, "useEma", where);
    if (j.contains("guidance")) s.guidance = guidanceConfigFromJson(j["guidance"], where + ".guidance");
    return s;
}

// The checks the Trainer's constructor makes on data and settings together,
// so that a loaded scene can always train.
void checkTrainable(const SceneDocument& s, const std::string& where)
{
    located(where + ": objective", [&] {
        Objective::validate(s.objective, s.schedule, s.model);
        return 0;
    });
    const int classes = s.model.numClasses;
    if (classes > 0 && !s.data.labelled())
        throw InputError(where +
                         ": model.numClasses: the model takes class labels but the data set has none");
    if (classes > 0 && s.data.numClasses > classes)
        throw InputError(where + ": model.numClasses: the data set has " + std::to_string(s.data.numClasses) +
                         " classes, the model takes " + std::to_string(classes));
}

} // namespace

void checkAppState(const nlohmann::json& app, const std::string& where, const SceneLimits& limits)
{
    if (!app.is_object()) throw InputError(where + ": expected an object");
    // Iterative, so that the check itself cannot run out of stack.
    std::vector<std::pair<const nlohmann::json*, int>> open{{&app, 1}};
    std::size_t nodes = 0;
    while (!open.empty()) {
        const auto [node, depth] = open.back();
        open.pop_back();
        if (++nodes > limits.maxAppNodes)
            throw InputError(where + ": more than " + std::to_string(limits.maxAppNodes) + " values");
        if (depth > limits.maxAppDepth)
            throw InputError(where + ": nested deeper than " + std::to_string(limits.maxAppDepth) +
                             " levels");
        if (node->is_structured())
            for (const auto& child : *node) open.push_back({&child, depth + 1});
    }
}

SceneDocument sceneFromJsonText(const std::string& text, const std::string& sourceName,
                                const SceneLimits& limits)
{
    if (text.size() > limits.maxBytes)
        throw InputError(sourceName + ": " + std::to_string(text.size() >> 20) + " MB, over the " +
                         std::to_string(limits.maxBytes >> 20) + " MB limit for scene files");
    const nlohmann::json j = parseJsonText(text, sourceName);
    const std::string& w = sourceName;
    checkFormatHeader(j, w, kFormat, "scene", SceneDocument::kFormatVersion);
    onlyKeys(j, w,
             {"format", "version", "data", "model", "objective", "schedule", "optimizer", "trainer",
              "training", "history", "sampling", "app"});
    SceneDocument s;
    s.data = readData(json::field(j, "data", w), w + ": data", limits, s.origin);
    s.model = modelConfigFromJson(json::field(j, "model", w), w + ": model");
    s.objective = objectiveConfigFromJson(json::field(j, "objective", w), w + ": objective");
    s.schedule = scheduleFromJson(json::field(j, "schedule", w), w + ": schedule");
    s.optimizer = optimizerConfigFromJson(json::field(j, "optimizer", w), w + ": optimizer");
    s.trainer = trainerConfigFromJson(json::field(j, "trainer", w), w + ": trainer");
    checkTrainable(s, w);
    if (const auto* t = optionalSection(j, "training")) s.training = readTraining(*t, w + ": training", s.model);
    if (const auto* h = optionalSection(j, "history")) s.history = readHistory(*h, w + ": history", limits);
    s.sampling = readSampling(json::field(j, "sampling", w), w + ": sampling");
    if (const auto* app = optionalSection(j, "app")) {
        checkAppState(*app, w + ": app", limits);
        s.app = *app;
    }
    return s;
}

} // namespace ss
