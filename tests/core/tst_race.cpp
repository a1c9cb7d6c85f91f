// The sampler race (core/Race.h, core/RaceFile.h) against what is known of it.
//
// Overview:
//  - identicalConfigurations: two configurations that differ only by name
//    give bit-identical particles (shared start and noise stream), for a
//    stochastic sampler (DDPM) and annealed Langevin.
//  - sharedStart: every lane starts from raceNoise(seed) scaled by its
//    schedule's prior std; a lane at S = T is the plain Sampler, bit for bit.
//  - exactConverges: PF-ODE (RK4) with the exact score on 8gaussians at 200
//    steps lies within 1.3 times the sliced-W2 floor, its energy distance and
//    MMD^2 within 5e-3 of its floor and its mode TV within 0.06; at 1 step the energy
//    distance is above 1e-2 and MMD^2 ten times the fine one's (the
//    discretisation error shows).
//  - nfeCounted: NFE per sampler against closed forms (ddpm, ddim: S; pc with
//    M corrector steps: S (1 + M); heun: 2 S; annealed: L round(S / L));
//    respaced DDPM levels have the original levels' marginals; rk45: one row.
//  - respacedTimes: a learned score under respaced DDPM is asked at the
//    original levels' marginals and times.
//  - divergedRow, skippedSteps: a diverging run is a row marked diverged and
//    the race goes on; S > T is skipped and said.
//  - jsonRoundTrip, exampleFile, badInput: the file form and every refusal's
//    message (file, configuration, field).
//  - cancellation: the flag stops the race between steps.
#include "core/Error.h"
#include "core/Presets.h"
#include "core/RaceFile.h"

#include <QtTest>

#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>

using namespace ss;

namespace {

RaceScores mixtureScores(int n = 1000)
{
    return RaceScores::ofData(std::make_shared<const Dataset>(makePreset("8gaussians", n, 1)), "8gaussians");
}

RaceEntry entry(const std::string& name, SamplerKind kind, std::optional<NoiseSchedule> schedule = std::nullopt)
{
    RaceEntry e;
    e.name = name;
    e.sampler.kind = kind;
    e.schedule = std::move(schedule);
    return e;
}

RaceSpec smallSpec(std::vector<RaceEntry> entries, std::vector<int> steps, int particles = 200)
{
    RaceSpec s;
    s.entries = std::move(entries);
    s.steps = std::move(steps);
    s.particles = particles;
    s.seed = 7;
    return s;
}

// A "learned" score that records the levels it is asked at (the exact score's
// values, so the run is sane).
class RecordingSource final : public ScoreSource {
public:
    explicit RecordingSource(std::shared_ptr<const ScoreSource> inner) : inner_(std::move(inner)) {}
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override
    {
        std::lock_guard lock(mutex_);
        levels.push_back(level);
        inner_->score(x, level, out);
    }
    std::string describe() const override { return "recording"; }
    mutable std::vector<NoiseLevel> levels;

private:
    std::shared_ptr<const ScoreSource> inner_;
    mutable std::mutex mutex_;
};

bool bitIdentical(const Eigen::Matrix2Xd& a, const Eigen::Matrix2Xd& b)
{
    return a.cols() == b.cols() && std::memcmp(a.data(), b.data(), sizeof(double) * std::size_t(a.size())) == 0;
}

QString errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const InputError& e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}

} // namespace

class TestRace : public QObject {
    Q_OBJECT
private slots:
    void identicalConfigurations();
    void sharedStart();
    void exactConverges();
    void nfeCounted();
    void respacedTimes();
    void divergedRow();
    void skippedSteps();
    void jsonRoundTrip();
    void exampleFile();
    void fastSamplersFile();
    void badInput_data();
    void badInput();
    void cancellation();
};

void TestRace::identicalConfigurations()
{
    const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(40);
    const RaceSpec spec = smallSpec({entry("a", SamplerKind::Ddpm, ddpm), entry("b", SamplerKind::Ddpm, ddpm),
                                     entry("c", SamplerKind::AnnealedLangevin), entry("d", SamplerKind::AnnealedLangevin)},
                                    {10, 40});
    const RaceResult r = runRace(spec, mixtureScores(300));
    QCOMPARE(int(r.rows.size()), 8);
    for (int k : {0, 1, 4, 5}) { // a vs b, c vs d at each step count
        QCOMPARE(r.rows[std::size_t(k)].status, RaceStatus::Ok);
        QVERIFY(bitIdentical(r.rows[std::size_t(k)].particles, r.rows[std::size_t(k + 2)].particles));
        QCOMPARE(r.rows[std::size_t(k)].sw2, r.rows[std::size_t(k + 2)].sw2);
    }
    // The noise matters: DDPM at 10 and at 40 steps differ, and so does another seed.
    QVERIFY(!bitIdentical(r.rows[0].particles, r.rows[1].particles));
}

void TestRace::sharedStart()
{
    const RaceScores scores = mixtureScores(300);
    const Eigen::Matrix2Xd z = raceNoise(3, 100);
    const RaceLane ddpm(scores, entry("ddpm", SamplerKind::Ddpm, NoiseSchedule::ddpmLinear(50)), 10, 100, 3);
    RaceEntry ode = entry("ode", SamplerKind::ProbabilityFlow);
    ode.sampler.ode = OdeMethod::Heun;
    const RaceLane flow(scores, ode, 10, 100, 3);
    const RaceLane annealed(scores, entry("annealed", SamplerKind::AnnealedLangevin), 10, 100, 3);
    QVERIFY(bitIdentical(ddpm.particles(), z)); // VP priors: std 1
    QVERIFY(bitIdentical(flow.particles(), z));
    const double sigmaMax = annealed.schedule().priorStd();
    QVERIFY(sigmaMax > 1);
    QVERIFY(bitIdentical(annealed.particles(), sigmaMax * z));

    // At S = T the lane is the plain Sampler with the race's seed: the same
    // start (Sampler::reset's draw) and the same noise, bit for bit.
    RaceLane lane(scores, entry("ddpm", SamplerKind::Ddpm, NoiseSchedule::ddpmLinear(50)), 50, 100, 3);
    SamplerConfig c;
    c.kind = SamplerKind::Ddpm;
    c.particles = 100;
    c.seed = 3;
    Sampler plain(c, NoiseSchedule::ddpmLinear(50), scores.exact);
    QVERIFY(bitIdentical(lane.particles(), plain.particles()));
    while (lane.step()) {}
    plain.run();
    QVERIFY(bitIdentical(lane.particles(), plain.particles()));
}

void TestRace::exactConverges()
{
    RaceEntry rk4 = entry("rk4", SamplerKind::ProbabilityFlow);
    rk4.sampler.ode = OdeMethod::Rk4;
    RaceSpec spec = smallSpec({rk4}, {1, 200}, 1000);
    const RaceResult r = runRace(spec, mixtureScores(2000));
    QCOMPARE(int(r.rows.size()), 2);
    const RaceRow &coarse = r.rows[0], &fine = r.rows[1];
    qInfo("RK4, 1 step: sliced W2 %.4f, energy %.2e; 200 steps: %.4f, %.2e; floor %.4f, %.2e; mode TV %.3f (floor %.3f)",
          coarse.sw2, coarse.energy, fine.sw2, fine.energy, r.floor.sw2, r.floor.energy, fine.modeTv, r.floor.modeTv);
    QCOMPARE(r.floor.kind, std::string("independent preset draw"));
    // At 1000 particles sliced W2 is dominated by the multinomial noise of the
    // mode counts (the floor ~0.15); the energy distance is not (floor ~1e-4,
    // its U-statistic noise ~5e-4), so it tells 1 step from 200.
    QVERIFY(r.floor.sw2 > 0);
    QVERIFY2(fine.sw2 < 1.3 * r.floor.sw2, "200 RK4 steps of the exact flow are a perfect sampler up to the floor");
    QVERIFY(std::abs(fine.energy) < 2e-3);
    QVERIFY(fine.mmd2 < r.floor.mmd2 + 5e-3); // MMD^2's own noise at this size: a few 1e-3
    QVERIFY(fine.modeTv < 0.06); // the multinomial noise of 8 equal modes at n = 1000: ~0.033
    QVERIFY2(coarse.energy > 1e-2, "1 step: the discretisation error must show");
    QVERIFY(coarse.mmd2 > 10 * std::max(fine.mmd2, 1e-3));
    QVERIFY(coarse.sw2 > fine.sw2);
}

void TestRace::nfeCounted()
{
    const RaceScores scores = mixtureScores(300);
    const NoiseSchedule T100 = NoiseSchedule::ddpmLinear(100);
    RaceEntry pc = entry("pc", SamplerKind::PredictorCorrector);
    pc.sampler.correctorSteps = 2;
    RaceEntry heun = entry("heun", SamplerKind::ProbabilityFlow);
    heun.sampler.ode = OdeMethod::Heun;
    RaceEntry rk45 = entry("rk45", SamplerKind::ProbabilityFlow);
    const RaceSpec spec = smallSpec({entry("ddpm", SamplerKind::Ddpm, T100), entry("ddim", SamplerKind::Ddim, T100), pc,
                                     heun, entry("annealed", SamplerKind::AnnealedLangevin), rk45},
                                    {5, 20, 64}, 50);
    const RaceResult r = runRace(spec, scores);
    QCOMPARE(int(r.rows.size()), 5 * 3 + 1);
    for (const RaceRow& row : r.rows) {
        const long long S = row.steps;
        long long expected = S;
        if (row.name == "pc") expected = 3 * S;
        if (row.name == "heun") expected = 2 * S;
        if (row.name == "annealed") expected = 10 * std::max(1LL, std::llround(S / 10.0)); // geometric: L = 10
        if (row.name == "rk45") {
            QCOMPARE(row.steps, 0);
            QVERIFY(row.stepsTaken > 0);
            QVERIFY(row.evaluations >= 6LL * row.stepsTaken); // 6 new stages per accepted step at least
            continue;
        }
        QVERIFY2(row.evaluations == expected, qPrintable(QString::fromStdString(row.name) + " at " + QString::number(S)));
        if (row.name != "annealed") QCOMPARE(row.stepsTaken, row.steps);
    }
    // Respaced DDPM: level i of the S-level schedule is level round(i T / S) of the original.
    const RaceLane lane(scores, entry("ddpm", SamplerKind::Ddpm, T100), 8, 10, 0);
    QCOMPARE(lane.schedule().numLevels(), 8);
    for (int i = 1; i <= 8; ++i) {
        const int tau = int(std::lround(i * 100.0 / 8));
        QVERIFY(std::abs(lane.schedule().level(i).marginal.std - T100.level(tau).marginal.std) < 1e-12);
        QVERIFY(std::abs(lane.schedule().level(i).marginal.mean - T100.level(tau).marginal.mean) < 1e-12);
    }
    QCOMPARE(lane.scheduleName(), std::string("ddpm-linear respaced to 8"));
}

void TestRace::respacedTimes()
{
    // DDPM at S = 3 of T = 100 levels: the score is asked at levels 100, 67,
    // 33 of the original, with their marginals and their times 1, 0.67, 0.33
    // (not the respaced schedule's 1, 2/3, 1/3): a time-conditioned network
    // sees the level it was trained on.
    RaceScores scores = mixtureScores(200);
    const auto recording = std::make_shared<RecordingSource>(scores.exact);
    scores.learned = recording;
    const NoiseSchedule T100 = NoiseSchedule::ddpmLinear(100);
    scores.modelSchedule = T100;
    RaceEntry e = entry("ddpm", SamplerKind::Ddpm);
    e.score = RaceScore::Learned;
    RaceLane lane(scores, e, 3, 10, 0, 1);
    while (lane.step()) {}
    QCOMPARE(lane.evaluations(), 3LL);
    QCOMPARE(int(recording->levels.size()), 3); // one thread: one call per step
    const int taus[] = {100, 67, 33};
    for (int i = 0; i < 3; ++i) {
        const NoiseLevel& seen = recording->levels[std::size_t(i)];
        const NoiseLevel want = T100.level(taus[i]);
        QCOMPARE(seen.t, want.t);
        if (i > 0) QVERIFY(std::abs(seen.t - lane.schedule().level(3 - i).t) > 1e-3);
        QVERIFY(std::abs(seen.marginal.std - want.marginal.std) < 1e-12);
        QVERIFY(std::abs(seen.marginal.mean - want.marginal.mean) < 1e-12);
    }
}

void TestRace::divergedRow()
{
    RaceEntry wild = entry("wild", SamplerKind::Langevin);
    wild.sampler.stepSize = 50; // far beyond the stable limit 4 sigma^2
    wild.stepSizeGiven = true;
    wild.sampler.langevinStd = 0.05;
    wild.langevinStdGiven = true;
    const RaceSpec spec = smallSpec({wild, entry("ddim", SamplerKind::Ddim)}, {5, 20}, 50);
    const RaceResult r = runRace(spec, mixtureScores(300));
    QCOMPARE(int(r.rows.size()), 4);
    QCOMPARE(r.rows[0].status, RaceStatus::Diverged);
    QVERIFY(r.rows[0].note.find("diverged") != std::string::npos);
    QVERIFY(std::isnan(r.rows[0].sw2));
    QVERIFY(r.rows[0].particles.allFinite());
    QCOMPARE(r.rows[2].status, RaceStatus::Ok);
    QVERIFY(std::isfinite(r.rows[2].sw2));
    const std::string csv = raceResultCsvText(spec, r);
    QVERIFY(csv.find("wild,langevin,exact,geometric,5,") != std::string::npos);
    QVERIFY(csv.find(",diverged,") != std::string::npos);
}

void TestRace::skippedSteps()
{
    const RaceSpec spec = smallSpec({entry("ddim", SamplerKind::Ddim, NoiseSchedule::ddpmLinear(30))}, {10, 50}, 50);
    const RaceResult r = runRace(spec, mixtureScores(300));
    QCOMPARE(int(r.rows.size()), 1);
    QCOMPARE(int(r.skipped.size()), 1);
    QVERIFY2(r.skipped[0].find("configuration 'ddim' skips 50 steps: DDIM steps (50) exceed the schedule's T = 30") == 0,
             r.skipped[0].c_str());
}

void TestRace::jsonRoundTrip()
{
    RaceSpec spec = smallSpec({entry("DDPM", SamplerKind::Ddpm, NoiseSchedule::ddpmCosine(200)),
                               entry("PF-ODE, RK4", SamplerKind::ProbabilityFlow)},
                              {3, 30, 300}, 500);
    spec.name = "round trip";
    spec.entries[1].sampler.ode = OdeMethod::Rk4;
    spec.entries[1].score = RaceScore::Learned;
    RaceEntry langevin = entry("langevin", SamplerKind::Langevin);
    langevin.sampler.stepSize = 0.1; // given at its default value: kept as given
    langevin.stepSizeGiven = true;
    spec.entries.push_back(langevin);
    spec.metrics = {RaceMetric::Sw2, RaceMetric::Modes};
    spec.projections = 64;
    const RaceSpec back = raceSpecFromJsonText(raceSpecToJsonText(spec), "race.json");
    QVERIFY(back == spec);
    QVERIFY(back.entries[2].stepSizeGiven);
    QVERIFY(!back.entries[0].stepSizeGiven);
    // Through a file (atomic write) as well.
    QTemporaryDir dir;
    const std::string path = dir.filePath("race.json").toStdString();
    saveRaceSpec(path, spec);
    QVERIFY(loadRaceSpec(path) == spec);
}

void TestRace::exampleFile()
{
    const std::string path = SCORESCOPE_SOURCE_DIR "/resources/races/ddpm-ddim-ode.json";
    const RaceSpec spec = loadRaceSpec(path);
    QCOMPARE(int(spec.entries.size()), 6);
    int learned = 0;
    for (const RaceEntry& e : spec.entries) learned += e.score == RaceScore::Learned;
    QCOMPARE(learned, 3);
    const RaceSpec exact = loadRaceSpec(SCORESCOPE_SOURCE_DIR "/resources/races/exact-samplers.json");
    QCOMPARE(int(exact.entries.size()), 4);
    QCOMPARE(exact.steps, defaultRaceSteps());
}

void TestRace::fastSamplersFile()
{
    // resources/races/edm-dpm-ddim.json: EDM Heun, DDIM, PF-ODE Euler and
    // DPM-Solver++ 2M on one schedule; their own step counts are the window's
    // live run (18, 50, 200, 10), and at a sweep's S the NFE is 2S - 1, S, S, S.
    RaceSpec spec = loadRaceSpec(SCORESCOPE_SOURCE_DIR "/resources/races/edm-dpm-ddim.json");
    QCOMPARE(int(spec.entries.size()), 4);
    QCOMPARE(spec.entries[0].sampler.kind, SamplerKind::Edm);
    QCOMPARE(spec.entries[0].sampler.edmSteps, 18);
    QCOMPARE(spec.entries[1].sampler.ddimSteps, 50);
    QCOMPARE(spec.entries[2].sampler.steps, 200);
    QCOMPARE(spec.entries[3].sampler.kind, SamplerKind::DpmSolverPp);
    QCOMPARE(spec.entries[3].sampler.dpmSteps, 10);
    spec.steps = {10};
    spec.particles = 300;
    spec.metrics = {RaceMetric::Sw2};
    const RaceResult r = runRace(spec, mixtureScores());
    QCOMPARE(int(r.rows.size()), 4);
    const long long nfe[] = {19, 10, 10, 10};
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(r.rows[std::size_t(i)].status, RaceStatus::Ok);
        QCOMPARE(r.rows[std::size_t(i)].stepsTaken, 10);
        QCOMPARE(r.rows[std::size_t(i)].evaluations, nfe[i]);
        QVERIFY2(r.rows[std::size_t(i)].sw2 < 0.5, qPrintable(QString::fromStdString(r.rows[std::size_t(i)].name)));
    }
}

void TestRace::badInput_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    const QString head = R"({"format": "scorescope-race", "version": 1, )";
    QTest::newRow("not json") << "{" << "race.json: not valid JSON";
    QTest::newRow("format") << R"({"format": "scorescope-model", "version": 1})"
                            << "race.json: not a ScoreScope race file";
    QTest::newRow("no configurations") << head + "\"steps\": [5]}" << "race.json.configurations: missing";
    QTest::newRow("unknown field") << head + R"("configurations": [], "stepz": 3})" << "race.json.stepz: unknown field";
    QTest::newRow("empty") << head + R"("configurations": []})" << "race.json: configurations: give 1 to 12 (got 0)";
    QTest::newRow("unknown sampler")
        << head + R"("configurations": [{"name": "A", "score": "exact", "sampler": {"kind": "dpm"}}]})"
        << "race.json: configurations[0] 'A'.sampler.kind: unknown sampler";
    QTest::newRow("sampler field")
        << head + R"("configurations": [{"name": "A", "score": "exact", "sampler": {"kind": "ddim", "eta": 2}}]})"
        << "race.json: configurations[0] 'A'.sampler: ";
    QTest::newRow("score")
        << head + R"("configurations": [{"name": "A", "score": "model", "sampler": {"kind": "ddim"}}]})"
        << "race.json: configurations[0] 'A'.score: unknown score source 'model' (learned, exact)";
    QTest::newRow("entry field")
        << head + R"("configurations": [{"name": "A", "score": "exact", "sampler": {}, "steps": 4}]})"
        << "race.json: configurations[0].steps: unknown field";
    QTest::newRow("duplicate")
        << head + R"("configurations": [{"name": "A", "score": "exact", "sampler": {}},
                                        {"name": "A", "score": "exact", "sampler": {}}]})"
        << "race.json: configurations[1].name: 'A' is used twice";
    QTest::newRow("steps order")
        << head + R"("steps": [10, 5], "configurations": [{"name": "A", "score": "exact", "sampler": {}}]})"
        << "race.json: steps: must increase (10 then 5)";
    QTest::newRow("steps range")
        << head + R"("steps": [0], "configurations": [{"name": "A", "score": "exact", "sampler": {}}]})"
        << "race.json.steps: 0 is outside [1, 100000]";
    QTest::newRow("metric")
        << head + R"("metrics": ["fid"], "configurations": [{"name": "A", "score": "exact", "sampler": {}}]})"
        << "race.json.metrics: unknown metric 'fid' (sw2, mmd, energy, modes)";
    QTest::newRow("direction")
        << head + R"("configurations": [{"name": "E", "score": "exact", "sampler": {"kind": "ode", "direction": "data-to-noise"}}]})"
        << "race.json: configuration 'E': sampler.direction: a race samples from noise to data";
    QTest::newRow("schedule")
        << head + R"("configurations": [{"name": "S", "score": "exact", "sampler": {}, "schedule": {"kind": "geometric", "sigmaMin": 2, "sigmaMax": 1, "levels": 3}}]})"
        << "race.json: configurations[0] 'S'.schedule";
    // Refused when the race runs (the data and model are known then).
    QTest::newRow("learned without a model")
        << head + R"("configurations": [{"name": "L", "score": "learned", "sampler": {"kind": "ddim"}}]})"
        << "configuration 'L': score: 'learned' needs a model";
    QTest::newRow("schedule misfit")
        << head + R"("configurations": [{"name": "A", "score": "exact", "sampler": {"kind": "annealed"}, "schedule": {"kind": "vp", "betaMin": 0.1, "betaMax": 20}}]})"
        << "configuration 'A': annealed Langevin needs a VE schedule";
}

void TestRace::badInput()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const QString error = errorOf([&] {
        const RaceSpec spec = raceSpecFromJsonText(text.toStdString(), "race.json");
        RaceSpec small = spec;
        small.particles = 20;
        small.steps = {2};
        runRace(small, mixtureScores(100));
    });
    QVERIFY2(error.startsWith(message), qPrintable("got: " + error));
}

void TestRace::cancellation()
{
    const RaceSpec spec = smallSpec({entry("ddpm", SamplerKind::Ddpm, NoiseSchedule::ddpmLinear(200)),
                                     entry("em", SamplerKind::ReverseSde)},
                                    {50, 200}, 50);
    std::atomic<bool> cancel{false};
    int calls = 0, callsAfterCancel = 0;
    RaceOptions options;
    options.cancel = &cancel;
    options.progress = [&](const RaceProgress& p) {
        ++calls;
        if (cancel) ++callsAfterCancel;
        QCOMPARE(p.rows, 4);
        if (p.row == 1 && p.stepsTaken == 30) cancel = true; // in the second run
    };
    const RaceResult r = runRace(spec, mixtureScores(100), options);
    QVERIFY(r.cancelled);
    QCOMPARE(int(r.rows.size()), 1); // the finished first run; the second was stopped
    QCOMPARE(callsAfterCancel, 0);
    QCOMPARE(calls, 50 + 30);
}

QTEST_APPLESS_MAIN(TestRace)
#include "tst_race.moc"
