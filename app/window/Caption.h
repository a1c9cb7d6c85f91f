#pragma once
// The scene's caption (top left of the view, and of exported stills): what
// runs, from the sampler's own snapshot (never a request the worker may still
// refuse), the level the fields show, a divergence said plainly, and the
// particles' mode weights against the true ones for mixture data.
#include "core/Dataset.h"
#include "engine/SamplingWorker.h"

#include <QElapsedTimer>
#include <QRectF>
#include <QString>

namespace ss::window {

struct CaptionInput {
    QString title;                  // the data set's
    ObjectiveKind objective;        // the one training
    const app::ParticleSnapshot* particles; // the sampler's latest (never null)
    NoiseLevel level;               // the noise scrubber's
    QRectF view;                    // the visible world rectangle
    QString modeLine;               // modeWeightsLine's, or empty
};

QString sceneCaption(const CaptionInput& in);

// "mode weights 0.12 / 0.13 (true 0.12 / 0.12)" for the particles in each
// component of a mixture of at most 8 (beyond four modes, the range); empty
// when there is nothing to say (too many modes, no or non-finite particles).
QString modeWeightsLine(const Eigen::Matrix2Xd& particles, const GaussianMixture& mixture);

// The caption's mode-weights line, recomputed at most four times a second.
class ModeLine {
public:
    ModeLine() { clock_.start(); }
    const QString& text() const { return text_; }
    void clear() { text_.clear(); }
    // Keeps the last line while the particles say nothing (see modeWeightsLine).
    void update(const Eigen::Matrix2Xd& particles, const std::optional<GaussianMixture>& mixture);

private:
    QString text_;
    QElapsedTimer clock_;
};

} // namespace ss::window
