#pragma once
// The exact target of a guided run (core/ExactClassifier.h): the tilted
// density p(x) p(y | x)^gamma at the level the run ends on, on a grid over the
// data, for the "Exact target" layer's heat map; and, once a run has ended,
// the distance of its particles to exact draws of that target. Built on the
// sampling worker's thread, carried in the particle snapshot (plain values).
#include "state/SamplingSetup.h"

#include "core/ExactClassifier.h"
#include "core/Guidance.h"

#include <QRectF>

#include <memory>
#include <string>
#include <vector>

namespace ss::app {

struct TiltedMap {
    QRectF box;                 // world rectangle the grid covers (x right, y up)
    int resolution = 0;         // cells per side
    std::vector<float> density; // row-major from the box's bottom (y = box.top()), normalised to peak 1
    std::string label;          // "exact target p(x) p(y=3 | x)^3 (w = 2) at σ = 0.01"
};
using TiltedMapPtr = std::shared_ptr<const TiltedMap>;

// A finished run's distance to exact draws of its target (the guided run's
// tilted density, TiltedComparison; SDEdit's posterior): sliced W2 and the
// floor between two exact draws.
struct TargetDistance {
    double sw2 = 0, floor = 0;
    int run = 0;      // the run it measured
    std::string what; // "the exact tilted target", "exact posterior draws"
};

// The classifier of the setup's data when guidance is on (null when off);
// throws InputError when the data has no classes to guide by.
std::shared_ptr<const ExactClassifier> guidanceClassifier(const SamplingSetup& setup);

// Null when guidance is off. resolution cells per side over the data's box.
TiltedMapPtr tiltedMap(const SamplingSetup& setup, const ExactClassifier& classifier, int resolution = 160);

} // namespace ss::app
