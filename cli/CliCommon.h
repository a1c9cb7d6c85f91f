#pragma once
// What several scorescope-cli subcommands share: reading a data set (preset
// id or CSV file), a noise schedule from options, a score source (--model or
// --exact), writing points, and printing the summary (text or --json).
// Everything throws UsageError (bad options) or ss::InputError (bad input).
#include "cli/CliArgs.h"

#include "core/Dataset.h"
#include "core/NoiseSchedule.h"
#include "core/ScoreSource.h"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace ss::cli {

// True for a built-in preset id ("8gaussians"), false for anything else (a file name).
bool isPreset(const std::string& spec);
// A preset id ("8gaussians") or a CSV file path.
std::shared_ptr<const Dataset> loadData(const std::string& spec, int n, std::uint64_t seed);
Eigen::Matrix2Xd loadPoints(const std::string& path);
void writePoints(const std::string& path, const Eigen::Matrix2Xd& points);

// --schedule and its parameters (appended to a command's options).
std::vector<Option> scheduleOptions();
// The schedule the options describe; fallbackKind when --schedule is absent
// ("geometric", "linear", "vp", ...). sigma-max defaults to derivedSigmaMax
// of the data's diameter (core/ScheduleDefaults: Song & Ermon's rule; 10 when
// the diameter is 0, unknown).
NoiseSchedule scheduleFromArgs(const Args& args, const std::string& fallbackKind, double dataDiameter = 0);

// --model / --exact and guidance: the source and the schedule to sample with.
std::vector<Option> sourceOptions();
struct SourceChoice {
    std::shared_ptr<const ScoreSource> source;
    NoiseSchedule schedule;
    std::shared_ptr<const Dataset> data; // --exact's data set (null for --model)
    std::string objective;               // the model's training objective ("" for --exact)
    double singleSigma = 0;              // a single-sigma model's sigma (0: multi-level or --exact)
    double dataVariance = 0;             // the data's narrowest mode variance (dataCurvatureVariance), 0: unknown
    std::string modelData;               // --model: the data set it was trained on (a preset id or a file name)
    // Guided runs: the exact classifier of the labelled data (classifier guidance;
    // for classifier-free guidance the model's own preset or --classifier-data,
    // null when neither has classes), the class and the tilt gamma of the target
    // p(x) p(y|x)^gamma the guidance follows (classifier w, classifier-free 1 + w).
    std::shared_ptr<const ExactClassifier> classifier;
    int label = -1;
    double gamma = 0;
};
// fallbackSchedule: the kind used with --exact when --schedule is absent.
SourceChoice sourceFromArgs(const Args& args, const std::string& fallbackSchedule);

// The data set a measurement compares with (elbo, fisher): --data PRESET|FILE.csv
// (a preset drawn with --data-n points and --data-seed); by default --exact's,
// else the model's training preset (a usage error when it was a file).
std::vector<Option> measuredDataOptions();
std::shared_ptr<const Dataset> measuredData(const Args& args, const SourceChoice& source);

// Refuses (InputError) a command whose output would overwrite one of its
// inputs: each option in `outputs` that is given is compared with each given
// option in `inputs` (and with the other outputs) as files: the same file
// through links or another spelling (same device and inode) is refused before
// anything is read or written. Options naming a preset or a missing file pass.
void refuseSameFiles(const Args& args, std::initializer_list<const char*> inputs,
                     std::initializer_list<const char*> outputs);

// Prints summary as one JSON object (--json) or text lines on stdout.
void report(const Args& args, const nlohmann::json& summary, const std::string& text);

} // namespace ss::cli
