// scorescope-cli fisher: the density-weighted Fisher divergence of a model's
// score against the exact score of its data, one row per noise level
// (core/FisherProfile.h).
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/FisherProfile.h"
#include "core/ThreadPool.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace ss::cli {

int runFisher(const Arguments& arguments)
{
    std::vector<Option> options = {
        {"levels", "L", "noise levels, evenly in log sigma from the least noisy to the noisiest (default 10)"},
        {"samples", "N", "samples of each level's marginal (default 2000)"},
        {"seed", "S", "seed of the samples (default 0)"},
        {"threads", "N", "threads (default: all cores)"},
        {"json", "", "print a JSON summary"}};
    for (Option& o : measuredDataOptions()) options.push_back(o);
    // The model's own schedule: no schedule options (and --levels is this command's).
    const std::vector<Option> scheduleOnes = scheduleOptions();
    for (Option& o : sourceOptions())
        if (std::none_of(scheduleOnes.begin(), scheduleOnes.end(), [&](const Option& s) { return s.name == o.name; }))
            options.push_back(o);
    Args args("fisher", "--model MODEL.json [options]", options);
    if (!args.parse(arguments)) {
        std::cout << args.usage()
                  << "\nD_F = 1/2 E_{x ~ p_level} |s_model(x) - grad log p_level(x)|^2 on samples of the noised data\n"
                     "(regions the data never visit do not count), with its standard error, and the relative form\n"
                     "D_F / (1/2 E |grad log p_level|^2): 1 for the zero score, 0 for the truth. sigma = std / mean\n"
                     "of the level's marginal (VE: the level's sigma; VP: the VE sigma of the same signal-to-noise).\n";
        return 0;
    }
    if (!args.has("model")) throw UsageError("fisher compares a model with the exact score: give --model MODEL.json");
    const SourceChoice source = sourceFromArgs(args, "vp");
    const auto data = measuredData(args, source);
    const ExactScoreSource exact(data);
    const int count = int(args.integer("levels", 10, 1, 10000));
    const int samples = int(args.integer("samples", 2000, 1, 10'000'000));
    const auto seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    ThreadPool pool(int(args.integer("threads", 0, 0, 256)));
    const std::vector<FisherLevel> rows =
        *fisherProfile(*source.source, exact, *data, fisherLevels(source.schedule, count), samples, seed, pool);

    nlohmann::json list = nlohmann::json::array();
    char head[256];
    std::snprintf(head, sizeof head, "Fisher divergence of %s against the exact score of %s (%s), %d samples per level:\n",
                  source.source->describe().c_str(), data->name.c_str(), source.schedule.name().c_str(), samples);
    std::string text = head;
    text += "  level         t        sigma          D_F   std. error   relative\n";
    for (const FisherLevel& r : rows) {
        list.push_back({{"level", r.index},
                        {"t", r.level.t},
                        {"sigma", r.sigma},
                        {"mean", r.level.marginal.mean},
                        {"std", r.level.marginal.std},
                        {"divergence", r.value.divergence},
                        {"standard_error", r.standardError},
                        {"relative", r.value.relative}});
        char row[200];
        const std::string level = r.index > 0 ? std::to_string(r.index) : "-";
        std::snprintf(row, sizeof row, "  %5s  %8.4f  %11.5g  %11.5g  %11.3g  %9.4f\n", level.c_str(), r.level.t, r.sigma,
                      r.value.divergence, r.standardError, r.value.relative);
        text += row;
    }
    report(args,
           {{"levels", list},
            {"samples", samples},
            {"source", source.source->describe()},
            {"data", data->name},
            {"schedule", source.schedule.name()}},
           text);
    return 0;
}

} // namespace ss::cli
