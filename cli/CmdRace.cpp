// scorescope-cli race: sampler configurations from the same noise, swept over
// step counts, each run judged against the data beside the noise floor
// (core/Race.h); one CSV row per (configuration, step count).
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/Csv.h"
#include "core/Error.h"
#include "core/RaceFile.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace ss::cli {

namespace {

// --steps 5,10,20: increasing, each in [1, kRaceMaxSteps].
std::vector<int> stepList(const Args& args)
{
    std::vector<int> out;
    std::istringstream in(args.text("steps"));
    std::string item;
    while (std::getline(in, item, ',')) {
        char* end = nullptr;
        const long long s = std::strtoll(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || s < 1 || s > kRaceMaxSteps || (!out.empty() && s <= out.back()))
            throw UsageError("--steps needs increasing step counts in [1, " + std::to_string(kRaceMaxSteps) +
                             "], comma-separated, got '" + args.text("steps") + "'");
        out.push_back(int(s));
    }
    if (out.empty() || int(out.size()) > kRaceMaxStepCounts)
        throw UsageError("--steps needs 1 to " + std::to_string(kRaceMaxStepCounts) + " step counts");
    return out;
}

std::string g(double v, const char* format = "%.4g")
{
    if (!std::isfinite(v)) return "-";
    char b[32];
    std::snprintf(b, sizeof b, format, v);
    return b;
}

nlohmann::json orNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

} // namespace

int runRace(const Arguments& arguments)
{
    std::vector<Option> options = {
        {"config", "RACE.json", "the race: configurations, step counts, particles (required; docs/guide/cli.md)"},
        {"out", "RESULTS.csv", "one row per configuration and step count (required)"},
        {"particles", "N", "particles of every run (default: the file's, else 1000)"},
        {"steps", "S1,S2,...", "step counts to sweep (default: the file's, else 5,10,20,50,100,200,500,1000)"},
        {"seed", "S", "the shared noise: initial particles and noise draws (default: the file's, else 0)"},
        {"floor-seed", "S", "seed of the independent preset draw for the noise floors (default: data seed + 1)"},
        {"threads", "N", "threads for score evaluation (default: all cores)"},
        {"json", "", "print a JSON summary"}};
    for (Option& o : measuredDataOptions()) options.push_back(o);
    for (const char* name : {"model", "exact", "exact-n", "exact-seed", "raw-weights"})
        for (Option& o : sourceOptions())
            if (o.name == name) options.push_back(o);
    Args args("race", "(--model MODEL.json | --exact PRESET|FILE.csv) --config RACE.json --out RESULTS.csv [options]",
              options);
    if (!args.parse(arguments)) {
        std::cout << args.usage()
                  << "\nEvery run starts from the same standard-normal draw (scaled by its schedule's prior std) and\n"
                     "draws its noise from the same seeded stream, so configurations differ only in what they do\n"
                     "with the noise. Steps: langevin/em/pc/ode steps; ddim subsequence steps; ddpm respaced to S of\n"
                     "its T levels; annealed levels x round(S / levels); ode rk45 is adaptive (one row). nfe counts\n"
                     "the score evaluations per particle. Each metric (sliced W2, MMD^2, energy distance, mode-weight\n"
                     "total variation against the mixture's weights) is written beside its noise floor: the same\n"
                     "metric for an independent draw of the data with as many points. A configuration with\n"
                     "\"score\": \"exact\" beside the same with \"learned\" splits the error: exact minus floor is the\n"
                     "sampler's discretisation error, learned minus exact the model's estimation error.\n";
        return 0;
    }
    const std::string out = args.required("out");
    refuseSameFiles(args, {"model", "exact", "data", "config"}, {"out"});
    RaceSpec spec = loadRaceSpec(args.required("config"));
    if (args.has("particles")) spec.particles = int(args.integer("particles", 1000, 10, 1'000'000));
    if (args.has("steps")) spec.steps = stepList(args);
    if (args.has("seed")) spec.seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));

    const SourceChoice source = sourceFromArgs(args, "vp");
    const std::shared_ptr<const Dataset> data = measuredData(args, source);
    const std::string dataSpec = args.has("data") ? args.text("data") : args.has("exact") ? args.text("exact") : source.modelData;
    const long long dataSeed = args.has("exact") && !args.has("data") ? args.integer("exact-seed", 1, 0, 1ll << 62)
                                                                       : args.integer("data-seed", 1, 0, 1ll << 62);
    RaceScores scores = RaceScores::ofData(data, isPreset(dataSpec) ? dataSpec : std::string());
    scores.floorSeed = std::uint64_t(args.integer("floor-seed", dataSeed + 1, 0, 1ll << 62));
    if (!scores.presetId.empty() && (long long)scores.floorSeed == dataSeed)
        throw UsageError("--floor-seed must differ from the data's seed (the floor needs an independent draw)");
    if (args.has("model")) {
        scores.learned = source.source;
        scores.modelSchedule = source.schedule;
        scores.modelSigma = source.singleSigma;
    }
    RaceOptions run;
    run.threads = int(args.integer("threads", 0, 0, 256));
    const RaceResult result = runRace(spec, scores, run);
    writeFileAtomically(out, raceResultCsvText(spec, result));

    std::string text = "race" + (spec.name.empty() ? std::string() : " '" + spec.name + "'") + " on " + data->name +
                       ", " + std::to_string(spec.particles) + " particles, seed " + std::to_string(spec.seed) + ":\n";
    text += "configuration           score    steps    nfe   seconds   sliced W2      energy   mode TV  status\n";
    nlohmann::json rows = nlohmann::json::array();
    for (const RaceRow& r : result.rows) {
        char line[256];
        std::snprintf(line, sizeof line, "%-22.22s  %-7s %6s %6lld %9.3f  %10s  %10s %9s  %s\n", r.name.c_str(),
                      r.score.c_str(), r.steps ? std::to_string(r.steps).c_str() : "adapt", r.evaluations, r.seconds,
                      g(r.sw2).c_str(), g(r.energy, "%.2e").c_str(), g(r.modeTv, "%.3f").c_str(),
                      raceStatusName(r.status).c_str());
        text += line;
        rows.push_back({{"configuration", r.name},
                        {"sampler", r.sampler},
                        {"score", r.score},
                        {"schedule", r.schedule},
                        {"steps", r.steps},
                        {"steps_taken", r.stepsTaken},
                        {"nfe", r.evaluations},
                        {"seconds", r.seconds},
                        {"status", raceStatusName(r.status)},
                        {"sw2", orNull(r.sw2)},
                        {"mmd2", orNull(r.mmd2)},
                        {"energy", orNull(r.energy)},
                        {"mode_tv", orNull(r.modeTv)},
                        {"note", r.note}});
    }
    const RaceFloor& f = result.floor;
    text += "noise floor (" + f.kind + "): sliced W2 " + g(f.sw2) + ", MMD^2 " + g(f.mmd2) + ", energy " +
            g(f.energy) + ", mode TV " + g(f.modeTv, "%.3f") + "\n";
    for (const RaceRow& r : result.rows)
        if (r.status == RaceStatus::Diverged) text += r.name + " at " + std::to_string(r.steps) + " steps: " + r.note + "\n";
    for (const std::string& s : result.skipped) text += s + "\n";
    char tail[160];
    std::snprintf(tail, sizeof tail, "%zu rows in %.2f s\nwrote %s\n", result.rows.size(), result.seconds, out.c_str());
    text += tail;
    report(args,
           {{"name", spec.name},
            {"data", data->name},
            {"particles", spec.particles},
            {"seed", spec.seed},
            {"steps", spec.steps},
            {"rows", rows},
            {"floor",
             {{"kind", f.kind}, {"sw2", orNull(f.sw2)}, {"mmd2", orNull(f.mmd2)}, {"energy", orNull(f.energy)},
              {"mode_tv", orNull(f.modeTv)}}},
            {"skipped", result.skipped},
            {"seconds", result.seconds},
            {"out", out}},
           text);
    return 0;
}

} // namespace ss::cli
