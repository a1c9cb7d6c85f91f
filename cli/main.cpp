// scorescope-cli: the core without a window, for scripted figures and tests.
//   scorescope-cli <data|train|sample|nll|elbo|fisher|eval|race|render|cnf-train|cnf-sample|cnf-nll> [options]   (--help on each)
//   scorescope-cli --version   prints "scorescope-cli X.Y.Z" (the man page reads it)
#include "cli/CliArgs.h"
#include "cli/Commands.h"

#include "core/Error.h"
#include "core/Version.h"

#include <cstring>
#include <iostream>
#include <map>

namespace {

const char* kUsage = R"(usage: scorescope-cli <command> [options]
   or: scorescope-cli --version

commands:
  data     write a preset data set to CSV
  train    train a score network, write it as MODEL.json
  sample   draw samples with any sampler from a model or an exact score
  nll      mean negative log-likelihood of points (probability-flow ODE)
  elbo     the variational bound of a DDPM in nats, term by term (L_T, sum L_t, L_0)
  fisher   Fisher divergence of a model's score against the exact one, per noise level
  eval     compare two sample sets (sliced W2, MMD, energy distance, mode weights)
  race     samplers from the same noise over step counts: quality against score evaluations
  render   draw a scene file as a picture (PNG, SVG, PDF) or an animation (MP4, WebM, GIF)
  cnf-train   train a continuous normalizing flow by maximum likelihood (FFJORD), write CNF.json
  cnf-sample  draw samples from a CNF by its ODE (N(0, I) at t = 1 back to the data at t = 0)
  cnf-nll     mean negative log-likelihood of points under a CNF (exact or Hutchinson trace)

Each command takes --help, and --json for a machine-readable summary.
Exit status: 0 on success, 2 with a one-line message on stderr for bad usage or input;
train stopped by SIGTERM/SIGINT saves the partial model and exits 128 + the signal.
)";

} // namespace

#ifndef SCORESCOPE_CLI_RENDER
// A build without the app (SCORESCOPE_BUILD_APP=OFF) has nothing to draw with.
int ss::cli::runRender(const Arguments&)
{
    throw UsageError("this scorescope-cli was built without the app (SCORESCOPE_BUILD_APP=OFF): it cannot render");
}
#endif

int main(int argc, char** argv)
{
    using namespace ss::cli;
    const std::map<std::string, int (*)(const Arguments&)> commands = {
        {"data", runData}, {"train", runTrain}, {"sample", runSample},
        {"nll", runNll},   {"elbo", runElbo},   {"fisher", runFisher},
        {"eval", runEval}, {"race", runRace},     {"render", runRender},
        {"cnf-train", runCnfTrain}, {"cnf-sample", runCnfSample}, {"cnf-nll", runCnfNll}};
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        (argc < 2 ? std::cerr : std::cout) << kUsage;
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "--version")) {
        std::cout << "scorescope-cli " << ss::kVersion << "\n";
        return 0;
    }
    const std::string name = argv[1];
    const auto it = commands.find(name);
    if (it == commands.end()) {
        std::cerr << "scorescope-cli: unknown command '" << name << "' (data, train, sample, nll, elbo, fisher, eval, race, render, cnf-train, cnf-sample, cnf-nll; see --help)\n";
        return 2;
    }
    try {
        return it->second(Arguments(argv + 2, argv + argc));
    } catch (const UsageError& e) {
        std::cerr << "scorescope-cli " << name << ": " << e.what() << '\n';
    } catch (const ss::InputError& e) {
        std::cerr << "scorescope-cli " << name << ": " << e.what() << '\n';
    } catch (const std::exception& e) {
        // Not an input problem: a bug or resource exhaustion; still one line.
        std::cerr << "scorescope-cli " << name << ": internal error: " << e.what() << '\n';
        return 1;
    }
    return 2;
}
