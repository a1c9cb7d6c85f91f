#pragma once
// Errors the core reports to its callers (the app, the CLI, tests).
// InputError: the user's input (a file, a schedule, a setting) was refused;
// what() is a complete one-line message naming the problem, ready to show.
#include <stdexcept>
#include <string>

namespace ss {

class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace ss
