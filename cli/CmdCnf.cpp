// scorescope-cli cnf-train | cnf-sample | cnf-nll: continuous normalizing
// flows (core/Cnf.h), trained by maximum likelihood through the ODE. A CNF is
// not a score model: the score commands (sample, nll, fisher, race) do not
// take its files; these three do, and `eval` compares its samples like any.
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/CnfFile.h"
#include "core/CnfTrainer.h"
#include "core/Csv.h"
#include "core/Error.h"
#include "core/MeanEstimate.h"
#include "core/Rng.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace ss::cli {

namespace {

const char* kConvention =
    "\nConvention: the flow carries data x at t = 0 to the base N(0, I) at t = 1 (dz/dt = v(z, t));\n"
    "log p(x) = log N(z(1)) + integral_0^1 div v dt. Samples integrate from N(0, I) at t = 1 back to t = 0.\n";

// The integration flags; `what` says whose defaults apply when absent.
std::vector<Option> solveOptions(const std::string& what)
{
    return {{"trace", "KIND", "exact | hutchinson: the divergence by the 2x2 Jacobian or Hutchinson's estimate (" + what + ")"},
            {"probes", "K", "hutchinson: probes per particle, 1..64 (" + what + ")"},
            {"probe", "KIND", "hutchinson: gaussian | rademacher (" + what + ")"},
            {"solver", "KIND", "euler | heun | rk4 | rk45 (" + what + ")"},
            {"ode-steps", "N", "fixed-step solvers: steps over [0, 1] (" + what + ")"},
            {"rtol", "X", "rk45 relative tolerance (" + what + ")"},
            {"atol", "X", "rk45 absolute tolerance (" + what + ")"}};
}

// The flags given, over `base`; validated.
CnfSolveConfig solveFromArgs(const Args& args, CnfSolveConfig c)
{
    if (args.has("trace")) c.trace = traceEstimatorFromName(args.text("trace"));
    c.probes = int(args.integer("probes", c.probes, 1, 64));
    if (args.has("probe")) c.probe = probeKindFromName(args.text("probe"));
    if (args.has("solver")) c.method = odeMethodFromName(args.text("solver"));
    c.steps = int(args.integer("ode-steps", c.steps, 1, 100000));
    c.rtol = args.number("rtol", c.rtol, 1e-12, 0.5);
    c.atol = args.number("atol", c.atol, 1e-12, 0.5);
    if (args.has("grad")) c.gradient = cnfGradientFromName(args.text("grad"));
    c.validate();
    return c;
}

} // namespace

int runCnfTrain(const Arguments& arguments)
{
    const CnfSolveConfig d;
    std::vector<Option> options = {
        {"data", "PRESET|FILE.csv", "the data set (required)"},
        {"n", "N", "points drawn for a preset (default 4000)"},
        {"data-seed", "S", "seed of a preset (default 1)"},
        {"steps", "N", "Adam updates (default 1000)"},
        {"batch", "B", "points per update (default 256)"},
        {"lr", "LR", "Adam learning rate (default 5e-3)"},
        {"hidden", "W,W,...", "hidden layer widths of v(x, t) (default 64,64,64)"},
        {"activation", "NAME", "silu | softplus | tanh (default silu; relu has no divergence gradient)"},
        {"grad", "KIND", "adjoint | backprop: the gradient by the adjoint ODE or through the solver's stages (default adjoint)"},
        {"seed", "S", "seed of the weights, batches and probes (default 0)"},
        {"log-every", "N", "print step, NLL, NFE (and the Hutchinson variance) every N steps (default 100; 0: never)"},
        {"out", "MODEL.json", "where to write the trained CNF (required)"},
        {"json", "", "print a JSON summary"}};
    for (Option& o : solveOptions("default exact, rk4, 8 steps, 1 gaussian probe, rtol = atol = 1e-5"))
        options.push_back(o);
    Args args("cnf-train", "--data PRESET|FILE.csv --out MODEL.json [options]", options);
    if (!args.parse(arguments)) {
        std::cout << args.usage() << kConvention
                  << "Maximum likelihood (FFJORD): each step minimises the batch's mean NLL in nats. NFE counts\n"
                     "velocity evaluations of the forward solve and vector-Jacobian products of the gradient.\n";
        return 0;
    }
    refuseSameFiles(args, {"data"}, {"out"});
    const std::string out = args.required("out");
    const auto data = loadData(args.required("data"), int(args.integer("n", 4000, 1, 10'000'000)),
                               std::uint64_t(args.integer("data-seed", 1, 0, 1ll << 62)));
    CnfConfig model;
    model.hidden = args.integerList("hidden", model.hidden);
    if (args.has("activation")) model.activation = activationFromName(args.text("activation"));
    if (model.activation == Activation::ReLU)
        throw UsageError("--activation relu: its second derivative is 0, so the divergence would not train");
    model.seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    const CnfSolveConfig solve = solveFromArgs(args, d);
    OptimizerConfig opt;
    opt.learningRate = args.number("lr", 5e-3, OptimizerConfig::kMinLearningRate, OptimizerConfig::kMaxLearningRate);
    opt.emaDecay = 0.99;
    CnfTrainerConfig tc;
    tc.batchSize = int(args.integer("batch", 256, 1, 65536));
    tc.seed = model.seed;
    const int steps = int(args.integer("steps", 1000, 1, 10'000'000));
    const int logEvery = int(args.integer("log-every", 100, 0, 10'000'000));

    CnfTrainer trainer(data, model, solve, opt, tc);
    const auto start = std::chrono::steady_clock::now();
    CnfStepStats s;
    double lossSum = 0, nfeForward = 0, nfeBackward = 0, variance = 0;
    int window = 0;
    for (int i = 0; i < steps; ++i) {
        s = trainer.step();
        if (s.skipped) continue;
        lossSum += s.loss;
        nfeForward += double(s.forwardEvaluations);
        nfeBackward += double(s.backwardEvaluations);
        if (std::isfinite(s.hutchinsonVariance)) variance += s.hutchinsonVariance;
        ++window;
        if (logEvery > 0 && (i + 1) % logEvery == 0 && !args.has("json")) {
            std::printf("step %d  nll %.4f  nfe %.0f + %.0f", i + 1, lossSum / window, nfeForward / window,
                        nfeBackward / window);
            if (solve.trace == TraceEstimator::Hutchinson) std::printf("  hutchinson variance %.4g", variance / window);
            std::printf("\n");
            std::fflush(stdout);
            lossSum = nfeForward = nfeBackward = variance = 0;
            window = 0;
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (trainer.optimizer().state().step == 0)
        throw InputError("every step diverged: the CNF was not trained (try a smaller --lr or more --ode-steps)");
    saveCnfModel(out, cnfModelOf(trainer));
    char text[256];
    std::snprintf(text, sizeof text, "trained %d steps in %.1f s: last batch NLL %.4f nats, NFE %lld + %lld per step\n",
                  steps, seconds, s.loss, s.forwardEvaluations, s.backwardEvaluations);
    nlohmann::json summary{{"data", data->name},
                           {"steps", steps},
                           {"seconds", seconds},
                           {"nll", s.loss},
                           {"forward_evaluations", s.forwardEvaluations},
                           {"backward_evaluations", s.backwardEvaluations},
                           {"bytes_stored", s.bytesStored},
                           {"skipped_steps", trainer.skippedSteps()},
                           {"trace", traceEstimatorName(solve.trace)},
                           {"gradient", cnfGradientName(solve.gradient)},
                           {"solver", odeMethodName(solve.method)},
                           {"out", out}};
    if (std::isfinite(s.hutchinsonVariance)) summary["hutchinson_variance"] = s.hutchinsonVariance;
    report(args, summary, text);
    return 0;
}

int runCnfSample(const Arguments& arguments)
{
    std::vector<Option> options = {{"model", "MODEL.json", "a trained CNF (cnf-train --out; required)"},
                                   {"particles", "N", "samples to draw (default 4000)"},
                                   {"seed", "S", "seed of the base draws (default 0)"},
                                   {"raw", "", "use the raw weights instead of the EMA"},
                                   {"out", "POINTS.csv", "where to write the samples (required)"},
                                   {"json", "", "print a JSON summary"}};
    for (Option& o : solveOptions("default: the model's solver and steps")) options.push_back(o);
    Args args("cnf-sample", "--model MODEL.json --out POINTS.csv [options]", options);
    if (!args.parse(arguments)) {
        std::cout << args.usage() << kConvention
                  << "Sampling needs only v: the divergence options do not change the samples.\n";
        return 0;
    }
    refuseSameFiles(args, {"model"}, {"out"});
    const CnfModel m = loadCnfModel(args.required("model"));
    CnfSolveConfig base = m.solve;
    base.gradient = CnfGradient::Adjoint; // no gradient here: any solver may sample a backprop-trained model
    const CnfSolveConfig solve = solveFromArgs(args, base);
    const int n = int(args.integer("particles", 4000, 1, 10'000'000));
    Rng rng(std::uint64_t(args.integer("seed", 0, 0, 1ll << 62)));
    Eigen::Matrix2Xd z(2, n);
    for (Eigen::Index j = 0; j < z.size(); ++j) z.data()[j] = rng.normal();
    const auto start = std::chrono::steady_clock::now();
    const long long nfe = cnfTransportToData(m.net(!args.has("raw")), z, solve);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    writePoints(args.required("out"), z);
    char text[160];
    std::snprintf(text, sizeof text, "%d samples, %lld velocity evaluations, %.2f s\n", n, nfe, seconds);
    report(args,
           {{"particles", n}, {"evaluations", nfe}, {"solver", odeMethodName(solve.method)}, {"seconds", seconds},
            {"out", args.required("out")}},
           text);
    return 0;
}

int runCnfNll(const Arguments& arguments)
{
    std::vector<Option> options = {{"model", "MODEL.json", "a trained CNF (cnf-train --out; required)"},
                                   {"data", "PRESET|FILE.csv", "the points to score (required)"},
                                   {"n", "N", "points drawn for a preset (default 4000)"},
                                   {"data-seed", "S", "seed of a preset (default 2: not the training draw)"},
                                   {"seed", "S", "seed of Hutchinson's probes (default 0)"},
                                   {"raw", "", "use the raw weights instead of the EMA"},
                                   {"per-point", "OUT.csv", "write each point's x, y and NLL (nats)"},
                                   {"json", "", "print a JSON summary"}};
    for (Option& o : solveOptions("default: exact trace; the model's solver and steps")) options.push_back(o);
    Args args("cnf-nll", "--model MODEL.json --data PRESET|FILE.csv [options]", options);
    if (!args.parse(arguments)) {
        std::cout << args.usage() << kConvention
                  << "The clean data's density is scored (a CNF has no noise levels). For an analytic preset\n"
                     "the exact NLL of the same points is printed beside it.\n";
        return 0;
    }
    refuseSameFiles(args, {"model", "data"}, {"per-point"});
    const CnfModel m = loadCnfModel(args.required("model"));
    CnfSolveConfig base = m.solve;
    base.trace = TraceEstimator::Exact; // evaluation: no estimator noise unless asked for
    base.gradient = CnfGradient::Adjoint; // no gradient here: any solver may score a backprop-trained model
    const CnfSolveConfig solve = solveFromArgs(args, base);
    const auto data = loadData(args.required("data"), int(args.integer("n", 4000, 1, 10'000'000)),
                               std::uint64_t(args.integer("data-seed", 2, 0, 1ll << 62)));
    Rng rng(std::uint64_t(args.integer("seed", 0, 0, 1ll << 62)));
    const auto start = std::chrono::steady_clock::now();
    const CnfDensity r = cnfLogDensity(m.net(!args.has("raw")), data->points, solve, rng);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (args.has("per-point")) {
        std::string text = "x,y,nll\n";
        char row[128];
        for (Eigen::Index j = 0; j < data->points.cols(); ++j) {
            std::snprintf(row, sizeof row, "%.17g,%.17g,%.17g\n", data->points(0, j), data->points(1, j),
                          -r.logDensity(j));
            text += row;
        }
        writeFileAtomically(args.text("per-point"), text);
    }
    const MeanEstimate e = meanWithError(-r.logDensity);
    nlohmann::json summary{{"nll", e.mean},
                           {"standard_error", e.standardError},
                           {"n", data->size()},
                           {"evaluations", r.evaluations},
                           {"trace", traceEstimatorName(solve.trace)},
                           {"solver", odeMethodName(solve.method)},
                           {"seconds", seconds}};
    char text[256];
    std::snprintf(text, sizeof text, "%.6f nats  (+- %.6f, %d points, %lld evaluations)\n", e.mean,
                  1.96 * e.standardError, data->size(), r.evaluations);
    std::string lines = text;
    if (data->mixture) {
        Eigen::VectorXd exact(data->size());
        data->mixture->logDensity(data->points, Marginal{}, exact);
        summary["exact_nll"] = -exact.mean();
        std::snprintf(text, sizeof text, "exact NLL of the same points: %.6f nats\n", -exact.mean());
        lines += text;
    }
    report(args, summary, lines);
    return 0;
}

} // namespace ss::cli
