// libFuzzer target: point files (core/Csv.*), the reader behind --data,
// --exact, --sdedit and the Data dock's CSV import.
#include "FuzzSupport.h"

#include "core/Csv.h"

#include <cmath>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    ss::CsvLimits limits;
    limits.maxRows = 10'000; // the same code paths as the default, at fuzzing speed
    ss::fuzz::refusedOnlyWithInputError([&] {
        const ss::Dataset d = ss::parseCsv(ss::fuzz::text(data, size), "fuzz.csv", limits);
        // What the reader promises: finite points, labels in range, none half-loaded.
        if (d.points.cols() == 0 || !d.points.allFinite()) std::abort();
        if (d.labelled() && (d.labels.size() != std::size_t(d.points.cols()) || d.numClasses < 1)) std::abort();
        for (int l : d.labels)
            if (l < 0 || l >= d.numClasses) std::abort();
    });
    return 0;
}
