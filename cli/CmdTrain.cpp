// scorescope-cli train: a score network on a data set, written as MODEL.json.
// SIGTERM or SIGINT stops it at the next step: the weights so far are saved
// (atomically) and the status is 128 + the signal. A run in which no step was
// finite saves nothing and fails (status 2): initial weights are not a model.
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/Error.h"
#include "core/ModelFile.h"
#include "core/ScheduleDefaults.h"
#include "core/Trainer.h"
#include "core/TrainingDefaults.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace ss::cli {

namespace {

std::string num(double v) // for the defaults in --help
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// Model defaults that suit each objective: DDPM predicts the noise from t;
// NCSN/DSM learn score * sigma from log sigma; single-sigma ISM/SSM learn the
// score itself (they may train on clean data, which needs that).
ModelConfig modelFor(ObjectiveKind kind)
{
    ModelConfig m;
    if (kind == ObjectiveKind::Ddpm) {
        m.parametrisation = Parametrisation::Epsilon;
        m.conditioning = NoiseConditioning::Time;
    } else if (kind == ObjectiveKind::Ism || kind == ObjectiveKind::Ssm || kind == ObjectiveKind::SsmVr) {
        m.parametrisation = Parametrisation::Score;
        m.conditioning = NoiseConditioning::None;
    }
    return m;
}

// SIGTERM or SIGINT during training: the loop stops at the next step and the
// weights so far are saved (atomically) as a partial model.
volatile std::sig_atomic_t gStopSignal = 0;
extern "C" void onStopSignal(int signal) { gStopSignal = signal; }

std::string widthsText(const std::vector<int>& widths)
{
    std::string text;
    for (int w : widths) text += (text.empty() ? "" : ",") + std::to_string(w);
    return text;
}

} // namespace

int runTrain(const Arguments& arguments)
{
    std::vector<Option> options = {
        {"data", "PRESET|FILE.csv", "the data set (required)"},
        {"n", "N", "points drawn for a preset (default 4000)"},
        {"data-seed", "S", "seed of a preset (default 1)"},
        {"objective", "NAME", "dsm | ncsn | ddpm | ism | ssm | ssm-vr (default ncsn)"},
        {"sigma", "S", "dsm/ism/ssm/ssm-vr: the single noise level (default 0.1)"},
        {"projections", "K", "ssm/ssm-vr: random projections per point (default 1)"},
        {"parametrisation", "NAME",
         "what the network predicts: score | score-over-sigma | epsilon | x0 | v | velocity | edm (default "
         "score-over-sigma; epsilon for ddpm; score for ism/ssm/ssm-vr). Every sampler uses any of them "
         "(docs/reference/parametrisations.md)"},
        {"weighting", "NAME",
         "ncsn/ddpm: the loss weight over log-SNR: natural (the parametrisation's own MSE) | simple | ncsn | x0 | "
         "v | edm | min-snr | flow-matching (default natural; docs/reference/objectives.md#weightings)"},
        {"min-snr-gamma", "G", "min-snr weighting: gamma (default 5)"},
        {"sigma-data", "S", "edm: sigma_data (default: the data's root-mean-square coordinate)"},
        {"steps", "N",
         "training steps (default " + std::to_string(kDefaultTrainSteps) +
             ": with the other defaults, NCSN and DDPM models of every preset sample about as near the data as "
             "the data itself; scripts/sharpness.sh measures it)"},
        {"batch", "B", "batch size (default " + std::to_string(kDefaultBatchSize) + ")"},
        {"lr", "LR",
         "Adam learning rate (default " + num(kDefaultLearningRate) +
             "), decayed along a cosine to a tenth at the last step; the samplers use the EMA of the weights "
             "(decay min(0.999, (1+t)/(10+t)) at step t, so it does not remember the initialisation)"},
        {"hidden", "W,W,...", "hidden layer widths (default " + widthsText(ModelConfig{}.hidden) +
                                   ": depth resolves thin rings and spiral arms, width does not)"},
        {"activation", "NAME", "silu | softplus | tanh | relu (default silu)"},
        {"conditional", "", "give the network the data's class labels (for guidance)"},
        {"label-dropout", "P", "with --conditional: drop labels with probability P (classifier-free guidance)"},
        {"seed", "S", "seed of the weights and batches (default 0)"},
        {"threads", "N", "worker threads (default: all cores)"},
        {"out", "MODEL.json", "where to write the trained model (required)"},
        {"json", "", "print a JSON summary"}};
    for (Option& s : scheduleOptions()) options.push_back(s);
    Args args("train", "--data PRESET|FILE.csv --out MODEL.json [options]", options);
    if (!args.parse(arguments)) {
        std::cout << args.usage();
        return 0;
    }
    const std::string out = args.required("out");
    refuseSameFiles(args, {"data"}, {"out"});
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGINT, onStopSignal);
    const auto data = loadData(args.required("data"), int(args.integer("n", 4000, 1, 10'000'000)),
                               std::uint64_t(args.integer("data-seed", 1, 0, 1ll << 62)));
    ObjectiveConfig objective;
    objective.kind = objectiveFromName(args.text("objective", "ncsn"));
    objective.sigma = args.number("sigma", 0.1, 0, 1e6);
    objective.projections = int(args.integer("projections", 1, 1, 16));
    objective.labelDropout = args.number("label-dropout", 0.0, 0, 1);
    if (args.has("weighting")) objective.weighting = weightingFromName(args.text("weighting", "natural"));
    objective.minSnrGamma = args.number("min-snr-gamma", 5.0, 1e-6, 1e6);
    ModelConfig model = modelFor(objective.kind);
    if (args.has("parametrisation"))
        model.parametrisation = parametrisationFromName(args.text("parametrisation", "score-over-sigma"));
    model.sigmaData = args.number("sigma-data", 0.0, 1e-6, 1e6);
    model.hidden = args.integerList("hidden", model.hidden);
    model.activation = activationFromName(args.text("activation", "silu"));
    model.seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    if (args.has("conditional")) {
        if (!data->labelled()) throw InputError("--conditional: the data set '" + data->name + "' has no labels");
        model.numClasses = data->numClasses;
    } else if (args.has("label-dropout")) {
        throw UsageError("--label-dropout needs --conditional");
    }
    const NoiseSchedule schedule =
        scheduleFromArgs(args, objective.kind == ObjectiveKind::Ddpm ? "linear" : "geometric", dataDiameter(*data));
    const int steps = int(args.integer("steps", kDefaultTrainSteps, 1, 100'000'000));
    OptimizerConfig optimizer = defaultOptimizer(steps);
    optimizer.learningRate = args.number("lr", optimizer.learningRate, OptimizerConfig::kMinLearningRate,
                                         OptimizerConfig::kMaxLearningRate);
    TrainerConfig tc;
    tc.batchSize = int(args.integer("batch", kDefaultBatchSize, 1, 1 << 20));
    tc.threads = int(args.integer("threads", 0, 0, 256));
    tc.seed = model.seed;

    Trainer trainer(data, model, objective, schedule, optimizer, tc);
    const bool progress = isatty(STDERR_FILENO) && !args.has("json");
    const auto start = std::chrono::steady_clock::now();
    auto lastPrint = start;
    int done = 0;
    while (done < steps && !gStopSignal) {
        const int chunk = std::min(steps - done, 10);
        trainer.run(chunk);
        done += chunk;
        const auto now = std::chrono::steady_clock::now();
        if (progress && (now - lastPrint > std::chrono::milliseconds(200) || done == steps)) {
            std::fprintf(stderr, "\rstep %d/%d  loss %.4g  %.0f steps/s   ", done, steps,
                         trainer.stats().smoothedLoss, trainer.stats().stepsPerSecond);
            lastPrint = now;
        }
    }
    if (progress) std::fprintf(stderr, "\n");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const char* signalName = gStopSignal == SIGTERM ? "SIGTERM" : "SIGINT";
    // Initial weights are not a trained model: nothing is saved when no step was finite.
    if (gStopSignal && trainer.stats().finiteSteps == 0) {
        std::fprintf(stderr, "scorescope-cli train: stopped by %s before any finite step: nothing was saved\n", signalName);
        return 128 + int(gStopSignal);
    }
    if (trainer.stats().finiteSteps == 0)
        throw InputError("training diverged at every one of its " + std::to_string(done) +
                         " steps (no step gave a finite loss; " + trainer.stats().lastEvent +
                         "): nothing was saved; lower --lr or rescale the data");
    saveModel(out, trainedModelOf(trainer));
    if (gStopSignal) {
        std::fprintf(stderr, "scorescope-cli train: stopped by %s after %d of %d steps: saved the partial model to %s\n",
                     signalName, done, steps, out.c_str());
        return 128 + int(gStopSignal);
    }
    const TrainStats& st = trainer.stats();
    char text[512];
    std::snprintf(text, sizeof text,
                  "trained %s on %s: %d steps in %.1f s, smoothed loss %.4g, %d restores\nwrote %s\n",
                  objectiveName(objective.kind).c_str(), data->name.c_str(), steps, seconds, st.smoothedLoss,
                  int(st.restores), out.c_str());
    report(args,
           {{"objective", objectiveName(objective.kind)},
            {"data", data->name},
            {"schedule", schedule.name()},
            {"parametrisation", parametrisationName(trainer.net().config().parametrisation)},
            {"weighting", weightingName(trainer.objective().weighting())},
            {"steps", steps},
            {"seconds", seconds},
            {"loss", st.loss},
            {"smoothed_loss", st.smoothedLoss},
            {"restores", st.restores},
            {"out", out}},
           text);
    return 0;
}

} // namespace ss::cli
