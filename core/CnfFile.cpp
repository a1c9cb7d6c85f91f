#include "core/CnfFile.h"

#include "core/CnfTrainer.h"
#include "core/ConfigJson.h"
#include "core/Csv.h"
#include "core/Error.h"
#include "core/JsonFile.h"

#include <cmath>
#include <limits>

namespace ss {

namespace {
constexpr const char* kFormat = "scorescope-cnf";
constexpr std::uintmax_t kMaxBytes = 64ull << 20; // far above the largest CnfConfig (8 x 1024 wide)

// Refuses any key of obj that `known` (the writer's own object) lacks.
void onlyKnownFields(const nlohmann::json& obj, const nlohmann::json& known, const std::string& where)
{
    if (!obj.is_object()) throw InputError(where + ": expected an object");
    for (const auto& [key, value] : obj.items())
        if (!known.contains(key)) throw InputError(where + "." + key + ": unknown field");
}

nlohmann::json toJson(const CnfConfig& c)
{
    return {{"hidden", c.hidden}, {"activation", activationName(c.activation)}, {"seed", c.seed}};
}

nlohmann::json toJson(const CnfSolveConfig& c)
{
    return {{"trace", traceEstimatorName(c.trace)}, {"probes", c.probes},
            {"probe", probeKindName(c.probe)},      {"gradient", cnfGradientName(c.gradient)},
            {"method", odeMethodName(c.method)},    {"steps", c.steps},
            {"rtol", c.rtol},                       {"atol", c.atol}};
}

CnfConfig cnfConfigFromJson(const nlohmann::json& j, const std::string& where)
{
    onlyKnownFields(j, toJson(CnfConfig{}), where);
    CnfConfig c;
    c.hidden.clear();
    for (double h : json::numbers(j, "hidden", where, 8)) {
        if (h != std::floor(h) || h < 1 || h > 1024) throw InputError(where + ".hidden: widths must be integers in [1, 1024]");
        c.hidden.push_back(int(h));
    }
    c.activation = json::located(where + ".activation", [&] { return activationFromName(json::string(j, "activation", where)); });
    c.seed = json::unsignedInteger(j, "seed", where);
    json::located(where, [&] { c.validate(); return 0; });
    return c;
}

CnfSolveConfig cnfSolveFromJson(const nlohmann::json& j, const std::string& where)
{
    onlyKnownFields(j, toJson(CnfSolveConfig{}), where);
    CnfSolveConfig c;
    auto name = [&](const char* k, auto parse) { return json::located(where + "." + k, [&] { return parse(json::string(j, k, where)); }); };
    c.trace = name("trace", traceEstimatorFromName);
    c.probes = int(json::integer(j, "probes", where, 1, 64));
    c.probe = name("probe", probeKindFromName);
    c.gradient = name("gradient", cnfGradientFromName);
    c.method = name("method", odeMethodFromName);
    c.steps = int(json::integer(j, "steps", where, 1, 100000));
    c.rtol = json::number(j, "rtol", where);
    c.atol = json::number(j, "atol", where);
    json::located(where, [&] { c.validate(); return 0; });
    return c;
}
} // namespace

CnfNet CnfModel::net(bool useEma) const
{
    CnfNet n(model);
    n.mlp().params() = useEma && ema.size() == params.size() ? ema : params;
    return n;
}

CnfModel cnfModelOf(const CnfTrainer& trainer)
{
    CnfModel m;
    m.model = trainer.net().config();
    m.solve = trainer.solve();
    m.optimizer = trainer.optimizer().config();
    m.step = trainer.optimizer().state().step;
    m.dataName = trainer.data().name;
    m.params = trainer.net().mlp().params();
    m.ema = trainer.optimizer().state().ema;
    return m;
}

std::string cnfModelToJsonText(const CnfModel& m)
{
    const nlohmann::json j{{"format", kFormat},
                           {"version", CnfModel::kFormatVersion},
                           {"model", toJson(m.model)},
                           {"solve", toJson(m.solve)},
                           {"optimizer", toJson(m.optimizer)},
                           {"step", m.step},
                           {"data", m.dataName},
                           {"params", json::floatArray(m.params)},
                           {"ema", json::floatArray(m.ema.size() ? m.ema : m.params)}};
    return j.dump(1) + "\n";
}

CnfModel cnfModelFromJsonText(const std::string& text, const std::string& sourceName)
{
    const nlohmann::json j = parseJsonText(text, sourceName);
    const std::string& w = sourceName;
    checkFormatHeader(j, w, kFormat, "CNF model", CnfModel::kFormatVersion);
    for (const auto& [key, value] : j.items())
        if (key != "format" && key != "version" && key != "model" && key != "solve" && key != "optimizer" &&
            key != "step" && key != "data" && key != "params" && key != "ema")
            throw InputError(w + ": " + key + ": unknown field");
    CnfModel m;
    m.model = cnfConfigFromJson(json::field(j, "model", w), w + ": model");
    m.solve = cnfSolveFromJson(json::field(j, "solve", w), w + ": solve");
    m.optimizer = optimizerConfigFromJson(json::field(j, "optimizer", w), w + ": optimizer");
    m.step = json::integer(j, "step", w, 0, std::numeric_limits<std::int64_t>::max());
    m.dataName = json::string(j, "data", w);
    const Eigen::Index n = Eigen::Index(m.model.numParams());
    m.params = json::parameters(j, "params", w, n);
    m.ema = json::parameters(j, "ema", w, n);
    return m;
}

void saveCnfModel(const std::string& path, const CnfModel& m) { writeFileAtomically(path, cnfModelToJsonText(m)); }

CnfModel loadCnfModel(const std::string& path)
{
    return cnfModelFromJsonText(readFileBounded(path, kMaxBytes, "CNF model files"), path);
}

} // namespace ss
