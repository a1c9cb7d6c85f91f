#include "window/EditChanges.h"

#include "core/Objective.h"
#include "window/SamplerForm.h"

#include <QObject>

#include <algorithm>
#include <cmath>

namespace ss::window {

namespace {
const QString kArrow = QStringLiteral(" → ");

QString number(double v) { return QString::number(v, 'g', 6); }

QString points(int n) { return n == 1 ? QObject::tr("1 point") : QObject::tr("%1 points").arg(n); }

QString onOff(bool on) { return on ? QObject::tr("on") : QObject::tr("off"); }

template <class T>
EditChange fieldChange(const char* what, const QString& label, const T& before, const T& after,
                       const std::function<QString(const T&)>& show)
{
    if (before == after) return {};
    return {QString::fromLatin1(what), label + QLatin1Char(' ') + show(before) + kArrow + show(after), true};
}

// "geometric σ 0.01–10, 10 levels", "ddpm-linear T = 1000", "vp β 0.1–20".
QString scheduleText(const NoiseSchedule& s)
{
    QString text = QString::fromStdString(s.name());
    if (s.kind() == ScheduleKind::CustomCurve)
        text += QObject::tr(" (%1 points)").arg(s.curvePoints().size());
    else if (s.isVarianceExploding())
        text += QStringLiteral(" σ %1–%2").arg(number(s.sigmaMin()), number(s.sigmaMax()));
    else if (!s.isDiscrete())
        text += QStringLiteral(" β %1–%2").arg(number(s.betaMin()), number(s.betaMax()));
    if (s.isDiscrete())
        text += s.isVarianceExploding() ? QObject::tr(", %1 levels").arg(s.numLevels())
                                        : QStringLiteral(" T = %1").arg(s.numLevels());
    return text;
}

// "ncsn, 6×128 silu"
QString modelText(const app::TrainingSetup& t)
{
    const auto& hidden = t.model.hidden;
    return QStringLiteral("%1, %2×%3 %4")
        .arg(QString::fromStdString(objectiveName(t.objective.kind)))
        .arg(hidden.size())
        .arg(hidden.empty() ? 0 : hidden.front())
        .arg(QString::fromStdString(activationName(t.model.activation)));
}

// A sampler row's value as the dock shows it: a choice by its title.
QString rowText(const SamplerRow& row, double v)
{
    switch (row.widget) {
    case SamplerRow::Widget::Choice:
        for (const auto& [title, value] : row.choices)
            if (value == int(std::lround(v))) return title;
        return number(v);
    case SamplerRow::Widget::Check: return onOff(v != 0);
    default: return number(v);
    }
}

// "Particles opacity 95% → 50%", "Trails hidden", "Score arrows per side 28 → 32".
struct LayerName {
    view::Layer view::LayerSettings::*member;
    const char* name;
};
const LayerName kLayers[] = {{&view::LayerSettings::data, "Data"},
                             {&view::LayerSettings::noised, "Noised data"},
                             {&view::LayerSettings::density, "Density"},
                             {&view::LayerSettings::error, "Score error"},
                             {&view::LayerSettings::exactField, "Exact score field"},
                             {&view::LayerSettings::learnedField, "Learned score field"},
                             {&view::LayerSettings::particles, "Particles"},
                             {&view::LayerSettings::trails, "Trails"},
                             {&view::LayerSettings::decomposition, "Step terms"},
                             {&view::LayerSettings::target, "Exact target"},
                             {&view::LayerSettings::modelDensity, "Model density"}};
} // namespace

bool sameSchedule(const NoiseSchedule& a, const NoiseSchedule& b)
{
    const auto sameCurve = [](const CurvePoint& p, const CurvePoint& q) { return p.u == q.u && p.logSigma == q.logSigma; };
    const auto& pa = a.curvePoints();
    const auto& pb = b.curvePoints();
    return a.kind() == b.kind() && a.numLevels() == b.numLevels() && a.sigmas() == b.sigmas() &&
        a.betas() == b.betas() && std::equal(pa.begin(), pa.end(), pb.begin(), pb.end(), sameCurve) &&
        a.sigmaMin() == b.sigmaMin() && a.sigmaMax() == b.sigmaMax() && a.betaMin() == b.betaMin() &&
        a.betaMax() == b.betaMax() && a.cosineS() == b.cosineS() && a.ddpmRescaled() == b.ddpmRescaled();
}

EditChange dataChange(const DataState& before, const DataState& after)
{
    if (before == after) return {};
    const int was = before.data ? before.data->size() : 0, now = after.data ? after.data->size() : 0;
    QString text;
    if (after.data && after.data->name == "drawn") {
        if (now == 0) text = QObject::tr("Clear %1").arg(points(was));
        else if (now >= was) text = QObject::tr("Draw %1").arg(points(now - was));
        else text = QObject::tr("Erase %1").arg(points(was - now));
    } else if (after.data && after.data->name == after.origin.preset) {
        text = QObject::tr("Apply preset %1").arg(after.title);
    } else {
        text = QObject::tr("Load %1").arg(after.title);
    }
    return {QStringLiteral("data"), text, false};
}

EditChange scheduleChange(const NoiseSchedule& before, const NoiseSchedule& after)
{
    if (sameSchedule(before, after)) return {};
    return {QStringLiteral("schedule"), QObject::tr("Schedule %1").arg(scheduleText(before) + kArrow + scheduleText(after)),
            false};
}

EditChange trainingChange(const app::TrainingSetup& before, const app::TrainingSetup& after)
{
    const std::function<QString(const double&)> real = [](const double& v) { return number(v); };
    const std::function<QString(const int&)> whole = [](const int& v) { return QString::number(v); };
    const std::function<QString(const bool&)> flag = [](const bool& v) { return onOff(v); };
    for (const EditChange& c :
         {fieldChange("learningRate", QObject::tr("Learning rate"), before.optimizer.learningRate,
                      after.optimizer.learningRate, real),
          fieldChange("batchSize", QObject::tr("Batch"), before.trainer.batchSize, after.trainer.batchSize, whole),
          fieldChange("emaDecay", QObject::tr("EMA decay"), before.optimizer.emaDecay, after.optimizer.emaDecay,
                      real),
          fieldChange("useEma", QObject::tr("EMA weights"), before.publishEma, after.publishEma, flag)})
        if (!c.what.isEmpty()) return c;
    return {};
}

EditChange modelChange(const app::TrainingSetup& before, const app::TrainingSetup& after)
{
    if (before.model == after.model && before.objective == after.objective) return {};
    return {QStringLiteral("model"), QObject::tr("Model %1").arg(modelText(before) + kArrow + modelText(after)),
            false};
}

EditChange samplerChange(const app::SamplingSetup& before, const app::SamplingSetup& after)
{
    for (const SamplerRow& row : samplerRows()) {
        const double was = row.field.get(before), now = row.field.get(after);
        if (was == now) continue;
        const QString label = row.label.isEmpty() ? QString::fromLatin1(row.name) : row.label;
        return {QString::fromLatin1(row.name), label + QLatin1Char(' ') + rowText(row, was) + kArrow + rowText(row, now),
                true};
    }
    return {};
}

EditChange layersChange(const view::LayerSettings& before, const view::LayerSettings& after)
{
    for (const LayerName& l : kLayers) {
        const view::Layer& was = before.*l.member;
        const view::Layer& now = after.*l.member;
        const QString name = QObject::tr(l.name);
        if (was.visible != now.visible)
            return {QStringLiteral("show %1").arg(l.name),
                    now.visible ? QObject::tr("Show %1").arg(name) : QObject::tr("Hide %1").arg(name), true};
        if (was.opacity != now.opacity)
            return {QStringLiteral("opacity %1").arg(l.name),
                    QObject::tr("%1 opacity %2%3%4")
                        .arg(name)
                        .arg(QStringLiteral("%1%").arg(std::lround(100 * was.opacity)))
                        .arg(kArrow)
                        .arg(QStringLiteral("%1%").arg(std::lround(100 * now.opacity))),
                    true};
    }
    const std::function<QString(const int&)> whole = [](const int& v) { return QString::number(v); };
    for (const EditChange& c : {fieldChange("arrows", QObject::tr("Score arrows per side"), before.arrows, after.arrows, whole),
                                fieldChange("heatCells", QObject::tr("Heat-map cells per side"), before.heatCells,
                                            after.heatCells, whole)})
        if (!c.what.isEmpty()) return c;
    return {};
}

} // namespace ss::window
