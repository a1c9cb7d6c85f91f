#pragma once
// The subcommands of scorescope-cli. Each takes the arguments after its name,
// returns the exit status (0 success; --help prints usage and returns 0) and
// throws UsageError / ss::InputError for bad usage or input (main() turns
// those into status 2 and one line on stderr).
#include <string>
#include <vector>

namespace ss::cli {

using Arguments = std::vector<std::string>;

int runData(const Arguments& args);
int runTrain(const Arguments& args);
int runSample(const Arguments& args);
int runNll(const Arguments& args);
int runEval(const Arguments& args);
int runElbo(const Arguments& args);
int runFisher(const Arguments& args);
int runRace(const Arguments& args);
// Continuous normalizing flows (CmdCnf.cpp).
int runCnfTrain(const Arguments& args);
int runCnfSample(const Arguments& args);
int runCnfNll(const Arguments& args);
// Only in builds with the app (it draws with Qt); elsewhere it says so.
int runRender(const Arguments& args);

} // namespace ss::cli
