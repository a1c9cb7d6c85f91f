#pragma once
// Guidance settings (docs/reference/scores.md#guidance): steer a run towards
// class `label` with tilt gamma, i.e. follow the score of the tilted target
// p(x) p(y | x)^gamma (ExactClassifier.h):
//   classifier       s + gamma grad log p(y | x), with the exact noisy classifier
//   classifier-free  s_u + gamma (s_c - s_u), one label-conditional network
//                    (trained with label dropout) read with and without the label
// The two conventions of the literature name the same run differently:
//   gamma, the "guidance scale" (s_u + gamma (s_c - s_u); Dhariwal & Nichol's
//   classifier scale, diffusers' guidance_scale), and Ho & Salimans' w with
//   (1 + w) s_c - w s_u, so w = gamma - 1. gamma = 1 (w = 0) is the exact
//   conditional p(x | y); gamma = 0 (w = -1) the unconditional model.
// The value held is gamma; guidanceW() gives w.
#include <memory>
#include <string>

namespace ss {

class ExactClassifier;
class ScoreSource;
template <typename T> class ScoreNetT;
using ScoreNet = ScoreNetT<float>;

enum class GuidanceKind { None, Classifier, ClassifierFree };

std::string guidanceKindName(GuidanceKind k);            // "none", "classifier", "free"
GuidanceKind guidanceKindFromName(const std::string& s); // throws InputError

struct GuidanceConfig {
    GuidanceKind kind = GuidanceKind::None;
    int label = 0;
    double gamma = 3.0; // the tilt; Ho & Salimans' w = gamma - 1

    static constexpr double kMaxGamma = 100.0;
    // Throws InputError naming the field: label in [0, 1023], gamma finite in
    // [-kMaxGamma, kMaxGamma].
    void validate() const;
    bool operator==(const GuidanceConfig&) const = default;
};

inline double guidanceW(double gamma) { return gamma - 1.0; }
inline double guidanceGamma(double w) { return w + 1.0; }

// The score a run with these settings follows (the one place guided sources are made):
//  None: base.
//  Classifier: base + gamma grad log p(y | x) with `classifier` (required).
//  ClassifierFree: net (a label-conditional network) read as
//    s_u + gamma (s_c - s_u); with no net (the exact score) the exact class
//    and data scores, which is exactly classifier guidance with the exact
//    classifier (required then).
// Throws InputError naming what is missing (no classifier: the data has no
// classes; a network without classes; a class with no data).
std::shared_ptr<const ScoreSource> guidedSource(std::shared_ptr<const ScoreSource> base, const ScoreNet* net,
                                                std::shared_ptr<const ExactClassifier> classifier,
                                                const GuidanceConfig& guidance);

} // namespace ss
