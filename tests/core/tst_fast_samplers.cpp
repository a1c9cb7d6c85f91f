// EDM and DPM-Solver(++) (core/FastSamplers.h, docs/reference/samplers.md#edm,
// #dpm-solver) against what is known of them, with the exact score of 8gaussians.
//
// Overview:
//  - edmGrid: EDM's sigma grid is the closed form (rho, end points, sigma_N = 0),
//    its levels have those sigmas (std/mean) on VP, DDPM and VE schedules, and
//    the defaults are the data's diameter (or 30 |mean|; the schedule's largest sigma for a
//    score that does not know its data) and the samplers' end level; the
//    particles start at the first level's std.
//  - nfeCounted: NFE per particle exactly 2N - 1 (EDM, with and without churn),
//    S (multistep), order x S (single-step).
//  - orderOneIsDdim: DPM-Solver and DPM-Solver++ of order 1 on DDIM's own levels
//    give DDIM's (eta = 0) particles to 1e-9.
//  - reproducesData: every new sampler at its default steps lands within 1.15 x
//    the converged sliced W2 (DDIM at 200 steps) on ddpm-linear, and on VP and VE.
//  - beatsDdimAtLowNfe: at 10 and 20 NFE DPM-Solver-2/3 and DPM-Solver++ 2/3
//    (multistep and single-step) beat DDIM at the same NFE on sliced W2, with
//    margins at least 2% (measured 0.65-0.97 x at 10 NFE, 0.88-0.91 x at 20; 16000
//    particles); EDM's Heun at 18 steps (35 NFE) is as good as
//    DDIM at 50 and beats PF-ODE Euler at equal NFE on its own VE form.
//  - edmBeatsDdimAtLowNfe: with its default sigma_max (the data's diameter)
//    Heun beats DDIM at the same NFE: 25 Gaussians at 13, 17 and 19 NFE on
//    each of 3 seeds (below 0.95 x at 13, 0.8 x at 17 and 19; measured worst
//    over 6 seeds 0.85, 0.65, 0.60), 8 Gaussians at 19 NFE (3-seed mean below
//    0.99 x, each seed below 1; measured 0.94-0.98), 16000 particles against
//    20000 data points; with the DDPM schedule's own sigma_max (157) it loses
//    (above 1.2 x at 19 NFE; measured 1.8-2.1 on 8 and 1.35-1.85 on 25 Gaussians).
//  - stepThrough: the traced update of a followed particle is its real one.
//  - refusals: sigma ranges outside the schedule, bad options, encoding.
#include "core/Error.h"
#include "core/FastSamplers.h"
#include "core/Metrics.h"
#include "core/Presets.h"
#include "core/Sampler.h"
#include "core/SamplerDefaults.h"
#include "core/ScheduleDefaults.h"

#include <QtTest>

#include <cmath>
#include <memory>

using namespace ss;

namespace {

constexpr int kParticles = 4000;
constexpr int kRaceParticles = 16000; // the low-NFE comparison: SW2's sampling noise well below the gaps

struct Fixture {
    std::shared_ptr<const Dataset> data = std::make_shared<const Dataset>(makePreset("8gaussians", 20000, 1));
    std::shared_ptr<const ScoreSource> exact = std::make_shared<ExactScoreSource>(data);
};
const Fixture& fixture()
{
    static const Fixture f;
    return f;
}

// The exact score with its data hidden (as a network loaded without its training set).
class UnknownData final : public ScoreSource {
public:
    explicit UnknownData(std::shared_ptr<const ScoreSource> inner) : inner_(std::move(inner)) {}
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override
    {
        inner_->score(x, level, out);
    }
    double minimumStd() const override { return inner_->minimumStd(); }
    std::string describe() const override { return "hidden"; }

private:
    std::shared_ptr<const ScoreSource> inner_;
};

SamplerConfig config(SamplerKind kind, int steps, int order = 2, DpmMethod method = DpmMethod::Multistep)
{
    SamplerConfig c;
    c.kind = kind;
    c.particles = kParticles;
    c.seed = 3;
    c.ddimSteps = c.edmSteps = c.dpmSteps = c.steps = steps;
    c.dpmOrder = order;
    c.dpmMethod = method;
    return c;
}

struct Outcome {
    double sw2 = 0;
    long long nfe = 0;
};
Outcome run(const SamplerConfig& c, const NoiseSchedule& schedule)
{
    Sampler s(c, schedule, fixture().exact, 2);
    s.run();
    if (s.diverged()) qFatal("diverged: %s", s.divergence()->describe().c_str());
    return {slicedWasserstein2(s.particles(), fixture().data->points, 32, 5), s.evaluations()};
}

} // namespace

class TestFastSamplers : public QObject {
    Q_OBJECT
private slots:
    void edmGrid()
    {
        const std::vector<double> g = edmSigmas(5, 0.01, 80, 7);
        QCOMPARE(int(g.size()), 6);
        for (int i = 0; i < 5; ++i) {
            const double closed =
                std::pow(std::pow(80.0, 1 / 7.0) + i / 4.0 * (std::pow(0.01, 1 / 7.0) - std::pow(80.0, 1 / 7.0)), 7.0);
            QVERIFY(std::abs(g[std::size_t(i)] - closed) <= 1e-12 * closed);
        }
        QCOMPARE(g.front(), 80.0);
        QVERIFY(std::abs(g[4] - 0.01) < 1e-15);
        QCOMPARE(g.back(), 0.0);
        QCOMPARE(edmSigmas(1, 0.01, 80, 7), (std::vector<double>{80.0, 0.0}));
        // The Sampler's levels carry the grid's sigmas (std/mean) on every kind
        // of schedule; sigma_max is the data's diameter (8 Gaussians: ~4.8, below
        // every schedule's largest), or the schedule's largest for a score that
        // does not know its data.
        const double diameter = dataDiameter(*fixture().data);
        QVERIFY(diameter > 4.5 && diameter < 5.0);
        QCOMPARE(fixture().exact->dataExtent().diameter, diameter);
        QVERIFY(fixture().exact->dataExtent().meanNorm < 0.05); // centred: 30 |mean| is below the diameter
        const auto unknown = std::make_shared<UnknownData>(fixture().exact);
        for (const NoiseSchedule& schedule :
             {NoiseSchedule::vp(), NoiseSchedule::ddpmLinear(1000), NoiseSchedule::veContinuous(0.01, 20)})
            for (const bool known : {true, false}) {
                SamplerConfig c = config(SamplerKind::Edm, 7);
                c.particles = 2000;
                Sampler s(c, schedule, known ? fixture().exact : unknown, 1);
                const double largest = edmSigma(schedule.sdeMarginal(1.0));
                const double smax = known ? diameter : largest;
                QVERIFY(smax <= largest);
                const double tEnd = schedule.kind() == ScheduleKind::Vp ? 1e-3 : schedule.tEpsilon();
                const double smin = edmSigma(schedule.sdeMarginal(tEnd));
                const std::vector<double> want = edmSigmas(7, smin, smax, 7);
                QVERIFY(std::abs(edmSigma(s.level()) - smax) <= 1e-9 * smax);
                // The particles start at that level's std (the prior's when it is the schedule's largest).
                const double startStd = known ? s.level().marginal.std : schedule.priorStd();
                QCOMPARE(s.startStd(), startStd);
                const double sampleStd = std::sqrt(s.particles().squaredNorm() / (2.0 * c.particles));
                QVERIFY2(std::abs(sampleStd / startStd - 1) < 0.05, qPrintable(QString("%1 vs %2").arg(sampleStd).arg(startStd)));
                for (std::size_t i = 1; i < want.size(); ++i) {
                    QVERIFY(s.step());
                    const double got = s.level().marginal.std / s.level().marginal.mean;
                    QVERIFY2(std::abs(got - want[i]) <= 1e-8 * want[i] + 1e-15,
                             qPrintable(QString("%1 step %2: %3 vs %4").arg(schedule.name().c_str()).arg(i).arg(got).arg(want[i])));
                }
                QVERIFY(s.done());
                QCOMPARE(s.level().marginal.std, 0.0);
            }
        // The rule: the diameter or 30 |mean|, at most the schedule's largest, at
        // least 2 sigma_min; unknown data (0): the schedule's largest.
        const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(1000);
        const double largest = edmSigma(ddpm.sdeMarginal(1.0));
        QCOMPARE(edmDefaultSigmaMax(ddpm, 0.01, {4.0, 0.1}), 4.0);
        QCOMPARE(edmDefaultSigmaMax(ddpm, 0.01, {4.0, 0.5}), 15.0);
        QCOMPARE(edmDefaultSigmaMax(ddpm, 0.01, {1e4, 0.0}), largest);
        QCOMPARE(edmDefaultSigmaMax(ddpm, 0.01, {4.0, 100.0}), largest);
        QCOMPARE(edmDefaultSigmaMax(ddpm, 0.01, {0.0, 0.0}), largest);
        QCOMPARE(edmDefaultSigmaMax(ddpm, 0.5, {0.2, 0.0}), 1.0);
        // A given sigma_max is kept whatever the data.
        SamplerConfig given = config(SamplerKind::Edm, 5);
        given.particles = 3;
        given.edmSigmaMax = 20;
        Sampler s(given, ddpm, fixture().exact, 1);
        QVERIFY(std::abs(edmSigma(s.level()) - 20) <= 1e-9 * 20);
    }

    void nfeCounted()
    {
        const NoiseSchedule vp = NoiseSchedule::vp();
        const auto nfe = [&](SamplerConfig c) {
            c.particles = 50;
            Sampler s(c, vp, fixture().exact, 1);
            s.run();
            return std::pair{s.evaluations(), s.stepsTaken()};
        };
        QCOMPARE(nfe(config(SamplerKind::Edm, 18)), (std::pair{35ll, 18}));
        QCOMPARE(nfe(config(SamplerKind::Edm, 1)), (std::pair{1ll, 1}));
        SamplerConfig churn = config(SamplerKind::Edm, 10);
        churn.edmChurn = 5;
        QCOMPARE(nfe(churn), (std::pair{19ll, 10}));
        for (SamplerKind k : {SamplerKind::DpmSolver, SamplerKind::DpmSolverPp})
            for (int order = 1; order <= 3; ++order) {
                QCOMPARE(nfe(config(k, 12, order)), (std::pair{12ll, 12}));
                QCOMPARE(nfe(config(k, 7, order, DpmMethod::Singlestep)), (std::pair{7ll * order, 7}));
            }
    }

    void orderOneIsDdim()
    {
        // T = 10, DDIM with S = 10 visits every level; DPM-Solver's time grid
        // from t = 1 to its end t = 1/T with 9 steps lands on the same levels.
        const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(10, 0.01, 0.5, false);
        SamplerConfig d = config(SamplerKind::Ddim, 10);
        d.particles = 500;
        Sampler ddim(d, ddpm, fixture().exact, 1);
        for (int i = 0; i < 9; ++i) ddim.step();
        for (SamplerKind k : {SamplerKind::DpmSolver, SamplerKind::DpmSolverPp}) {
            SamplerConfig c = config(k, 9, 1);
            c.particles = 500;
            c.dpmSpacing = DpmSpacing::Time;
            Sampler dpm(c, ddpm, fixture().exact, 1);
            dpm.run();
            QCOMPARE(dpm.level().t, ddim.level().t);
            const double diff = (dpm.particles() - ddim.particles()).cwiseAbs().maxCoeff();
            QVERIFY2(diff <= 1e-9, qPrintable(QString("%1: %2").arg(samplerKindName(k).c_str()).arg(diff)));
        }
        // The multistep warm-up and single-step of order 1 are the same update.
        for (DpmMethod m : {DpmMethod::Multistep, DpmMethod::Singlestep}) {
            SamplerConfig a = config(SamplerKind::DpmSolver, 9, 1, m), b = config(SamplerKind::DpmSolverPp, 9, 1, m);
            a.particles = b.particles = 300;
            Sampler sa(a, NoiseSchedule::vp(), fixture().exact, 1), sb(b, NoiseSchedule::vp(), fixture().exact, 1);
            sa.run();
            sb.run();
            QVERIFY((sa.particles() - sb.particles()).cwiseAbs().maxCoeff() <= 1e-9);
        }
    }

    void reproducesData()
    {
        QElapsedTimer timer;
        timer.start();
        const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(1000);
        const double converged = run(config(SamplerKind::Ddim, 200), ddpm).sw2;
        qInfo("converged (DDIM 200) sw2 %.4f", converged);
        const struct {
            const char* name;
            SamplerConfig c;
        } cases[] = {{"edm 18", config(SamplerKind::Edm, 18)},
                     {"dpm-solver 3S 7", config(SamplerKind::DpmSolver, 7, 3, DpmMethod::Singlestep)},
                     {"dpm-solver 2M 20", config(SamplerKind::DpmSolver, 20)},
                     {"dpm-solver++ 2M 20", config(SamplerKind::DpmSolverPp, 20)},
                     {"dpm-solver++ 3M 20", config(SamplerKind::DpmSolverPp, 20, 3)}};
        const NoiseSchedule schedules[] = {ddpm, NoiseSchedule::vp(), NoiseSchedule::veContinuous(0.01, 20)};
        for (std::size_t i = 0; i < std::size(cases); ++i)
            for (const NoiseSchedule& schedule : {schedules[i % 3], schedules[(i + 1) % 3]}) {
                const auto& [name, c] = cases[i];
                const double sw2 = run(c, schedule).sw2;
                qInfo("%s on %s: sw2 %.4f (%.2f x converged)", name, schedule.name().c_str(), sw2, sw2 / converged);
                QVERIFY2(sw2 <= 1.15 * converged, qPrintable(QString("%1 on %2: %3 vs %4").arg(name).arg(schedule.name().c_str()).arg(sw2).arg(converged)));
            }
        // Churn (Algorithm 2) with the exact score samples the data too, a
        // little less sharply at 50 steps: over 24 seeds its sw2 was 0.087-0.090
        // (sd 0.02) against 0.077 without churn, so one seed is too noisy a
        // measure; the mean of four is held to 1.4x the converged run.
        double churnMean = 0;
        for (std::uint64_t seed = 1; seed <= 4; ++seed) {
            SamplerConfig churn = config(SamplerKind::Edm, 50);
            churn.edmChurn = 10;
            churn.seed = seed;
            churnMean += run(churn, ddpm).sw2 / 4;
        }
        qInfo("edm 50 churn 10: mean sw2 of 4 seeds %.4f (%.2f x converged)", churnMean, churnMean / converged);
        QVERIFY(churnMean <= 1.4 * converged);
        qInfo("reproducesData took %lld ms", timer.elapsed());
    }

    void beatsDdimAtLowNfe()
    {
        const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(1000);
        for (int nfe : {10, 20}) {
            SamplerConfig d = config(SamplerKind::Ddim, nfe);
            d.particles = kRaceParticles;
            const double ddim = run(d, ddpm).sw2;
            const struct {
                const char* name;
                SamplerConfig c;
            } cases[] = {{"dpm-solver 2M", config(SamplerKind::DpmSolver, nfe)},
                         {"dpm-solver 3M", config(SamplerKind::DpmSolver, nfe, 3)},
                         {"dpm-solver++ 2M", config(SamplerKind::DpmSolverPp, nfe)},
                         {"dpm-solver++ 3M", config(SamplerKind::DpmSolverPp, nfe, 3)},
                         {"dpm-solver++ 2S", config(SamplerKind::DpmSolverPp, nfe / 2, 2, DpmMethod::Singlestep)},
                         {"dpm-solver++ 3S", config(SamplerKind::DpmSolverPp, nfe / 3, 3, DpmMethod::Singlestep)}};
            QString failed;
            for (auto [name, c] : cases) {
                c.particles = kRaceParticles;
                const Outcome o = run(c, ddpm);
                qInfo("NFE %d: %s sw2 %.4f (NFE %lld) vs DDIM %.4f (%.2f x)", nfe, name, o.sw2, o.nfe, ddim, o.sw2 / ddim);
                QVERIFY(o.nfe <= nfe);
                if (!(o.sw2 < 0.98 * ddim)) failed += QString(" %1 (%2 vs %3)").arg(name).arg(o.sw2).arg(ddim);
            }
            QVERIFY2(failed.isEmpty(), qPrintable(QString("at %1 NFE not below 0.98 x DDIM:").arg(nfe) + failed));
        }
    }

    void edmAgainstDdimAndEuler()
    {
        const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(1000);
        const Outcome edm = run(config(SamplerKind::Edm, 18), ddpm);
        const double ddim35 = run(config(SamplerKind::Ddim, 35), ddpm).sw2, ddim50 = run(config(SamplerKind::Ddim, 50), ddpm).sw2;
        qInfo("EDM 18 steps (%lld NFE) sw2 %.4f; DDIM 35 %.4f, DDIM 50 %.4f", edm.nfe, edm.sw2, ddim35, ddim50);
        QVERIFY(edm.sw2 < ddim35);
        QVERIFY(edm.sw2 < 1.01 * ddim50);
        // On EDM's own VE form, Heun at N steps beats Euler at the same NFE.
        const NoiseSchedule ve = NoiseSchedule::veContinuous(0.01, 20);
        SamplerConfig euler = config(SamplerKind::ProbabilityFlow, 19);
        euler.ode = OdeMethod::Euler;
        const Outcome heun = run(config(SamplerKind::Edm, 10), ve), e = run(euler, ve);
        qInfo("VE: EDM 10 steps (%lld NFE) sw2 %.4f vs Euler (%lld NFE) %.4f", heun.nfe, heun.sw2, e.nfe, e.sw2);
        QVERIFY(heun.nfe == e.nfe);
        QVERIFY(heun.sw2 < 0.9 * e.sw2);
    }

    void edmBeatsDdimAtLowNfe()
    {
        // Paired runs: DDIM and EDM draw their start from the same seed.
        const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(1000);
        const auto gaussians25 = std::make_shared<const Dataset>(makePreset("25gaussians", 20000, 1));
        const std::shared_ptr<const ScoreSource> exact25 = std::make_shared<ExactScoreSource>(gaussians25);
        const auto sw2 = [&](SamplerConfig c, std::uint64_t seed, const std::shared_ptr<const ScoreSource>& source,
                             const Dataset& data) {
            c.particles = kRaceParticles;
            c.seed = seed;
            Sampler s(c, ddpm, source, 2);
            s.run();
            if (s.diverged()) qFatal("diverged: %s", s.divergence()->describe().c_str());
            return std::pair{slicedWasserstein2(s.particles(), data.points, 32, 5), s.evaluations()};
        };
        QString failed;
        const auto race = [&](const char* name, const std::shared_ptr<const ScoreSource>& source, const Dataset& data,
                              int nfe, double bound, double meanBound) {
            double ddimSum = 0, edmSum = 0;
            for (std::uint64_t seed : {3, 4, 5}) {
                const double ddim = sw2(config(SamplerKind::Ddim, nfe), seed, source, data).first;
                const auto [edm, evaluations] = sw2(config(SamplerKind::Edm, (nfe + 1) / 2), seed, source, data);
                QCOMPARE(evaluations, (long long)nfe);
                qInfo("%s, %d NFE, seed %d: EDM %.4f vs DDIM %.4f (%.2f x)", name, nfe, int(seed), edm, ddim, edm / ddim);
                if (!(edm < bound * ddim)) failed += QString(" %1 %2 NFE seed %3 (%4 vs %5);").arg(name).arg(nfe).arg(seed).arg(edm).arg(ddim);
                ddimSum += ddim;
                edmSum += edm;
            }
            if (!(edmSum < meanBound * ddimSum)) failed += QString(" %1 %2 NFE mean (%3 x);").arg(name).arg(nfe).arg(edmSum / ddimSum);
        };
        race("25gaussians", exact25, *gaussians25, 13, 0.95, 0.95);
        race("25gaussians", exact25, *gaussians25, 17, 0.8, 0.8);
        race("25gaussians", exact25, *gaussians25, 19, 0.8, 0.8);
        race("8gaussians", fixture().exact, *fixture().data, 19, 1.0, 0.99);
        QVERIFY2(failed.isEmpty(), qPrintable("EDM not below DDIM:" + failed));
        // The schedule's own sigma_max (157) is what lost: the rule is the fix.
        using Case = std::pair<std::shared_ptr<const ScoreSource>, std::shared_ptr<const Dataset>>;
        for (const auto& [source, data] : {Case{exact25, gaussians25}, Case{fixture().exact, fixture().data}}) {
            SamplerConfig wide = config(SamplerKind::Edm, 10);
            wide.edmSigmaMax = edmSigma(ddpm.sdeMarginal(1.0));
            const double edm = sw2(wide, 3, source, *data).first, ddim = sw2(config(SamplerKind::Ddim, 19), 3, source, *data).first;
            qInfo("%s, 19 NFE, sigma_max %.1f: EDM %.4f vs DDIM %.4f (%.2f x)", data->name.c_str(), wide.edmSigmaMax, edm, ddim, edm / ddim);
            QVERIFY(edm > 1.2 * ddim);
        }
    }

    void stepThrough()
    {
        // The followed particle's traced update is its real one: next = x + the
        // sum of the terms, and next is where the particle went.
        SamplerConfig edm = config(SamplerKind::Edm, 6), churn = config(SamplerKind::Edm, 6);
        churn.edmChurn = 5;
        for (SamplerConfig c : {edm, churn, config(SamplerKind::DpmSolver, 5, 3),
                                config(SamplerKind::DpmSolverPp, 4, 2, DpmMethod::Singlestep)}) {
            c.particles = 20;
            Sampler s(c, NoiseSchedule::vp(), fixture().exact, 1);
            s.follow({3});
            while (!s.done()) {
                const Eigen::Vector2d before = s.particles().col(3);
                s.step();
                QCOMPARE(int(s.trace().parts.size()), 1);
                const TracedParticle& p = s.trace().parts[0].particles.at(0);
                Eigen::Vector2d sum = p.x;
                for (const TracedTerm& t : p.terms) sum += t.value;
                QVERIFY((p.x - before).norm() < 1e-12);
                QVERIFY((sum - p.next).norm() < 1e-9 * (1 + p.next.norm()));
                QVERIFY((p.next - s.particles().col(3)).norm() < 1e-9 * (1 + p.next.norm()));
            }
        }
    }

    void refusals()
    {
        const auto refused = [&](SamplerConfig c, const NoiseSchedule& schedule, const char* words) {
            c.particles = 10;
            try {
                Sampler s(c, schedule, fixture().exact, 1);
            } catch (const InputError& e) {
                if (QString(e.what()).contains(words)) return true;
                qWarning("message: %s", e.what());
                return false;
            }
            return false;
        };
        SamplerConfig c = config(SamplerKind::Edm, 10);
        c.edmSigmaMax = 1000;
        QVERIFY(refused(c, NoiseSchedule::vp(), "outside the schedule"));
        c = config(SamplerKind::Edm, 10);
        c.edmSigmaMin = 2;
        c.edmSigmaMax = 1;
        QVERIFY(refused(c, NoiseSchedule::vp(), "sigma_min must be below"));
        QVERIFY(refused(config(SamplerKind::DpmSolver, 10, 4), NoiseSchedule::vp(), "order must be 1, 2 or 3"));
        c = config(SamplerKind::DpmSolverPp, 10);
        c.direction = Direction::DataToNoise;
        QVERIFY(refused(c, NoiseSchedule::vp(), "from data to noise"));
        QCOMPARE(samplerKindFromName("dpm-solver++"), SamplerKind::DpmSolverPp);
        QCOMPARE(dpmMethodFromName("singlestep"), DpmMethod::Singlestep);
        QVERIFY_THROWS_EXCEPTION(InputError, dpmSpacingFromName("karras"));
    }
};

QTEST_APPLESS_MAIN(TestFastSamplers)
#include "tst_fast_samplers.moc"
