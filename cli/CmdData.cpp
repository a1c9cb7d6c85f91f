// scorescope-cli data: a preset data set as CSV.
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "core/Csv.h"
#include "core/Presets.h"

#include <iostream>
#include <map>
#include <sstream>

namespace ss::cli {

int runData(const Arguments& arguments)
{
    Args args("data", "--preset NAME --out FILE.csv [--n N --seed S --param key=value,...]",
              {{"preset", "NAME", "preset id (--list shows them)"},
               {"n", "N", "number of points (default 2000)"},
               {"seed", "S", "seed (default 1)"},
               {"param", "K=V,...", "preset parameters, e.g. radius=3,std=0.2"},
               {"out", "FILE.csv", "where to write x,y[,label]"},
               {"list", "", "list the presets and their parameters"},
               {"json", "", "print a JSON summary"}});
    if (!args.parse(arguments)) {
        std::cout << args.usage();
        return 0;
    }
    if (args.has("list")) {
        nlohmann::json list = nlohmann::json::array();
        std::string text;
        for (const PresetInfo& p : presetCatalogue()) {
            nlohmann::json params = nlohmann::json::object();
            text += p.id + "  " + p.title + "\n";
            for (const PresetParam& q : p.params) {
                params[q.key] = {{"default", q.defaultValue}, {"min", q.min}, {"max", q.max}};
                text += "    " + q.key + " = " + nlohmann::json(q.defaultValue).dump() + "  " + q.description + "\n";
            }
            list.push_back({{"id", p.id}, {"title", p.title}, {"analytic", p.analytic}, {"params", params}});
        }
        report(args, list, text);
        return 0;
    }
    std::map<std::string, double> params;
    if (args.has("param")) {
        std::stringstream in(args.text("param"));
        std::string item;
        while (std::getline(in, item, ',')) {
            const auto eq = item.find('=');
            if (eq == std::string::npos) throw UsageError("--param needs key=value pairs, got '" + item + "'");
            char* end = nullptr;
            const std::string v = item.substr(eq + 1);
            const double x = std::strtod(v.c_str(), &end);
            if (v.empty() || *end) throw UsageError("--param " + item.substr(0, eq) + " needs a number, got '" + v + "'");
            params[item.substr(0, eq)] = x;
        }
    }
    const std::string out = args.required("out");
    const int n = int(args.integer("n", 2000, 1, 10'000'000));
    const auto seed = std::uint64_t(args.integer("seed", 1, 0, 1ll << 62));
    const Dataset d = makePreset(args.required("preset"), n, seed, params);
    saveCsv(out, d);
    report(args, {{"preset", d.name}, {"n", d.size()}, {"classes", d.numClasses}, {"out", out}},
           "wrote " + std::to_string(d.size()) + " points of " + d.name + " to " + out + "\n");
    return 0;
}

} // namespace ss::cli
