#include "window/LessonMeasure.h"

#include "core/Error.h"
#include "core/Metrics.h"
#include "core/Rng.h"
#include "core/Objective.h"
#include "core/SampleFidelity.h"
#include "window/Caption.h"
#include "state/TiltedTarget.h"

#include <QObject>
#include <QStringList>

#include <cmath>

namespace ss::window {

double nearDataShare(const Eigen::Matrix2Xd& particles, const Dataset& data)
{
    // Every stride-th particle: the first kNearDataParticles at most, spread over the set.
    const Eigen::Index n = particles.cols();
    const Eigen::Index stride = std::max<Eigen::Index>(1, (n + kNearDataParticles - 1) / kNearDataParticles);
    Eigen::Matrix2Xd query(2, (n + stride - 1) / stride);
    for (Eigen::Index i = 0, j = 0; i < n; i += stride, ++j) query.col(j) = particles.col(i);
    return manifoldCoverage(query, data.points, kDefaultManifoldK);
}

SlicedW2Line slicedW2ToData(const Eigen::Matrix2Xd& particles, const Dataset& data)
{
    SlicedW2Line out;
    out.sw2 = slicedWasserstein2(particles, data.points, kLessonProjections, 0);
    if (data.mixture) {
        Rng rng(1);
        const Eigen::Matrix2Xd exact = data.mixture->sample(int(particles.cols()), rng);
        out.floor = slicedWasserstein2(exact, data.points, kLessonProjections, 0);
    }
    return out;
}

MeasureKey measureKey(LessonMeasure measure, const MeasureInput& in)
{
    const auto address = [](const auto& ptr) { return reinterpret_cast<std::intptr_t>(ptr.get()); };
    switch (measure) {
    case LessonMeasure::None:
        return {};
    case LessonMeasure::Loss:
        return {address(in.training)};
    case LessonMeasure::FlowNll:
        return {address(in.flow), address(in.training)};
    case LessonMeasure::Elbo:
        return {address(in.model)};
    case LessonMeasure::ModeWeights:
    case LessonMeasure::NearData:
    case LessonMeasure::Evaluations:
    case LessonMeasure::TargetDistance:
    case LessonMeasure::SlicedW2:
    case LessonMeasure::Sigma:
        break;
    }
    const app::ParticleSnapshot* p = in.particles.get();
    if (!p) return {address(in.data), -1};
    return {address(in.data),
            p->run,
            p->step,
            std::intptr_t(p->evaluations),
            std::intptr_t(p->particles.cols()),
            std::intptr_t(p->done) | std::intptr_t(p->divergence.has_value()) << 1,
            address(p->targetDistance)};
}

QString measureText(LessonMeasure measure, const MeasureInput& in)
{
    const app::ParticleSnapshot* p = in.particles.get();
    const bool haveParticles = p && p->particles.cols() > 0 && p->particles.allFinite();
    switch (measure) {
    case LessonMeasure::None:
        return QString();
    case LessonMeasure::ModeWeights: {
        if (!in.data || !in.data->mixture) return QObject::tr("mode weights: this data has no known mixture");
        if (!haveParticles) return QObject::tr("mode weights: no particles yet");
        const QString line = modeWeightsLine(p->particles, *in.data->mixture);
        return line.isEmpty() ? QObject::tr("mode weights: too many modes to list") : line;
    }
    case LessonMeasure::NearData: {
        if (!in.data || in.data->size() <= kDefaultManifoldK) return QObject::tr("near the data: too few data points");
        if (!haveParticles) return QObject::tr("near the data: no particles yet");
        try {
            return QObject::tr("near the data: %1% of the particles (step %2 / %3)")
                .arg(100.0 * nearDataShare(p->particles, *in.data), 0, 'f', 0)
                .arg(p->step)
                .arg(p->totalSteps < 0 ? QStringLiteral("?") : QString::number(p->totalSteps));
        } catch (const InputError& e) {
            return QObject::tr("near the data: %1").arg(QString::fromStdString(e.what()));
        }
    }
    case LessonMeasure::Loss: {
        const app::TrainingSnapshot* t = in.training.get();
        if (!t || t->step == 0 || !std::isfinite(t->stats.smoothedLoss)) return QObject::tr("training loss: not trained yet");
        return QObject::tr("training loss %1 (smoothed) at step %2")
            .arg(t->stats.smoothedLoss, 0, 'g', 3)
            .arg(t->step);
    }
    case LessonMeasure::Evaluations:
        if (!p) return QObject::tr("score evaluations: no run yet");
        return QObject::tr("%1 score evaluations · step %2 / %3 · %4")
            .arg(p->evaluations)
            .arg(p->step)
            .arg(p->totalSteps < 0 ? QStringLiteral("?") : QString::number(p->totalSteps))
            .arg(p->done ? QObject::tr("done") : QObject::tr("running"));
    case LessonMeasure::TargetDistance: {
        if (!p || !p->targetDistance)
            return QObject::tr("distance to the exact target: when a guided or SDEdit run ends");
        const auto& d = *p->targetDistance;
        return QObject::tr("run %1 against %2: sliced W2 %3, floor %4 (×%5)")
            .arg(d.run + 1)
            .arg(QString::fromStdString(d.what))
            .arg(d.sw2, 0, 'g', 3)
            .arg(d.floor, 0, 'g', 3)
            .arg(d.floor > 0 ? d.sw2 / d.floor : 0.0, 0, 'f', 1);
    }
    case LessonMeasure::FlowNll: {
        const app::FlowSnapshot* f = in.flow.get();
        if (!f || f->evals.empty()) return QObject::tr("flow NLL: the flow has not trained yet");
        const app::FlowEval& e = f->evals.back();
        QString line = QObject::tr("flow: NLL %1 nats").arg(e.nll.mean, 0, 'f', 2);
        if (f->exactNll) line += QObject::tr(" (exact %1)").arg(f->exactNll->mean, 0, 'f', 2);
        line += QObject::tr(" at step %1").arg(e.step);
        if (!f->history.empty())
            line += QObject::tr(", %1 + %2 NFE a step").arg(f->history.back().forwardNfe).arg(f->history.back().backwardNfe);
        if (const app::TrainingSnapshot* t = in.training.get())
            line += QObject::tr(" · score model: step %1, no ODE solved").arg(t->step);
        return line;
    }
    case LessonMeasure::SlicedW2: {
        if (!in.data || in.data->size() == 0) return QObject::tr("sliced W2: no data");
        if (!haveParticles) return QObject::tr("sliced W2: no particles yet");
        const SlicedW2Line d = slicedW2ToData(p->particles, *in.data);
        const QString floor = d.floor ? QObject::tr(" (exact draws: %1)").arg(*d.floor, 0, 'f', 3) : QString();
        return QObject::tr("sliced W2 to the data %1%2 · step %3 / %4")
            .arg(d.sw2, 0, 'f', 3)
            .arg(floor)
            .arg(p->step)
            .arg(p->totalSteps < 0 ? QStringLiteral("?") : QString::number(p->totalSteps));
    }
    case LessonMeasure::Elbo: {
        const app::ModelMeasureSnapshot* m = in.model.get();
        if (!m || m->step < 0) return QObject::tr("ELBO: waiting for the first network");
        if (!m->elbo)
            return m->elboWhyNot.empty() ? QObject::tr("ELBO: measuring the network of step %1…").arg(m->step)
                                         : QObject::tr("ELBO: %1").arg(QString::fromStdString(m->elboWhyNot));
        const ElboResult& e = *m->elbo;
        QString line = QObject::tr("−ELBO %1 nats = L_T %2 + ΣL_t %3 + L_0 %4 (network of step %5)")
                           .arg(e.total.mean, 0, 'f', 2)
                           .arg(e.prior.mean, 0, 'f', 3)
                           .arg(e.diffusion.mean, 0, 'f', 2)
                           .arg(e.decoder.mean, 0, 'f', 2)
                           .arg(m->step);
        // Beside it, as the ELBO tab: the same network's PF-ODE NLL, the mixture's own −log p(x₀).
        QStringList beside;
        if (!m->nll.empty() && m->nll.back().step == m->step && m->nll.back().learned)
            beside << QObject::tr("PF-ODE NLL %1").arg(m->nll.back().learned->mean, 0, 'f', 2);
        if (m->cleanNll) beside << QObject::tr("true −log p(x₀) %1").arg(m->cleanNll->mean, 0, 'f', 2);
        if (!beside.isEmpty()) line += QStringLiteral("\n") + beside.join(QStringLiteral(" · "));
        return line;
    }
    case LessonMeasure::Sigma:
        if (!p) return QObject::tr("σ: no run yet");
        return QObject::tr("σ = %1 now · step %2 / %3")
            .arg(p->level.marginal.std, 0, 'g', 3)
            .arg(p->step)
            .arg(p->totalSteps < 0 ? QStringLiteral("?") : QString::number(p->totalSteps));
    }
    return QString();
}

} // namespace ss::window
