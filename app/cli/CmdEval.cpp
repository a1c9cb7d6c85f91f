// scorescope-cli eval: sample quality of one point set against a reference.
#include "CliCommon.h"
#include "Commands.h"

#include "Metrics.h"

#include <cstdio>
#include <iostream>

namespace ss::cli {

int runEval(const Arguments& arguments)
{
    Args args("eval", "--samples A.csv --reference B.csv|PRESET [options]",
              {{"samples", "A.csv", "the samples to judge (required)"},
               {"reference", "B.csv|PRESET", "reference points, or a preset (drawn, and its modes when a mixture)"},
               {"reference-n", "N", "points drawn from a reference preset (default 4000)"},
               {"reference-seed", "S", "seed of a reference preset (default 1)"},
               {"projections", "K", "sliced W2 directions (default 128)"},
               {"seed", "S", "seed of projections and subsampling (default 0)"},
               {"json", "", "print a JSON summary"}});
    if (!args.parse(arguments)) {
        std::cout << args.usage();
        return 0;
    }
    const Eigen::Matrix2Xd samples = loadPoints(args.required("samples"));
    const auto reference = loadData(args.required("reference"), int(args.integer("reference-n", 4000, 1, 10'000'000)),
                                    std::uint64_t(args.integer("reference-seed", 1, 0, 1ll << 62)));
    const auto seed = std::uint64_t(args.integer("seed", 0, 0, 1ll << 62));
    const int projections = int(args.integer("projections", 128, 1, 100000));
    const SampleMetrics m =
        compareSamples(samples, reference->points, reference->mixture ? &*reference->mixture : nullptr, projections, seed);
    nlohmann::json summary = {{"n", samples.cols()},
                              {"reference", reference->name},
                              {"reference_n", reference->points.cols()},
                              {"sw2", m.sw2},
                              {"mmd2", m.mmd2},
                              {"energy", m.energy}};
    char line[256];
    std::snprintf(line, sizeof line, "sliced W2        %.6g\nMMD^2 (RBF)      %.6g\nenergy distance  %.6g\n", m.sw2,
                  m.mmd2, m.energy);
    std::string text = line;
    if (!m.modeWeights.empty()) {
        summary["mode_weights"] = m.modeWeights;
        summary["true_weights"] = reference->mixture->weights();
        text += "mode weights     ";
        for (std::size_t k = 0; k < m.modeWeights.size(); ++k) {
            std::snprintf(line, sizeof line, "%s%.3f (%.3f)", k ? ", " : "", m.modeWeights[k],
                          reference->mixture->weights()[k]);
            text += line;
        }
        text += "   [observed (true)]\n";
    }
    report(args, summary, text);
    return 0;
}

} // namespace ss::cli
