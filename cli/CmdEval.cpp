// scorescope-cli eval: sample quality of one point set against a reference,
// each metric beside its noise floor (core/NoiseFloor.h); or, with
// --conditional-x1/-x2, one coordinate of the samples against the exact
// conditional density of the reference (core/ConditionalDensity.h).
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/ConditionalDensity.h"
#include "core/Error.h"
#include "core/Metrics.h"
#include "core/NoiseFloor.h"
#include "core/TrajectoryCsv.h"

#include <cmath>
#include <cstdio>
#include <iostream>

namespace ss::cli {

namespace {

// A help line continued under the previous one (Args prints help in a 30-column gutter).
std::string more(const std::string& text) { return "\n" + std::string(30, ' ') + text; }

std::string fmt(const char* format, double a, double b)
{
    char line[160];
    std::snprintf(line, sizeof line, format, a, b);
    return line;
}

// --conditional-x1 A / --conditional-x2 A: the other coordinate of the samples
// against p(x_other | x_fixed = A) of the reference, with the floor of n draws
// of that exact law.
int evalConditional(const Args& args, const Eigen::Matrix2Xd& samples, const Dataset& reference)
{
    const int fixed = args.has("conditional-x1") ? 0 : 1;
    const std::string option = fixed == 0 ? "conditional-x1" : "conditional-x2";
    const double a = args.number(option, 0.0, -1e6, 1e6);
    const double smooth = args.number("conditional-std", 0.05, 1e-6, 1e3);
    const Mixture1D law = reference.mixture ? conditionalDensity(*reference.mixture, fixed, a)
                                            : conditionalDensity(reference.points, fixed, a, smooth);
    const int other = 1 - fixed;
    std::vector<double> values(std::size_t(samples.cols()));
    double offFixed = 0.0; // how far the samples' fixed coordinate is from A (replacement keeps it at A)
    for (Eigen::Index j = 0; j < samples.cols(); ++j) {
        values[std::size_t(j)] = samples(other, j);
        offFixed = std::max(offFixed, std::abs(samples(fixed, j) - a));
    }
    const CdfDistance d = distanceToCdf(values, law);
    Rng rng = Rng(std::uint64_t(args.integer("seed", 0, 0, 1ll << 62))).split(31);
    const CdfDistance floor = distanceToCdf(law.sample(int(values.size()), rng), law);

    const char* fixedName = fixed == 0 ? "x1" : "x2";
    const char* otherName = fixed == 0 ? "x2" : "x1";
    const std::string smoothing = fmt("its points smoothed by N(0, %g^2 I)", smooth, 0);
    char head[320];
    std::snprintf(head, sizeof head, "p(%s | %s = %g) of %s (%s), %zu samples:\n", otherName, fixedName, a,
                  reference.name.c_str(),
                  reference.mixture ? "exact, from its mixture" : smoothing.c_str(),
                  values.size());
    std::string text = head;
    text += fmt("KS statistic     %-12.6g (noise floor %.6g)\n", d.ks, floor.ks);
    text += fmt("Wasserstein-1    %-12.6g (noise floor %.6g)\n", d.w1, floor.w1);
    text += fmt("conditional mean %-12.6g (samples: %.6g)\n", law.mean(),
                values.empty() ? 0.0 : Eigen::Map<const Eigen::VectorXd>(values.data(), Eigen::Index(values.size())).mean());
    if (offFixed > 1e-6) {
        char note[200];
        std::snprintf(note, sizeof note, "note: the samples' %s is up to %.3g away from %g (not conditioned there?)\n",
                      fixedName, offFixed, a);
        text += note;
    }
    report(args,
           {{"n", samples.cols()},
            {"reference", reference.name},
            {"conditional",
             {{"fixed", fixedName},
              {"value", a},
              {"law", reference.mixture ? "mixture" : "smoothed points"},
              {"smoothing_std", reference.mixture ? 0.0 : smooth},
              {"ks", d.ks},
              {"ks_floor", floor.ks},
              {"w1", d.w1},
              {"w1_floor", floor.w1},
              {"mean", law.mean()},
              {"max_offset_of_fixed", offFixed}}}},
           text);
    return 0;
}

// --samples: a point file, or a trajectory file (TrajectoryCsv.h) whose last
// recorded step is judged, or the step given by --step.
Eigen::Matrix2Xd samplesFrom(const Args& args)
{
    const std::string path = args.required("samples");
    if (!isTrajectoryCsv(path)) {
        if (args.has("step")) throw UsageError("--step needs a trajectory file as --samples (" + path + " is not one)");
        return loadPoints(path);
    }
    const std::deque<TrajectoryFrame> frames = loadTrajectoryCsv(path);
    if (frames.empty()) throw InputError(path + ": the trajectory has no steps");
    if (!args.has("step")) return frames.back().points;
    const long long step = args.integer("step", 0, 0, 2'000'000'000);
    for (const TrajectoryFrame& f : frames)
        if (f.step == step) return f.points;
    throw InputError(path + ": no recorded step " + std::to_string(step) + " (steps " +
                     std::to_string(frames.front().step) + " to " + std::to_string(frames.back().step) + ")");
}

} // namespace

int runEval(const Arguments& arguments)
{
    Args args("eval", "--samples A.csv --reference B.csv|PRESET [options]",
              {{"samples", "A.csv", "the samples to judge (required): points, or a trajectory file" +
                                        more("(sample --trajectories, or the window's export): its last step")},
               {"step", "K", "with a trajectory file: judge recorded step K instead of the last"},
               {"reference", "B.csv|PRESET", "reference points, or a preset (drawn, and its modes when a mixture)"},
               {"reference-n", "N", "points drawn from a reference preset (default 4000)"},
               {"reference-seed", "S", "seed of a reference preset (default 1)"},
               {"floor-seed", "S",
                "seed of the preset's independent draw for the noise floors (default: reference-seed + 1)"},
               {"projections", "K", "sliced W2 directions (default 128)"},
               {"k", "K", "neighbours of the precision/recall manifolds (default 3)"},
               {"seed", "S", "seed of projections and subsampling (default 0)"},
               {"conditional-x1", "A",
                "judge the samples' x2 against the exact p(x2 | x1 = A) of the reference" +
                    more("(for samples of sample --fix-x1 A: replacement conditioning only") +
                    more("approximates that law; this measures by how much)")},
               {"conditional-x2", "A", "the same for x1 given x2 = A"},
               {"conditional-std", "S",
                "a reference of points (no mixture) is smoothed by N(0, S^2 I) for" +
                    more("its conditional (default 0.05); mixtures are exact")},
               {"json", "", "print a JSON summary"}});
    if (!args.parse(arguments)) {
        std::cout << args.usage()
                  << "\nEach metric is printed beside its noise floor: the same metric for an independent\n"
                     "draw of the reference preset (as many points as the samples, --floor-seed) against\n"
                     "the same reference, i.e. what a perfect sampler scores. For a CSV reference the\n"
                     "floor compares two random halves of it (the floor of half as many points).\n"
                     "  sliced W2, MMD^2, energy: lower is better; 0 only for identical laws.\n"
                     "  precision: share of the samples inside the reference's k-NN manifold (a ball\n"
                     "    around each reference point reaching its k-th neighbour; Kynkaanniemi et al.\n"
                     "    2019). Blur and stray mass lower it. recall: share of the reference inside\n"
                     "    the samples' manifold; missing modes lower it (blur does not).\n"
                     "  mean log-density: mean log p(x) of the samples under the reference's exact\n"
                     "    clean density (mixture presets only), nats; higher is better, and a true\n"
                     "    sample scores the floor (the negative entropy) up to its standard error.\n";
        return 0;
    }
    const Eigen::Matrix2Xd samples = samplesFrom(args);
    const std::string spec = args.required("reference");
    const auto referenceSeed = std::uint64_t(args.integer("reference-seed", 1, 0, 1ll << 62));
    const auto reference = loadData(spec, int(args.integer("reference-n", 4000, 1, 10'000'000)), referenceSeed);
    if (args.has("conditional-x1") && args.has("conditional-x2"))
        throw UsageError("condition on one coordinate: --conditional-x1 or --conditional-x2");
    if (args.has("conditional-x1") || args.has("conditional-x2")) return evalConditional(args, samples, *reference);

    const auto seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    const int projections = int(args.integer("projections", 128, 1, 100000));
    const int k = int(args.integer("k", kDefaultManifoldK, 1, 1000));
    const auto floorSeed = std::uint64_t(args.integer("floor-seed", (long long)referenceSeed + 1, 0, 1ll << 62));
    if (isPreset(spec) && floorSeed == referenceSeed)
        throw UsageError("--floor-seed must differ from --reference-seed (the floor needs an independent draw)");
    const GaussianMixture* mixture = reference->mixture ? &*reference->mixture : nullptr;
    const SampleMetrics m = compareSamples(samples, reference->points, mixture, projections, seed, k);
    const SampleMetrics f =
        isPreset(spec)
            ? presetNoiseFloor(spec, int(samples.cols()), floorSeed, reference->points, mixture, projections, seed, k)
            : splitNoiseFloor(reference->points, mixture, projections, seed, k);
    nlohmann::json summary = {{"n", samples.cols()},
                              {"reference", reference->name},
                              {"reference_n", reference->points.cols()},
                              {"floor", isPreset(spec) ? "independent preset draw" : "two halves of the reference"},
                              {"sw2", m.sw2},
                              {"sw2_floor", f.sw2},
                              {"mmd2", m.mmd2},
                              {"mmd2_floor", f.mmd2},
                              {"energy", m.energy},
                              {"energy_floor", f.energy},
                              {"k", k},
                              {"precision", m.precision},
                              {"precision_floor", f.precision},
                              {"recall", m.recall},
                              {"recall_floor", f.recall}};
    std::string text = "metric           value        noise floor\n";
    text += fmt("sliced W2        %-12.6g %.6g\n", m.sw2, f.sw2);
    text += fmt("MMD^2 (RBF)      %-12.6g %.6g\n", m.mmd2, f.mmd2);
    text += fmt("energy distance  %-12.6g %.6g\n", m.energy, f.energy);
    text += fmt("precision        %-12.4f %.4f\n", m.precision, f.precision);
    text += fmt("recall           %-12.4f %.4f\n", m.recall, f.recall);
    if (std::isfinite(m.logDensity)) {
        summary["log_density"] = m.logDensity;
        summary["log_density_stderr"] = m.logDensityStdErr;
        summary["log_density_floor"] = f.logDensity;
        summary["log_density_floor_stderr"] = f.logDensityStdErr;
        char line[200];
        std::snprintf(line, sizeof line, "mean log-density %-12.6g %.6g   [nats, +- %.2g / %.2g]\n", m.logDensity,
                      f.logDensity, m.logDensityStdErr, f.logDensityStdErr);
        text += line;
    }
    if (!m.modeWeights.empty()) {
        summary["mode_weights"] = m.modeWeights;
        summary["true_weights"] = reference->mixture->weights();
        text += "mode weights     ";
        char line[64];
        for (std::size_t q = 0; q < m.modeWeights.size(); ++q) {
            std::snprintf(line, sizeof line, "%s%.3f (%.3f)", q ? ", " : "", m.modeWeights[q],
                          reference->mixture->weights()[q]);
            text += line;
        }
        text += "   [observed (true)]\n";
    }
    if (!isPreset(spec)) text += "(noise floor: two random halves of the reference)\n";
    report(args, summary, text);
    return 0;
}

} // namespace ss::cli
