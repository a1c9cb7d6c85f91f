#include "window/Caption.h"

#include "core/Metrics.h"
#include "core/Objective.h"

#include <QObject>
#include <QPointF>
#include <QStringList>

#include <algorithm>

namespace ss::window {

QString sceneCaption(const CaptionInput& in)
{
    const app::ParticleSnapshot& p = *in.particles;
    if (!p.flow.empty()) { // the Flow dock's samples: a CNF, not a score sampler
        QString caption = QObject::tr("%1 · CNF by maximum likelihood\n%2 (%3) · fields: the %4 score model's, at σ = %5")
                              .arg(in.title)
                              .arg(QString::fromStdString(p.flow))
                              .arg(QString::fromStdString(p.source))
                              .arg(QString::fromStdString(objectiveName(in.objective)).toUpper())
                              .arg(in.level.marginal.std, 0, 'g', 3);
        if (!in.modeLine.isEmpty()) caption += "\n" + in.modeLine;
        return caption;
    }
    const app::SamplingSetup& s = p.setup;
    const QString score = !p.exactScore                         ? QObject::tr("learned score")
                          : s.source == app::SourceKind::Exact ? QObject::tr("exact score")
                                                               : QObject::tr("exact score until the first network");
    QString caption = QObject::tr("%1 · %2 training\n%3 (%4) · fields at σ = %5")
                          .arg(in.title)
                          .arg(QString::fromStdString(objectiveName(in.objective)).toUpper())
                          .arg(QString::fromStdString(samplerKindName(s.sampler.kind)))
                          .arg(score)
                          .arg(in.level.marginal.std, 0, 'g', 3);
    if (p.divergence) {
        // Said plainly when the last finite particles are off screen (a large step flings them far).
        bool seen = false;
        for (Eigen::Index j = 0; j < p.particles.cols() && !seen; ++j)
            seen = in.view.contains(QPointF(p.particles(0, j), p.particles(1, j)));
        caption += (seen ? QObject::tr("\ndiverged at step %1 (σ = %2): stopped at its last finite particles")
                         : QObject::tr("\ndiverged at step %1 (σ = %2): its last finite particles are all outside "
                                       "the view"))
                       .arg(p.divergence->step)
                       .arg(p.divergence->level.marginal.std, 0, 'g', 3);
    } else if (!in.modeLine.isEmpty()) {
        caption += "\n" + in.modeLine;
    }
    return caption;
}

QString modeWeightsLine(const Eigen::Matrix2Xd& particles, const GaussianMixture& mixture)
{
    if (mixture.size() > 8 || particles.cols() == 0 || !particles.allFinite()) return QString();
    const std::vector<double> w = modeWeights(particles, mixture);
    const std::vector<double>& truth = mixture.weights();
    if (w.size() <= 4) { // each weight; beyond four modes the range, to keep the caption short
        QStringList observed, expected;
        for (std::size_t k = 0; k < w.size(); ++k) {
            observed << QString::number(w[k], 'f', 2);
            expected << QString::number(truth[k], 'f', 2);
        }
        return QObject::tr("mode weights %1 (true %2)").arg(observed.join(" / "), expected.join(" / "));
    }
    const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
    const auto [tlo, thi] = std::minmax_element(truth.begin(), truth.end());
    return QObject::tr("mode weights %1 to %2 (true %3 to %4)")
        .arg(*lo, 0, 'f', 2)
        .arg(*hi, 0, 'f', 2)
        .arg(*tlo, 0, 'f', 2)
        .arg(*thi, 0, 'f', 2);
}

void ModeLine::update(const Eigen::Matrix2Xd& particles, const std::optional<GaussianMixture>& mixture)
{
    if (!mixture || clock_.elapsed() <= 250) return;
    const QString line = modeWeightsLine(particles, *mixture);
    if (line.isEmpty()) return;
    clock_.restart();
    text_ = line;
}

} // namespace ss::window
