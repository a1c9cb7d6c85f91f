// The model-density layer's cost (issue 14): time to the first coarse picture
// (17 x 17) and to the full 129 x 129 grid, on the default scene (8 Gaussians,
// geometric sigma 0.05 .. the data's diameter, the window's default) at its
// least noise, with an untrained network of the default size (6 x 128 SiLU;
// training changes the weights, not the cost) and with the exact score.
// Targets: first picture within 1 s, full grid within 10 s on 2 cores.
// Prints one JSON object per measurement; the median of --rounds runs.
// Usage: bench_density [--threads N] [--rounds R] [--steps S]
#include "core/ModelDensity.h"
#include "core/Presets.h"
#include "core/ScheduleDefaults.h"
#include "core/ThreadPool.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

using namespace ss;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

void measure(const char* what, const ScoreSource& source, const NoiseSchedule& schedule, int steps, int rounds,
             ThreadPool& pool)
{
    ModelDensityConfig config;
    config.steps = steps;
    const NoiseLevel level = schedule.level(1); // the least noise: the sharpest density
    std::vector<double> first, full;
    for (int r = 0; r < rounds; ++r) {
        double coarse = 0;
        const ModelDensityResult result = computeModelDensity(
            source, schedule, level, DensityRegion{-3.2, 3.2, -3.2, 3.2}, config, pool, nullptr,
            [&](const DensityLevel& l) {
                if (coarse == 0) coarse = l.seconds;
            });
        first.push_back(coarse);
        full.push_back(result.finest.seconds);
    }
    std::printf("{\"kind\": \"model-density\", \"what\": \"%s\", \"threads\": %d, \"steps\": %d, "
                "\"first_17x17_s\": %.3f, \"full_129x129_s\": %.3f}\n",
                what, pool.size(), steps, median(first), median(full));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    int threads = 0, rounds = 3, steps = kModelDensitySteps;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc) steps = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_density [--threads N] [--rounds R] [--steps S]\n");
            return 2;
        }
    }
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 2000, 1));
    const double sigmaMin = 0.05;
    const NoiseSchedule schedule =
        NoiseSchedule::geometric(sigmaMin, derivedSigmaMax(dataDiameter(*data), sigmaMin), 10);
    ThreadPool pool(threads);
    const NetworkScoreSource network{ScoreNet(ModelConfig{})};
    measure("default network", network, schedule, steps, rounds, pool);
    const ExactScoreSource exact(data);
    measure("exact score", exact, schedule, steps, rounds, pool);
    return 0;
}
