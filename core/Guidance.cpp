#include "core/Guidance.h"

#include "core/Error.h"
#include "core/ExactClassifier.h"
#include "core/ScoreSource.h"

#include <cmath>

namespace ss {

std::string guidanceKindName(GuidanceKind k)
{
    switch (k) {
    case GuidanceKind::None: return "none";
    case GuidanceKind::Classifier: return "classifier";
    case GuidanceKind::ClassifierFree: return "free";
    }
    return "none";
}

GuidanceKind guidanceKindFromName(const std::string& s)
{
    for (GuidanceKind k : {GuidanceKind::None, GuidanceKind::Classifier, GuidanceKind::ClassifierFree})
        if (guidanceKindName(k) == s) return k;
    throw InputError("unknown guidance '" + s + "' (none, classifier, free)");
}

void GuidanceConfig::validate() const
{
    if (label < 0 || label > 1023) throw InputError("guidance class must be in [0, 1023] (got " + std::to_string(label) + ")");
    if (!std::isfinite(gamma) || std::abs(gamma) > kMaxGamma)
        throw InputError("guidance scale γ must be finite in [-100, 100] (got " + std::to_string(gamma) + ")");
}

std::shared_ptr<const ScoreSource> guidedSource(std::shared_ptr<const ScoreSource> base, const ScoreNet* net,
                                                std::shared_ptr<const ExactClassifier> classifier,
                                                const GuidanceConfig& g)
{
    if (g.kind == GuidanceKind::None) return base;
    g.validate();
    if (g.kind == GuidanceKind::ClassifierFree && net) {
        if (net->config().numClasses <= 0)
            throw InputError("classifier-free guidance needs a model trained with class labels "
                             "(Model dock: Class labels, with label dropout), and this one has none");
        if (g.label >= net->config().numClasses)
            throw InputError("guidance class " + std::to_string(g.label) + " is not one of the model's " +
                             std::to_string(net->config().numClasses) + " classes");
        return std::make_shared<ClassifierFreeGuidance>(*net, g.label, guidanceW(g.gamma));
    }
    if (!classifier)
        throw InputError(g.kind == GuidanceKind::Classifier
                             ? "classifier guidance needs data with classes (a mixture preset or labelled points)"
                             : "classifier-free guidance with the exact score needs data with classes");
    return std::make_shared<ClassifierGuidance>(std::move(base), std::move(classifier), g.label, g.gamma);
}

} // namespace ss
