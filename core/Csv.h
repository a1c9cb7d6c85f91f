#pragma once
// Point files: one point per line, "x,y" or "x,y,label" (label a non-negative
// integer); an optional header line of non-numeric names; blank lines and lines
// starting with '#' are skipped. All rows must have the same column count.
#include "Dataset.h"

#include <cstdint>
#include <string>

namespace ss {

struct CsvLimits {
    std::int64_t maxBytes = 64ll << 20; // refuse larger files before reading them
    int maxRows = 2'000'000;
    int maxLabel = 1023;
};

// Throws InputError "<path>:<line>: <what is wrong>" (or "<path>: ..." for
// whole-file problems: missing, unreadable, empty, too large). Nothing is
// returned half-loaded. The result is named after the file.
Dataset loadCsv(const std::string& path, const CsvLimits& limits = {});

// Parses text already in memory; sourceName stands for the path in messages.
Dataset parseCsv(const std::string& text, const std::string& sourceName, const CsvLimits& limits = {});

// Writes "x,y[,label]" with a header and full double precision, atomically
// (a temporary file beside the target, then rename). Throws InputError naming
// the path when it cannot be written; the old file is then left untouched.
void saveCsv(const std::string& path, const Dataset& data);

// Writes text to path atomically (temporary file + rename); throws InputError.
void writeFileAtomically(const std::string& path, const std::string& text);

} // namespace ss
