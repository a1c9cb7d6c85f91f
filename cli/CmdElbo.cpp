// scorescope-cli elbo: the variational bound of a DDPM-family model (or of the
// exact score with DDPM levels) in nats per point, term by term (core/Elbo.h),
// beside the PF-ODE NLL of the same points and, for a mixture, their analytic NLL.
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/Csv.h"
#include "core/Elbo.h"
#include "core/Error.h"
#include "core/FisherDivergence.h"
#include "core/Likelihood.h"
#include "core/ThreadPool.h"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace ss::cli {

namespace {

std::string line(const char* label, const ElboTerm& term)
{
    char out[160];
    std::snprintf(out, sizeof out, "  %-44s %10.4f  +- %.4f\n", label, term.mean, term.standardError);
    return out;
}

nlohmann::json termJson(const ElboTerm& t) { return {{"mean", t.mean}, {"standard_error", t.standardError}}; }

// "t,L_t,its standard error,cumulative" rows, t = 1..T (row 1: L_0); the prior is not on the curve.
void writeCurve(const std::string& path, const ElboResult& r)
{
    std::string text = "t,term,standard_error,cumulative\n";
    char row[128];
    for (int t = 1; t <= r.steps; ++t) {
        const auto i = std::size_t(t);
        std::snprintf(row, sizeof row, "%d,%.17g,%.17g,%.17g\n", t, r.perStep[i], r.perStepError[i], r.cumulative[i]);
        text += row;
    }
    writeFileAtomically(path, text);
}

} // namespace

int runElbo(const Arguments& arguments)
{
    std::vector<Option> options = {
        {"points", "N", "points drawn from the data to bound (default 1000)"},
        {"draws", "K", "x_t draws per point and step (default 1)"},
        {"variance", "KIND", "beta | beta-tilde: sigma_t^2 of the reverse kernel (default beta, as the sampler)"},
        {"seed", "S", "seed of the points and the draws (default 0)"},
        {"no-ode", "", "skip the PF-ODE NLL of the same points"},
        {"curve", "OUT.csv", "write t, L_t, its standard error and the cumulative sum over t (t = 1: L_0)"},
        {"threads", "N", "threads (default: all cores)"},
        {"json", "", "print a JSON summary (with the curve)"}};
    for (Option& o : measuredDataOptions()) options.push_back(o);
    for (Option& o : sourceOptions()) options.push_back(o);
    Args args("elbo", "(--model MODEL.json | --exact PRESET|FILE.csv) [options]", options);
    if (!args.parse(arguments)) {
        std::cout << args.usage()
                  << "\nThe negative ELBO of a DDPM, nats per point: L_T = KL(q(x_T|x0) || N(0,I)) in closed form,\n"
                     "L_t = KL(q(x_{t-1}|x_t,x0) || p(x_{t-1}|x_t)) for t = 2..T and the decoder\n"
                     "L_0 = -log N(x0; mu(x_1), beta_1 I), both averaged over x_t ~ q(x_t|x0) (K draws), with\n"
                     "standard errors over the points. The model's mean is the ancestral sampler's (the posterior\n"
                     "mean at Tweedie's x0 estimate). It bounds -log p_model(x0) from above; the PF-ODE NLL scores\n"
                     "the density at level 1 instead, and the analytic NLL (mixtures) the clean data's.\n";
        return 0;
    }
    refuseSameFiles(args, {"model", "exact", "data"}, {"curve"});
    const SourceChoice source = sourceFromArgs(args, "linear");
    if (!hasDdpmElbo(source.schedule))
        throw InputError("the ELBO needs a DDPM schedule (linear or cosine), not '" + source.schedule.name() + "'" +
                         (source.data ? "; give --schedule linear|cosine" : ": train with --objective ddpm"));
    const auto data = measuredData(args, source);
    const int n = int(args.integer("points", 1000, 1, 1'000'000));
    ElboConfig config;
    config.draws = int(args.integer("draws", 1, 1, 100000));
    config.variance = ddpmVarianceFromName(args.text("variance", "beta"));
    config.seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    Rng rng(config.seed); // the points; the draws use streams split from it (core/Elbo.cpp)
    const Eigen::Matrix2Xd points = sampleMarginal(*data, Marginal{1.0, 0.0}, n, rng);
    ThreadPool pool(int(args.integer("threads", 0, 0, 256)));

    const auto start = std::chrono::steady_clock::now();
    const ElboResult r = *ddpmElbo(*source.source, source.schedule, points, config, pool);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (args.has("curve")) writeCurve(args.text("curve"), r);

    nlohmann::json summary = {{"prior", termJson(r.prior)},
                              {"diffusion", termJson(r.diffusion)},
                              {"decoder", termJson(r.decoder)},
                              {"total", termJson(r.total)},
                              {"bits_per_dim", r.bitsPerDim()},
                              {"points", r.points},
                              {"draws", r.draws},
                              {"T", r.steps},
                              {"variance", ddpmVarianceName(config.variance)},
                              {"schedule", source.schedule.name()},
                              {"source", source.source->describe()},
                              {"data", data->name},
                              {"score_evaluations", r.scoreEvaluations},
                              {"seconds", seconds},
                              {"cumulative", std::vector<double>(r.cumulative.begin() + 1, r.cumulative.end())}};
    char head[256];
    std::snprintf(head, sizeof head, "ELBO of %s on %s (%s, T = %d, sigma_t^2 = %s), %d points x %d draw%s, nats per point:\n",
                  source.source->describe().c_str(), data->name.c_str(), source.schedule.name().c_str(), r.steps,
                  ddpmVarianceName(config.variance).c_str(), r.points, r.draws, r.draws == 1 ? "" : "s");
    std::string text = head;
    text += line("L_T    prior, KL(q(x_T|x0) || N(0, I))", r.prior);
    text += line("L_t    sum over t = 2..T", r.diffusion);
    text += line("L_0    decoder, -log N(x0; mu(x_1), beta_1 I)", r.decoder);
    text += line("-ELBO  total (bounds the model's NLL)", r.total);
    char row[200];
    if (!args.has("no-ode")) {
        // A stiff flow (an empirical set's exact score) may exceed its budget:
        // the bound is still worth printing, so say why the NLL is missing.
        try {
            const LikelihoodResult ode = logLikelihood(*source.source, source.schedule, points, LikelihoodConfig{}, pool);
            summary["nll_ode"] = ode.meanNll;
            std::snprintf(row, sizeof row, "  %-44s %10.4f\n", "NLL    PF-ODE (density at level 1)", ode.meanNll);
            text += row;
        } catch (const InputError& e) {
            summary["nll_ode"] = nullptr;
            summary["nll_ode_error"] = e.what();
            text += "  NLL    PF-ODE: not computed (" + std::string(e.what()) + ")\n";
        }
    }
    if (data->mixture) {
        Eigen::VectorXd logp(points.cols());
        data->mixture->logDensity(points, Marginal{1.0, 0.0}, logp);
        const ElboTerm nll = meanWithError(-logp);
        summary["nll_analytic"] = termJson(nll);
        text += line("NLL    analytic (the data's clean density)", nll);
        // Paired at the same points, the gap's error is the draws' alone.
        const Eigen::VectorXd gap = r.perPoint + logp;
        const ElboTerm g = meanWithError(gap);
        summary["gap_analytic"] = termJson(g);
        text += line("gap    -ELBO - analytic NLL (paired)", g);
    }
    report(args, summary, text);
    return 0;
}

} // namespace ss::cli
