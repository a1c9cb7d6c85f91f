// libFuzzer target: model files (core/ModelFile.*), read by sample, nll and
// eval --model. A model the reader accepts must build its network and write
// back to a file that reads the same.
#include "FuzzSupport.h"

#include "core/ModelFile.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    ss::fuzz::refusedOnlyWithInputError([&] {
        const ss::TrainedModel m = ss::modelFromJsonText(ss::fuzz::text(data, size), "fuzz.json");
        const ss::ScoreNet net = m.net();
        if (net.mlp().params().size() != m.params.size()) std::abort();
        const ss::TrainedModel back =
            ss::fuzz::mustAccept([&] { return ss::modelFromJsonText(ss::modelToJsonText(m), "round-trip.json"); });
        if (back.params != m.params || back.ema != m.ema || !(back.model == m.model)) std::abort();
    });
    return 0;
}
