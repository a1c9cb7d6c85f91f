#pragma once
// Point files: one point per line, "x,y" or "x,y,label" (label a non-negative
// integer); an optional header line of non-numeric names; blank lines and lines
// starting with '#' are skipped. All rows must have the same column count.
#include "core/Dataset.h"

#include <cstdint>
#include <string>

namespace ss {

struct CsvLimits {
    std::int64_t maxBytes = 64ll << 20; // refuse larger files before reading them
    int maxRows = 2'000'000;
    std::int64_t maxLineBytes = 4096; // a point line is ~50 bytes; comment lines are not bounded
    int maxLabel = 1023;
};

// Throws InputError "<path>:<line>: <what is wrong>" (or "<path>: ..." for
// whole-file problems: missing, unreadable, empty, too large). Nothing is
// returned half-loaded. The result is named after the file. A line over
// maxLineBytes is refused before it is split, and a field quoted in a message
// is cut to 40 characters, so a huge line costs neither memory nor a huge message.
Dataset loadCsv(const std::string& path, const CsvLimits& limits = {});

// Parses text already in memory; sourceName stands for the path in messages.
Dataset parseCsv(const std::string& text, const std::string& sourceName, const CsvLimits& limits = {});

// Writes "x,y[,label]" with a header and full double precision, atomically
// (a temporary file beside the target, then rename; see AtomicFile.h for
// links, special files and the temporaries of killed writers). Throws
// InputError naming the path when it cannot be written; the old file is then
// left untouched.
void saveCsv(const std::string& path, const Dataset& data);

// Writes text to path atomically (temporary file + rename); throws InputError.
void writeFileAtomically(const std::string& path, const std::string& text);

} // namespace ss
