// scorescope-cli nll: mean negative log-likelihood of points, by the
// probability-flow ODE of a model or an exact score.
#include "CliCommon.h"
#include "Commands.h"

#include "Likelihood.h"
#include "ThreadPool.h"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace ss::cli {

int runNll(const Arguments& arguments)
{
    std::vector<Option> options = {{"data", "POINTS.csv", "the points to score (required)"},
                                   {"hutchinson", "", "estimate the divergence (Rademacher) instead of the exact trace"},
                                   {"ode-method", "KIND", "euler | heun | rk4 | rk45 (default rk45)"},
                                   {"steps", "N", "fixed-step methods: steps over [t_eps, 1] (default 200)"},
                                   {"rtol", "X", "rk45 relative tolerance (default 1e-5)"},
                                   {"atol", "X", "rk45 absolute tolerance (default 1e-5)"},
                                   {"seed", "S", "Hutchinson's seed (default 0)"},
                                   {"max-evaluations", "N", "velocity evaluations allowed per 256 points (default 20000)"},
                                   {"threads", "N", "threads (default: all cores)"},
                                   {"json", "", "print a JSON summary"}};
    for (Option& o : sourceOptions()) options.push_back(o);
    Args args("nll", "(--model MODEL.json | --exact PRESET|FILE.csv) --data POINTS.csv [options]", options);
    if (!args.parse(arguments)) {
        std::cout << args.usage();
        return 0;
    }
    const Eigen::Matrix2Xd points = loadPoints(args.required("data"));
    const SourceChoice source = sourceFromArgs(args, "vp");
    LikelihoodConfig c;
    c.method = odeMethodFromName(args.text("ode-method", "rk45"));
    c.steps = int(args.integer("steps", 200, 1, 1'000'000));
    c.rtol = args.number("rtol", 1e-5, 0, 1);
    c.atol = args.number("atol", 1e-5, 0, 1);
    c.hutchinson = args.has("hutchinson");
    c.seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    c.maxEvaluations = args.integer("max-evaluations", c.maxEvaluations, 1, 100'000'000);
    ThreadPool pool(int(args.integer("threads", 0, 0, 256)));
    const auto start = std::chrono::steady_clock::now();
    const LikelihoodResult r = logLikelihood(*source.source, source.schedule, points, c, pool);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char text[256];
    std::snprintf(text, sizeof text, "%.6f\n", r.meanNll);
    report(args,
           {{"nll", r.meanNll},
            {"bits_per_dim", r.bitsPerDim},
            {"n", points.cols()},
            {"source", source.source->describe()},
            {"schedule", source.schedule.name()},
            {"trace", c.hutchinson ? "hutchinson" : "exact"},
            {"evaluations_per_point", r.evaluationsPerPoint},
            {"seconds", seconds}},
           text);
    return 0;
}

} // namespace ss::cli
