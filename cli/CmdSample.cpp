// scorescope-cli sample: any sampler, from a model or an exact score, to CSV.
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/Csv.h"
#include "core/Error.h"
#include "core/ExactClassifier.h"
#include "core/ExactPosterior.h"
#include "core/Metrics.h"
#include "core/Sampler.h"
#include "core/SamplerDefaults.h"
#include "core/TrajectoryCsv.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

namespace ss::cli {

namespace {

std::vector<Option> samplerOptions()
{
    return {{"sampler", "KIND", "langevin | annealed | ddpm | ddim | em | pc | ode | edm | dpm-solver | dpm-solver++ (required)"},
            {"n", "N", "particles (default 1000)"},
            {"seed", "S", "seed (default 0)"},
            {"out", "SAMPLES.csv", "where to write the final particles (required)"},
            {"trajectories", "TRAJ.csv", "also write the recorded path: step,t,std,particle,x,y (eval reads it)"},
            {"every", "K", "with --trajectories: record every K-th step (default 1)"},
            {"threads", "N", "threads for score evaluation (default: all cores)"},
            {"start", "KIND", "prior | uniform (default prior)"},
            {"box", "LO,HI", "uniform start: the square [LO,HI]^2 (default -8,8)"},
            {"steps", "N", "langevin steps; em/pc/ode time steps (default 1000)"},
            {"step-size", "E",
             "langevin eta / annealed eps (alpha_l = eps sigma_l^2 / sigma_L^2); default derived from the "
             "schedule so a run mixes and never diverges: relative step a = eta / width^2 chosen so that "
             "the variance reaches its level within the steps (Song & Ermon 2020, technique 4; a <= 1/2, "
             "stable below 4); annealed eps = a sigma_L^2 (a for --steps-per-level and the largest level "
             "ratio, or for data of known mode variance v the a whose variance, followed level by level with "
             "relative steps a sigma^2 / (sigma^2 + v), ends nearest the last level's), langevin eta = a (S^2 + v)"},
            {"langevin-std", "S",
             "langevin: noise level S of the score (default: a single-sigma model's own sigma, else the "
             "schedule's smallest level)"},
            {"steps-per-level", "T", "annealed: steps per level (default 100)"},
            {"variance", "KIND", "ddpm: beta | beta-tilde (default beta)"},
            {"eta", "E", "ddim: 0 deterministic .. 1 DDPM-like (default 0)"},
            {"ddim-steps", "S", "ddim: steps on the subsequence (default 50)"},
            {"spacing", "KIND",
             "ddim: uniform | quadratic | trailing (default: uniform to sample, trailing\n" + std::string(30, ' ') +
                 "to encode). Uniform steps 1 + (i-1)T/S stop encoding at level 1 + (S-1)T/S\n" +
                 std::string(30, ' ') + "(981 of 1000 for S = 50: latent variance ~0.82); trailing iT/S reaches T"},
            {"predictor", "KIND", "pc: em | reverse-diffusion | ancestral (default em)"},
            {"corrector-steps", "M", "pc: Langevin corrector steps per step (default 1)"},
            {"snr", "R", "pc: corrector signal-to-noise ratio (default 0.16)"},
            {"ode-method", "KIND", "ode: euler | heun | rk4 | rk45 (default rk45)"},
            {"rtol", "X", "ode rk45: relative tolerance (default 1e-5)"},
            {"atol", "X", "ode rk45: absolute tolerance (default 1e-5)"},
            {"edm-steps", "N", "edm: sigma levels N (2N - 1 score evaluations; default 18)"},
            {"rho", "R", "edm: grid exponent rho (default 7; 1: uniform in sigma)"},
            {"edm-sigma-min", "S", "edm: smallest sigma = std/mean (default: the schedule's, at the samplers' end time)"},
            {"edm-sigma-max", "S", "edm: largest sigma (default: the data's diameter or 30 |mean|, at most the schedule's largest; the schedule's when the data are unknown: a --model of a CSV file)"},
            {"s-churn", "C", "edm: S_churn, fresh noise per step (default 0: deterministic Heun)"},
            {"s-tmin", "S", "edm: churn only for sigma >= S (default 0.05)"},
            {"s-tmax", "S", "edm: churn only for sigma <= S (default 50)"},
            {"s-noise", "X", "edm: S_noise, the churn noise's scale (default 1)"},
            {"dpm-steps", "N", "dpm-solver(++): time steps (default 20)"},
            {"order", "K", "dpm-solver(++): order 1 (= DDIM), 2 or 3 (default 2)"},
            {"dpm-method", "KIND",
             "dpm-solver(++): multistep (one evaluation a step) | singlestep (K a step)\n" + std::string(30, ' ') +
                 "(default multistep)"},
            {"dpm-spacing", "KIND", "dpm-solver(++): logsnr (uniform in lambda) | time (default logsnr)"},
            {"direction", "DIR", "ode/ddim: noise-to-data | data-to-noise (needs --from; ddim: eta 0)"},
            {"from", "POINTS.csv", "start from these points (data-to-noise input, or given noise)"},
            {"sdedit", "POINTS.csv", "SDEdit: noise these points to --t0, then denoise"},
            {"t0", "T", "SDEdit start level in (0, 1] (default 0.5)"},
            {"posterior-out", "FILE.csv",
             "with --sdedit: also write exact draws of p(x0 | x_t0) from the same noised points (what an\n" +
                 std::string(30, ' ') + "exact reverse process gives; needs --exact or a model of a preset) and report the distance"},
            {"tilted-out", "FILE.csv",
             "guided runs: also write as many exact draws of the target the guidance follows,\n" +
                 std::string(30, ' ') + "p(x) p(y | x)^gamma at the run's end level (gamma: classifier w, classifier-free 1 + w)"},
            {"fix-x1", "A",
             "replacement conditioning: keep x1 = A. An approximation of p(x2 | x1 = A),\n" +
                 std::string(30, ' ') + "not that law; measure it: eval --samples OUT --reference PRESET\n" +
                 std::string(30, ' ') + "--conditional-x1 A (exact conditional, KS and W1 beside their floor)"},
            {"fix-x2", "A", "replacement conditioning: keep x2 = A (likewise approximate; --conditional-x2)"},
            {"resample", "U", "RePaint resampling rounds per step (default 1; more rounds usually come closer to the conditional)"},
            {"pin", "",
             "with --fix-x1/--fix-x2: keep the coordinate at A exactly instead of a noised copy (the conditional\n" +
                 std::string(30, ' ') + "score): annealed Langevin then converges to the exact p(x2 | x1 = A) at its last level"},
            {"follow", "I[,J...]",
             "step-through: print the update of particles I, J (columns from 0) as the sampler's\n" +
                 std::string(30, ' ') + "equation with its numbers, for the first --trace-steps steps and the last"},
            {"trace-steps", "K", "with --follow: steps printed from the start (default 3)"},
            {"json", "", "print a JSON summary"}};
}

SamplerConfig samplerConfigFrom(const Args& args)
{
    SamplerConfig c;
    c.kind = samplerKindFromName(args.required("sampler"));
    c.particles = int(args.integer("n", 1000, 1, 10'000'000));
    c.seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    c.start = startKindFromName(args.text("start", "prior"));
    if (args.has("box")) {
        double lo = 0, hi = 0;
        char comma = 0;
        std::istringstream in(args.text("box"));
        if (!(in >> lo >> comma >> hi) || comma != ',' || !in.eof())
            throw UsageError("--box needs LO,HI, got '" + args.text("box") + "'");
        c.boxMin = lo;
        c.boxMax = hi;
    }
    c.steps = int(args.integer("steps", 1000, 1, 10'000'000));
    // Without --step-size / --langevin-std these are replaced by the derived
    // defaults once the schedule is known (derivedDefaults).
    c.stepSize = args.number("step-size", c.stepSize, 0, 1e6);
    c.langevinStd = args.number("langevin-std", c.langevinStd, 0, 1e6);
    c.stepsPerLevel = int(args.integer("steps-per-level", 100, 1, 1'000'000));
    c.ddpmVariance = ddpmVarianceFromName(args.text("variance", "beta"));
    c.eta = args.number("eta", 0.0, 0, 1);
    c.ddimSteps = int(args.integer("ddim-steps", 50, 1, 100'000));
    // Encoding defaults to trailing spacing, whose last step reaches level T (uniform stops short of it).
    const Direction direction = directionFromName(args.text("direction", "noise-to-data"));
    c.spacing = ddimSpacingFromName(args.text("spacing", ddimSpacingName(defaultDdimSpacing(direction))));
    c.predictor = predictorFromName(args.text("predictor", "em"));
    c.correctorSteps = int(args.integer("corrector-steps", 1, 0, 1000));
    c.snr = args.number("snr", 0.16, 0, 1e3);
    c.ode = odeMethodFromName(args.text("ode-method", "rk45"));
    c.rtol = args.number("rtol", 1e-5, 0, 1);
    c.atol = args.number("atol", 1e-5, 0, 1);
    c.direction = direction;
    c.edmSteps = int(args.integer("edm-steps", c.edmSteps, 1, 100'000));
    c.edmRho = args.number("rho", c.edmRho, 0, 1e3);
    c.edmSigmaMin = args.number("edm-sigma-min", c.edmSigmaMin, 0, 1e12);
    c.edmSigmaMax = args.number("edm-sigma-max", c.edmSigmaMax, 0, 1e12);
    c.edmChurn = args.number("s-churn", c.edmChurn, 0, 1e6);
    c.edmTmin = args.number("s-tmin", c.edmTmin, 0, 1e12);
    c.edmTmax = args.number("s-tmax", c.edmTmax, 0, 1e12);
    c.edmNoise = args.number("s-noise", c.edmNoise, 0, 10);
    c.dpmSteps = int(args.integer("dpm-steps", c.dpmSteps, 1, 100'000));
    c.dpmOrder = int(args.integer("order", c.dpmOrder, 1, 3));
    c.dpmMethod = dpmMethodFromName(args.text("dpm-method", dpmMethodName(c.dpmMethod)));
    c.dpmSpacing = dpmSpacingFromName(args.text("dpm-spacing", dpmSpacingName(c.dpmSpacing)));
    if (args.has("fix-x1") && args.has("fix-x2")) throw UsageError("fix one coordinate: --fix-x1 or --fix-x2");
    if (args.has("fix-x1") || args.has("fix-x2")) {
        c.fixCoordinate = args.has("fix-x1") ? 0 : 1;
        c.fixValue = args.number(c.fixCoordinate == 0 ? "fix-x1" : "fix-x2", 0, -1e6, 1e6);
    }
    c.resampleRounds = int(args.integer("resample", 1, 1, 100));
    if (args.has("pin") && c.fixCoordinate < 0) throw UsageError("--pin needs --fix-x1 or --fix-x2");
    c.fixPinned = args.has("pin");
    if (args.has("trajectories")) {
        c.recordEvery = int(args.integer("every", 1, 1, 1'000'000));
        c.recordBytes = 1ll << 30; // the file gets everything asked for, up to 1 GiB
    }
    c.validate();
    return c;
}

// The rules of core/SamplerDefaults for what the user did not give: Langevin's
// noise level (the model's own sigma or the schedule's smallest), then the step
// size from the schedule (and the data's narrowest mode with --exact).
void derivedDefaults(SamplerConfig& c, const Args& args, const SourceChoice& source)
{
    if (!args.has("langevin-std") && c.kind == SamplerKind::Langevin)
        c.langevinStd = defaultLangevinStd(source.schedule, source.singleSigma);
    if (!args.has("step-size"))
        c.stepSize = defaultStepSize(c, source.schedule, source.dataVariance);
    c.validate();
}

// Samplers whose schedule kind follows from them when --exact gives none.
std::string defaultScheduleFor(SamplerKind k)
{
    switch (k) {
    case SamplerKind::Ddpm:
    case SamplerKind::Ddim: return "linear";
    case SamplerKind::Langevin:
    case SamplerKind::AnnealedLangevin: return "geometric";
    default: return "vp";
    }
}

// --follow I,J: the columns, each in [0, particles).
std::vector<Eigen::Index> followedColumns(const Args& args, long long particles)
{
    std::vector<Eigen::Index> out;
    std::istringstream in(args.text("follow"));
    std::string item;
    while (std::getline(in, item, ',')) {
        char* end = nullptr;
        const long long j = std::strtoll(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || j < 0 || j >= particles)
            throw UsageError("--follow needs particle columns in [0, " + std::to_string(particles) + "), got '" + item + "'");
        out.push_back(Eigen::Index(j));
    }
    if (out.empty()) throw UsageError("--follow needs at least one particle column");
    return out;
}

// The step's parts, one block per followed particle.
void appendTrace(const StepTrace& trace, std::size_t particles, std::vector<std::string>& lines)
{
    for (std::size_t k = 0; k < particles; ++k) {
        const std::vector<std::string> text = describeStep(trace, k);
        if (text.empty()) continue;
        const Eigen::Index column = trace.parts.front().particles[k].index;
        lines.push_back("step " + std::to_string(trace.step) + ", particle " + std::to_string(column) + ":");
        for (const std::string& line : text) lines.push_back("  " + line);
    }
}

} // namespace

int runSample(const Arguments& arguments)
{
    std::vector<Option> options = samplerOptions();
    for (Option& o : sourceOptions()) options.push_back(o);
    for (Option& o : measuredDataOptions()) options.push_back(o); // --posterior-out's data
    Args args("sample", "(--model MODEL.json | --exact PRESET|FILE.csv) --sampler KIND --out SAMPLES.csv [options]",
              options);
    if (!args.parse(arguments)) {
        std::cout << args.usage();
        return 0;
    }
    const std::string out = args.required("out");
    refuseSameFiles(args, {"model", "exact", "classifier-data", "sdedit", "from"},
                    {"out", "trajectories", "tilted-out", "posterior-out"});
    SamplerConfig config = samplerConfigFrom(args);
    const SourceChoice source = sourceFromArgs(args, defaultScheduleFor(config.kind));
    derivedDefaults(config, args, source);
    if (args.has("tilted-out") && !(source.classifier && source.label >= 0 && source.gamma >= 0))
        throw UsageError("--tilted-out needs a guided run (--guidance with --label) on labelled data, with gamma >= 0");
    Sampler sampler(config, source.schedule, source.source, int(args.integer("threads", 0, 0, 256)));
    if (args.has("sdedit") && args.has("from")) throw UsageError("give --sdedit or --from, not both");
    if (args.has("posterior-out") && !args.has("sdedit")) throw UsageError("--posterior-out needs --sdedit");
    if (args.has("sdedit")) sampler.sdedit(loadPoints(args.text("sdedit")), args.number("t0", 0.5, 1e-9, 1));
    // SDEdit's exact reference: posterior draws from the same noised start.
    std::optional<Eigen::Matrix2Xd> posterior, posteriorTwin;
    if (args.has("posterior-out")) {
        const std::shared_ptr<const Dataset> data = measuredData(args, source);
        Rng rng(config.seed + 23);
        posterior = samplePosterior(*data, sampler.level().marginal, sampler.particles(), rng);
        posteriorTwin = samplePosterior(*data, sampler.level().marginal, sampler.particles(), rng);
    }
    else if (args.has("from")) sampler.resetFrom(loadPoints(args.text("from")));
    else if (config.direction == Direction::DataToNoise)
        throw UsageError("--direction data-to-noise needs --from POINTS.csv");

    std::vector<std::string> trace;
    if (args.has("follow")) sampler.follow(followedColumns(args, sampler.particles().cols()));
    const int traced = int(args.integer("trace-steps", 3, 0, 1'000'000));
    const auto start = std::chrono::steady_clock::now();
    if (args.has("follow")) {
        while (sampler.step()) // stops at the step that diverges, like run()
            if (sampler.stepsTaken() <= traced || sampler.done()) appendTrace(sampler.trace(), sampler.followed().size(), trace);
    } else {
        sampler.run(); // stops at the step that diverges (Sampler: done() once diverged)
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (sampler.diverged()) throw InputError(sampler.divergence()->describe()); // exit 2, one line, nothing written
    writePoints(out, sampler.particles());
    if (args.has("trajectories")) saveTrajectoryCsv(args.text("trajectories"), sampler.trajectory().frames());

    const NoiseLevel end = sampler.level();
    // SDEdit against exact posterior draws, a guided run against the exact
    // tilted target at its end level (ExactPosterior.h, ExactClassifier.h).
    nlohmann::json reference = nlohmann::json::object();
    std::string referenceText;
    if (posterior) {
        writePoints(args.text("posterior-out"), *posterior);
        const double sw2 = slicedWasserstein2(sampler.particles(), *posterior, 128, config.seed + 17);
        const double floor = slicedWasserstein2(*posteriorTwin, *posterior, 128, config.seed + 17);
        reference["posterior"] = {{"sw2", sw2}, {"floor", floor}};
        char line[256];
        std::snprintf(line, sizeof line,
                      "against exact draws of p(x0 | x_t0) from the same noised points: sliced W2 %.4f (floor %.4f)\nwrote %s\n",
                      sw2, floor, args.text("posterior-out").c_str());
        referenceText = line;
    }
    if (source.classifier && source.label >= 0) {
        if (source.gamma < 0) {
            referenceText += "no tilted target for gamma < 0 (it would put mass where the class is least likely)\n";
        } else {
            Marginal at = end.marginal; // a point set has no density at std 0: smoothed like the window's layer
            if (source.classifier->needsNoise()) at.std = std::max(at.std, 1e-3);
            const TiltedComparison cmp =
                compareWithTilted(*source.classifier, at, source.label, source.gamma, sampler.particles(), config.seed + 17);
            reference["tilted"] = {{"gamma", source.gamma}, {"sw2", cmp.sw2}, {"floor", cmp.floor}};
            char line[256];
            std::snprintf(line, sizeof line,
                          "against the exact tilted target p(x) p(y=%d | x)^%.3g: sliced W2 %.4f (floor %.4f)\n",
                          source.label, source.gamma, cmp.sw2, cmp.floor);
            referenceText += line;
            if (args.has("tilted-out")) {
                writePoints(args.text("tilted-out"), cmp.reference);
                referenceText += "wrote " + args.text("tilted-out") + "\n";
            }
        }
    }
    char text[512];
    std::snprintf(text, sizeof text, "%s with %s: %lld particles, %d steps, %lld score evaluations each, %.2f s\nwrote %s\n",
                  samplerKindName(config.kind).c_str(), source.source->describe().c_str(),
                  (long long)sampler.particles().cols(), sampler.stepsTaken(), sampler.evaluations(), seconds,
                  out.c_str());
    report(args,
           {{"sampler", samplerKindName(config.kind)},
            {"source", source.source->describe()},
            {"schedule", source.schedule.name()},
            {"n", sampler.particles().cols()},
            {"steps", sampler.stepsTaken()},
            {"evaluations", sampler.evaluations()},
            {"final_t", end.t},
            {"final_std", end.marginal.std},
            {"seconds", seconds},
            {"out", out},
            {"trace", trace},
            {"reference", reference}},
           [&] {
               std::string all;
               for (const std::string& line : trace) all += line + "\n";
               return all + text + referenceText;
           }());
    return 0;
}

} // namespace ss::cli
