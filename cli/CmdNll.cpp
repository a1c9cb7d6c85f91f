// scorescope-cli nll: mean negative log-likelihood of points, by the
// probability-flow ODE of a model or an exact score. The density scored is
// the schedule's least noisy marginal, not the clean data's (stated in --help,
// reported in --json).
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/Csv.h"
#include "core/Likelihood.h"
#include "core/MeanEstimate.h"
#include "core/ThreadPool.h"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace ss::cli {

namespace {

// "x,y,nll" per point, full precision, written atomically.
void writePerPoint(const std::string& path, const Eigen::Matrix2Xd& points, const Eigen::VectorXd& logDensity)
{
    std::string text = "x,y,nll\n";
    char row[128];
    for (Eigen::Index j = 0; j < points.cols(); ++j) {
        std::snprintf(row, sizeof row, "%.17g,%.17g,%.17g\n", points(0, j), points(1, j), -logDensity(j));
        text += row;
    }
    writeFileAtomically(path, text);
}

} // namespace

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
                                   {"per-point", "OUT.csv", "write each point's x, y and NLL (nats)"},
                                   {"threads", "N", "threads (default: all cores)"},
                                   {"json", "", "print a JSON summary"}};
    for (Option& o : sourceOptions()) options.push_back(o);
    Args args("nll", "(--model MODEL.json | --exact PRESET|FILE.csv) --data POINTS.csv [options]", options);
    if (!args.parse(arguments)) {
        std::cout << args.usage()
                  << "\nWhich density is scored: not the clean data's. The flow starts at the schedule's least\n"
                     "noisy time t_eps (VE: sigma_min; DDPM: level 1, t = 1/T; continuous VP/sub-VP: 1e-5), so\n"
                     "the printed number is -mean log p_eps(x), p_eps the law of m x0 + s eps at t_eps (m = 1,\n"
                     "s = sigma_min for VE; m = sqrt(1 - beta_1), s = sqrt(beta_1) for DDPM), with the prior\n"
                     "N(0, prior std^2 I) standing in for the t = 1 marginal. --json reports t_eps, m and s\n"
                     "(scored_t, scored_mean, scored_std). A point set (--exact FILE or a non-mixture preset)\n"
                     "has no clean density; its smoothed one at s is what is scored.\n";
        return 0;
    }
    refuseSameFiles(args, {"data", "model", "exact"}, {"per-point"});
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
    // The density scored: the marginal at the flow's start (core/Likelihood.h).
    const NoiseLevel scored = source.schedule.sdeMarginal(source.schedule.tEpsilon());
    if (args.has("per-point")) writePerPoint(args.text("per-point"), points, r.logDensity);
    // The mean's 95% confidence interval over the points (normal approximation).
    const Eigen::Index n = points.cols();
    const double se = meanWithError(r.logDensity).standardError;
    const double lo = r.meanNll - 1.96 * se, hi = r.meanNll + 1.96 * se;
    char text[256];
    std::snprintf(text, sizeof text, "%.6f  (95%% CI %.6f to %.6f, %lld points)\n", r.meanNll, lo, hi, (long long)n);
    report(args,
           {{"nll", r.meanNll},
            {"standard_error", se},
            {"ci95", {lo, hi}},
            {"scored_t", scored.t},
            {"scored_mean", scored.marginal.mean},
            {"scored_std", scored.marginal.std},
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
