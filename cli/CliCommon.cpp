#include "cli/CliCommon.h"

#include "core/Csv.h"
#include "core/Error.h"
#include "core/Guidance.h"
#include "core/ModelFile.h"
#include "core/Presets.h"
#include "core/SamplerDefaults.h"
#include "core/ScheduleDefaults.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace ss::cli {

bool isPreset(const std::string& spec)
{
    for (const PresetInfo& p : presetCatalogue())
        if (p.id == spec) return true;
    return false;
}

std::shared_ptr<const Dataset> loadData(const std::string& spec, int n, std::uint64_t seed)
{
    for (const PresetInfo& p : presetCatalogue())
        if (p.id == spec) return std::make_shared<const Dataset>(makePreset(spec, n, seed));
    if (spec.find('.') == std::string::npos && spec.find('/') == std::string::npos) {
        std::string ids;
        for (const PresetInfo& p : presetCatalogue()) ids += (ids.empty() ? "" : ", ") + p.id;
        throw InputError("'" + spec + "' is neither a preset (" + ids + ") nor a CSV file name");
    }
    return std::make_shared<const Dataset>(loadCsv(spec));
}

Eigen::Matrix2Xd loadPoints(const std::string& path) { return loadCsv(path).points; }

void writePoints(const std::string& path, const Eigen::Matrix2Xd& points)
{
    Dataset d;
    d.name = path;
    d.points = points;
    saveCsv(path, d);
}

std::vector<Option> scheduleOptions()
{
    return {{"schedule", "KIND", "geometric | ve | linear | cosine | vp | sub-vp (default depends on the command)"},
            {"sigma-min", "S", "VE: smallest sigma (default 0.01)"},
            {"sigma-max", "S", "VE: largest sigma (default: the data's diameter, at least 2 sigma-min)"},
            {"levels", "L", "geometric: number of sigma levels (default 10)"},
            {"T", "N", "linear/cosine: number of DDPM steps (default 1000)"},
            {"beta-min", "B", "vp/sub-vp: beta(0) (default 0.1)"},
            {"beta-max", "B", "vp/sub-vp: beta(1) (default 20)"}};
}

NoiseSchedule scheduleFromArgs(const Args& args, const std::string& fallbackKind, double diameter)
{
    const std::string kind = args.text("schedule", fallbackKind);
    const double sigmaMin = args.number("sigma-min", 0.01, 1e-6, 1e6);
    // The data's rule (core/ScheduleDefaults): the diameter, at least 2 sigma_min.
    const double sigmaMax = args.number("sigma-max", derivedSigmaMax(diameter, sigmaMin), 1e-6, 1e6);
    const int T = int(args.integer("T", 1000, 2, 100000));
    const double betaMin = args.number("beta-min", 0.1, 1e-6, 1e3);
    const double betaMax = args.number("beta-max", 20.0, 1e-6, 1e3);
    if (kind == "geometric") return NoiseSchedule::geometric(sigmaMin, sigmaMax, int(args.integer("levels", 10, 1, 100000)));
    if (kind == "ve") return NoiseSchedule::veContinuous(sigmaMin, sigmaMax);
    if (kind == "linear") return NoiseSchedule::ddpmLinear(T);
    if (kind == "cosine") return NoiseSchedule::ddpmCosine(T);
    if (kind == "vp") return NoiseSchedule::vp(betaMin, betaMax);
    if (kind == "sub-vp") return NoiseSchedule::subVp(betaMin, betaMax);
    throw UsageError("--schedule must be geometric, ve, linear, cosine, vp or sub-vp, got '" + kind + "'");
}

std::vector<Option> sourceOptions()
{
    std::vector<Option> o = {
        {"model", "MODEL.json", "a trained model (scorescope-cli train --out); samples with its schedule"},
        {"exact", "PRESET|FILE.csv", "the exact score of a data set instead of a model"},
        {"exact-n", "N", "points drawn for an --exact preset (default 4000)"},
        {"exact-seed", "S", "seed of an --exact preset (default 1)"},
        {"raw-weights", "", "use the model's raw weights instead of its EMA"},
        {"guidance", "KIND", "classifier (exact noisy classifier of a mixture) | free (classifier-free, labelled model)"},
        {"label", "K", "the class to guide towards (guidance) or condition on (a labelled model)"},
        {"w", "W",
         "guidance weight (default 1). The conventions differ: classifier guidance\n" + std::string(30, ' ') +
             "s(x) + W grad log p(y|x) is the exact conditional at W = 1; classifier-free\n" +
             std::string(30, ' ') + "(1+W) s(x|y) - W s(x) is it at W = 0, and W = 1 is double strength:\n" +
             std::string(30, ' ') + "classifier-free W equals classifier-guidance weight 1 + W"},
        {"classifier-data", "PRESET|FILE.csv",
         "the labelled data whose exact classifier guides (a mixture preset: one class per component;\n" +
             std::string(30, ' ') + "a CSV with a label column); default: --exact's data, or the model's preset"}};
    for (Option& s : scheduleOptions()) o.push_back(s);
    return o;
}

namespace {

// --classifier-data's classifier, else the preset's (a model's training data);
// null when the preset is not a built-in mixture.
std::shared_ptr<const ExactClassifier> classifierOf(const Args& args, const std::string& preset)
{
    if (args.has("classifier-data"))
        return std::make_shared<ExactClassifier>(*loadData(args.text("classifier-data"), 4000, 1));
    for (const PresetInfo& p : presetCatalogue())
        if (p.id == preset && p.analytic) return std::make_shared<ExactClassifier>(makePreset(p.id, 100, 1));
    return nullptr;
}

} // namespace

SourceChoice sourceFromArgs(const Args& args, const std::string& fallbackSchedule)
{
    if (args.has("model") == args.has("exact")) throw UsageError("give exactly one of --model and --exact");
    SourceChoice c;
    const bool guided = args.has("guidance");
    const int label = int(args.integer("label", -1, -1, 1023));
    const double w = args.number("w", 1.0, -1e3, 1e3);
    if (guided && label < 0) throw UsageError("--guidance needs --label");
    const bool scheduleGiven = args.has("schedule");
    if (args.has("model")) {
        const TrainedModel model = loadModel(args.text("model"));
        c.objective = objectiveName(model.objective.kind);
        c.modelData = model.dataName;
        c.singleSigma = singleSigmaOf(model.objective);
        // A model trained on a built-in analytic preset (its default
        // parameters: train --data takes no others) knows its modes' width.
        // Any built-in preset gives its extent (EDM's default sigma_max).
        DataExtent extent;
        for (const PresetInfo& p : presetCatalogue())
            if (p.id == model.dataName) {
                if (p.analytic) {
                    const Dataset d = makePreset(p.id, 1, 1);
                    c.dataVariance = dataCurvatureVariance(&d);
                }
                extent = dataExtentOf(makePreset(p.id, 4000, 1));
            }
        c.schedule = scheduleGiven ? scheduleFromArgs(args, fallbackSchedule) : model.schedule;
        const ScoreNet net = model.net(!args.has("raw-weights"));
        if (guided && args.text("guidance") == "free") {
            // Classifier-free --w is Ho & Salimans' w: the tilt is 1 + w.
            c.label = label;
            c.gamma = guidanceGamma(w);
            c.classifier = classifierOf(args, model.dataName);
            c.source = guidedSource(nullptr, &net, c.classifier, {GuidanceKind::ClassifierFree, label, c.gamma});
            return c;
        }
        auto network = std::make_shared<NetworkScoreSource>(net, guided ? -1 : label,
                                                            args.has("raw-weights") ? "network" : "network (ema)");
        network->setDataExtent(extent);
        c.source = network;
    } else {
        c.data = loadData(args.text("exact"), int(args.integer("exact-n", 4000, 1, 10'000'000)),
                          std::uint64_t(args.integer("exact-seed", 1, 0, 1ll << 62)));
        c.schedule = scheduleFromArgs(args, fallbackSchedule, dataDiameter(*c.data));
        c.source = std::make_shared<ExactScoreSource>(c.data);
        c.dataVariance = dataCurvatureVariance(c.data.get());
        if (guided && args.text("guidance") == "free")
            throw UsageError("classifier-free guidance needs a labelled --model");
    }
    if (!guided) return c;
    if (args.text("guidance") != "classifier")
        throw UsageError("--guidance must be classifier or free, got '" + args.text("guidance") + "'");
    c.classifier = c.data && !args.has("classifier-data") ? std::make_shared<ExactClassifier>(*c.data)
                                                          : classifierOf(args, c.modelData);
    if (!c.classifier)
        throw InputError("classifier guidance with --model needs --classifier-data: the labelled data whose classifier "
                         "guides (the model was trained on '" + c.modelData + "', not a mixture preset)");
    c.label = label;
    c.gamma = w; // classifier guidance's --w is the tilt itself
    c.source = guidedSource(c.source, nullptr, c.classifier, {GuidanceKind::Classifier, label, c.gamma});
    return c;
}

std::vector<Option> measuredDataOptions()
{
    return {{"data", "PRESET|FILE.csv", "the data set to measure against (default: --exact's, or the model's preset)"},
            {"data-n", "N", "points drawn for a --data preset (default 4000)"},
            {"data-seed", "S", "seed of a --data preset (default 1)"}};
}

std::shared_ptr<const Dataset> measuredData(const Args& args, const SourceChoice& source)
{
    const int n = int(args.integer("data-n", 4000, 1, 10'000'000));
    const auto seed = std::uint64_t(args.integer("data-seed", 1, 0, 1ll << 62));
    if (args.has("data")) return loadData(args.text("data"), n, seed);
    if (source.data) return source.data;
    for (const PresetInfo& p : presetCatalogue())
        if (p.id == source.modelData) return loadData(p.id, n, seed);
    throw UsageError("the model was trained on '" + source.modelData + "', not a preset: give --data PRESET|FILE.csv");
}

void refuseSameFiles(const Args& args, std::initializer_list<const char*> inputs,
                     std::initializer_list<const char*> outputs)
{
    namespace fs = std::filesystem;
    // Two outputs may both be new files: then their resolved paths decide.
    const auto same = [&](const char* a, const char* b, bool bothOutputs) {
        if (!args.has(a) || !args.has(b)) return false;
        std::error_code ec, ec2;
        if (fs::equivalent(args.text(a), args.text(b), ec) && !ec) return true;
        if (!bothOutputs) return false;
        const fs::path pa = fs::weakly_canonical(fs::absolute(args.text(a)), ec);
        const fs::path pb = fs::weakly_canonical(fs::absolute(args.text(b)), ec2);
        return !ec && !ec2 && pa == pb;
    };
    for (auto out = outputs.begin(); out != outputs.end(); ++out) {
        for (const char* in : inputs)
            if (same(in, *out, false))
                throw InputError("--" + std::string(*out) + " " + args.text(*out) + " is the same file as --" + in +
                                 " " + args.text(in) + ": refusing to overwrite an input");
        for (auto other = outputs.begin(); other != out; ++other)
            if (same(*other, *out, true))
                throw InputError("--" + std::string(*out) + " and --" + *other + " name the same file (" +
                                 args.text(*out) + ")");
    }
}

void report(const Args& args, const nlohmann::json& summary, const std::string& text)
{
    if (args.has("json")) std::cout << summary.dump() << std::endl;
    else std::cout << text << std::flush;
}

} // namespace ss::cli
