#pragma once
// Command-line options of one scorescope-cli subcommand: declared once (name,
// value placeholder, help), parsed strictly (unknown options, missing or
// malformed values and repeated options are usage errors), read with typed,
// range-checked getters. Usage errors become exit status 2 with one line.
#include <stdexcept>
#include <string>
#include <vector>

namespace ss::cli {

// Bad usage: the message is one line, without the program name.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Option {
    std::string name;  // without the dashes: "steps"
    std::string value; // placeholder ("N"); empty for a flag
    std::string help;  // one line
};

class Args {
public:
    Args(std::string command, std::string synopsis, std::vector<Option> options);

    // Parses the arguments after the subcommand name. Returns false when
    // --help was asked for (the caller prints usage() and exits 0).
    bool parse(const std::vector<std::string>& arguments);
    std::string usage() const;

    bool has(const std::string& name) const;
    bool flag(const std::string& name) const { return has(name); }
    // The value, or fallback when absent; required(): a usage error when absent.
    std::string text(const std::string& name, const std::string& fallback = "") const;
    std::string required(const std::string& name) const;
    long long integer(const std::string& name, long long fallback, long long min, long long max) const;
    double number(const std::string& name, double fallback, double min, double max) const;
    std::vector<int> integerList(const std::string& name, std::vector<int> fallback) const; // "128,128"

    // "sample: --n must be ..." style prefix for messages about this command.
    const std::string& command() const { return command_; }

private:
    const Option* find(const std::string& name) const;

    std::string command_, synopsis_;
    std::vector<Option> options_;
    std::vector<std::pair<std::string, std::string>> values_;
};

} // namespace ss::cli
