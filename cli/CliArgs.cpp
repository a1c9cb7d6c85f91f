#include "cli/CliArgs.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace ss::cli {

Args::Args(std::string command, std::string synopsis, std::vector<Option> options)
    : command_(std::move(command)), synopsis_(std::move(synopsis)), options_(std::move(options))
{
    options_.push_back({"help", "", "show this help and exit"});
}

const Option* Args::find(const std::string& name) const
{
    for (const Option& o : options_)
        if (o.name == name) return &o;
    return nullptr;
}

bool Args::parse(const std::vector<std::string>& arguments)
{
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& a = arguments[i];
        if (a.rfind("--", 0) != 0 || a.size() == 2)
            throw UsageError("unexpected argument '" + a + "' (options start with --; see --help)");
        std::string name = a.substr(2), value;
        const auto eq = name.find('=');
        const bool inlineValue = eq != std::string::npos;
        if (inlineValue) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const Option* o = find(name);
        if (!o) throw UsageError("unknown option --" + name + " (see --help)");
        if (name == "help") return false;
        if (o->value.empty()) {
            if (inlineValue) throw UsageError("--" + name + " takes no value");
        } else if (!inlineValue) {
            if (i + 1 >= arguments.size()) throw UsageError("--" + name + " needs a value (" + o->value + ")");
            value = arguments[++i];
        }
        if (has(name)) throw UsageError("--" + name + " is given twice");
        values_.emplace_back(name, value);
    }
    return true;
}

std::string Args::usage() const
{
    std::ostringstream out;
    out << "usage: scorescope-cli " << command_ << ' ' << synopsis_ << "\n\noptions:\n";
    for (const Option& o : options_) {
        std::string left = "  --" + o.name + (o.value.empty() ? "" : " " + o.value);
        if (left.size() < 30) left.resize(30, ' ');
        else left += "\n" + std::string(30, ' ');
        out << left << o.help << '\n';
    }
    out << "\nExit status: 0 on success, 2 with a one-line message on stderr for bad usage or input.\n";
    return out.str();
}

bool Args::has(const std::string& name) const
{
    return std::any_of(values_.begin(), values_.end(), [&](const auto& v) { return v.first == name; });
}

std::string Args::text(const std::string& name, const std::string& fallback) const
{
    for (const auto& [n, v] : values_)
        if (n == name) return v;
    return fallback;
}

std::string Args::required(const std::string& name) const
{
    if (!has(name)) throw UsageError("--" + name + " is required (see --help)");
    return text(name);
}

long long Args::integer(const std::string& name, long long fallback, long long min, long long max) const
{
    if (!has(name)) return fallback;
    const std::string v = text(name);
    char* end = nullptr;
    errno = 0;
    const long long x = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno == ERANGE)
        throw UsageError("--" + name + " needs an integer, got '" + v + "'");
    if (x < min || x > max)
        throw UsageError("--" + name + " must be in [" + std::to_string(min) + ", " + std::to_string(max) +
                         "], got " + v);
    return x;
}

double Args::number(const std::string& name, double fallback, double min, double max) const
{
    if (!has(name)) return fallback;
    const std::string v = text(name);
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !std::isfinite(x))
        throw UsageError("--" + name + " needs a finite number, got '" + v + "'");
    if (x < min || x > max) {
        std::ostringstream m;
        m << "--" << name << " must be in [" << min << ", " << max << "], got " << v;
        throw UsageError(m.str());
    }
    return x;
}

std::vector<int> Args::integerList(const std::string& name, std::vector<int> fallback) const
{
    if (!has(name)) return fallback;
    std::vector<int> out;
    std::stringstream in(text(name));
    std::string item;
    while (std::getline(in, item, ',')) {
        char* end = nullptr;
        const long x = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || x < 1 || x > 4096)
            throw UsageError("--" + name + " needs a comma-separated list of integers in [1, 4096], got '" +
                             text(name) + "'");
        out.push_back(int(x));
    }
    if (out.empty()) throw UsageError("--" + name + " needs at least one value");
    return out;
}

} // namespace ss::cli
