#include "core/RaceFile.h"

#include "core/ConfigJson.h"
#include "core/Csv.h"
#include "core/Error.h"
#include "core/JsonFile.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace ss {

namespace {

constexpr const char* kFormat = "scorescope-race";
constexpr int kVersion = 1;
constexpr std::uintmax_t kMaxBytes = 1u << 20;

// The sampler as the file holds it: only what differs from SamplerConfig's
// defaults (and the kind), so a file says what its author chose; a step size
// or Langevin level that was given is kept even at its default value, one to
// be derived is left out (RaceEntry::stepSizeGiven).
nlohmann::json samplerToJson(const RaceEntry& e)
{
    const nlohmann::json all = toJson(e.sampler), defaults = toJson(SamplerConfig{});
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : all.items())
        if (key == "kind" || value != defaults[key]) out[key] = value;
    if (e.stepSizeGiven) out["stepSize"] = e.sampler.stepSize;
    else out.erase("stepSize");
    if (e.langevinStdGiven) out["langevinStd"] = e.sampler.langevinStd;
    else out.erase("langevinStd");
    return out;
}

RaceEntry entryFromJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object()) throw InputError(where + ": expected an object");
    for (const auto& [key, value] : j.items())
        if (key != "name" && key != "score" && key != "sampler" && key != "schedule")
            throw InputError(where + "." + key + ": unknown field (name, score, sampler, schedule)");
    RaceEntry e;
    e.name = json::string(j, "name", where);
    const std::string at = where + " '" + e.name + "'";
    e.score = json::located(at + ".score", [&] { return raceScoreFromName(json::string(j, "score", at)); });
    const nlohmann::json& sampler = json::field(j, "sampler", at);
    e.sampler = samplerConfigFromJson(sampler, at + ".sampler");
    e.stepSizeGiven = sampler.contains("stepSize");
    e.langevinStdGiven = sampler.contains("langevinStd");
    if (j.contains("schedule")) e.schedule = scheduleFromJson(j["schedule"], at + ".schedule");
    return e;
}

std::vector<int> stepsFromJson(const nlohmann::json& j, const std::string& where)
{
    const nlohmann::json& v = json::field(j, "steps", where);
    if (!v.is_array() || v.size() > std::size_t(kRaceMaxStepCounts))
        throw InputError(where + ".steps: expected an array of at most " + std::to_string(kRaceMaxStepCounts) +
                         " step counts");
    std::vector<int> out;
    for (const auto& s : v) {
        if (!s.is_number_integer()) throw InputError(where + ".steps: expected whole numbers");
        const auto n = s.get<std::int64_t>();
        if (n < 1 || n > kRaceMaxSteps)
            throw InputError(where + ".steps: " + std::to_string(n) + " is outside [1, " + std::to_string(kRaceMaxSteps) + "]");
        out.push_back(int(n));
    }
    return out;
}

std::vector<RaceMetric> metricsFromJson(const nlohmann::json& j, const std::string& where)
{
    const nlohmann::json& v = json::field(j, "metrics", where);
    if (!v.is_array()) throw InputError(where + ".metrics: expected an array of names (sw2, mmd, energy, modes)");
    std::vector<RaceMetric> out;
    for (const auto& m : v) {
        if (!m.is_string()) throw InputError(where + ".metrics: expected names (sw2, mmd, energy, modes)");
        out.push_back(json::located(where + ".metrics", [&] { return raceMetricFromName(m.get<std::string>()); }));
    }
    return out;
}

// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string field(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' || c == '\r' ? ' ' : c);
    return out + "\"";
}

std::string number(double v)
{
    if (!std::isfinite(v)) return "";
    char b[32];
    std::snprintf(b, sizeof b, "%.9g", v);
    return b;
}

} // namespace

nlohmann::json toJson(const RaceSpec& spec)
{
    nlohmann::json entries = nlohmann::json::array();
    for (const RaceEntry& e : spec.entries) {
        nlohmann::json j{{"name", e.name}, {"score", raceScoreName(e.score)}, {"sampler", samplerToJson(e)}};
        if (e.schedule) j["schedule"] = toJson(*e.schedule);
        entries.push_back(j);
    }
    nlohmann::json metrics = nlohmann::json::array();
    for (RaceMetric m : spec.metrics) metrics.push_back(raceMetricName(m));
    return {{"format", kFormat},       {"version", kVersion},   {"name", spec.name},
            {"particles", spec.particles}, {"seed", spec.seed}, {"steps", spec.steps},
            {"metrics", metrics},      {"projections", spec.projections}, {"configurations", entries}};
}

RaceSpec raceSpecFromJson(const nlohmann::json& j, const std::string& w)
{
    checkFormatHeader(j, w, kFormat, "race", kVersion);
    static const char* known[] = {"format", "version", "name", "particles", "seed", "steps", "metrics",
                                  "projections", "configurations"};
    for (const auto& [key, value] : j.items())
        if (std::find(std::begin(known), std::end(known), key) == std::end(known))
            throw InputError(w + "." + key + ": unknown field");
    RaceSpec spec;
    if (j.contains("name")) spec.name = json::string(j, "name", w);
    if (j.contains("particles")) spec.particles = int(json::integer(j, "particles", w, 10, 1'000'000));
    if (j.contains("seed")) spec.seed = json::unsignedInteger(j, "seed", w);
    if (j.contains("steps")) spec.steps = stepsFromJson(j, w);
    if (j.contains("metrics")) spec.metrics = metricsFromJson(j, w);
    if (j.contains("projections")) spec.projections = int(json::integer(j, "projections", w, 1, 100'000));
    const nlohmann::json& entries = json::field(j, "configurations", w);
    if (!entries.is_array()) throw InputError(w + ".configurations: expected an array");
    if (entries.size() > std::size_t(kRaceMaxEntries))
        throw InputError(w + ".configurations: " + std::to_string(entries.size()) + " configurations, more than " +
                         std::to_string(kRaceMaxEntries));
    for (std::size_t i = 0; i < entries.size(); ++i)
        spec.entries.push_back(entryFromJson(entries[i], w + ": configurations[" + std::to_string(i) + "]"));
    json::located(w, [&] {
        spec.validate();
        return 0;
    });
    return spec;
}

std::string raceSpecToJsonText(const RaceSpec& spec) { return toJson(spec).dump(1) + "\n"; }

RaceSpec raceSpecFromJsonText(const std::string& text, const std::string& sourceName)
{
    return raceSpecFromJson(parseJsonText(text, sourceName), sourceName);
}

void saveRaceSpec(const std::string& path, const RaceSpec& spec) { writeFileAtomically(path, raceSpecToJsonText(spec)); }

RaceSpec loadRaceSpec(const std::string& path)
{
    return raceSpecFromJsonText(readFileBounded(path, kMaxBytes, "race files"), path);
}

std::string raceResultCsvText(const RaceSpec& spec, const RaceResult& result)
{
    const auto wants = [&](RaceMetric m) { return std::find(spec.metrics.begin(), spec.metrics.end(), m) != spec.metrics.end(); };
    std::string out = "configuration,sampler,score,schedule,steps,steps_taken,nfe,seconds,status";
    if (wants(RaceMetric::Sw2)) out += ",sw2,sw2_floor";
    if (wants(RaceMetric::Mmd)) out += ",mmd2,mmd2_floor";
    if (wants(RaceMetric::Energy)) out += ",energy,energy_floor";
    if (wants(RaceMetric::Modes)) out += ",mode_tv,mode_tv_floor";
    out += ",note\n";
    const RaceFloor& f = result.floor;
    const auto cell = [&](const std::string& text) { (out += ',') += text; };
    const auto pair = [&](double value, double floor) {
        cell(number(value));
        cell(number(floor));
    };
    for (const RaceRow& r : result.rows) {
        out += field(r.name);
        for (const std::string& text : {r.sampler, r.score, field(r.schedule), std::to_string(r.steps),
                                        std::to_string(r.stepsTaken), std::to_string(r.evaluations), number(r.seconds),
                                        raceStatusName(r.status)})
            cell(text);
        if (wants(RaceMetric::Sw2)) pair(r.sw2, f.sw2);
        if (wants(RaceMetric::Mmd)) pair(r.mmd2, f.mmd2);
        if (wants(RaceMetric::Energy)) pair(r.energy, f.energy);
        if (wants(RaceMetric::Modes)) pair(r.modeTv, f.modeTv);
        cell(field(r.note));
        out += '\n';
    }
    return out;
}

} // namespace ss
