// Training reaches the truth, and the trainer's contract holds.
//
// Overview:
//  - ncsnReachesExactScore: NCSN on 8 Gaussians; at every level the density-
//    weighted Fisher divergence to the exact perturbed score of the mixture is
//    small relative to the score's own size (threshold justified below).
//  - singleSigmaObjectives: DSM, ISM, SSM and SSM-VR each cut the Fisher
//    divergence of a single-sigma model to the exact score at that sigma.
//  - ddpmLearnsNoise: DDPM L_simple on a linear schedule, score via -eps/std.
//  - divergenceIsRestored, liveChanges, deterministic: the trainer's contract.
// Seeds are fixed; every case trains for at most a few seconds.
#include "core/Error.h"
#include "core/FisherDivergence.h"
#include "core/Presets.h"
#include "core/Trainer.h"

#include <QtTest>

#include <cmath>
#include <memory>

using namespace ss;

namespace {

std::shared_ptr<const Dataset> eightGaussians()
{
    return std::make_shared<const Dataset>(makePreset("8gaussians", 4000, 7));
}

ModelConfig smallModel()
{
    ModelConfig m;
    m.hidden = {64, 64, 64};
    m.seed = 3;
    return m;
}

OptimizerConfig optimizer(double lr, int steps)
{
    OptimizerConfig o;
    o.learningRate = lr;
    o.decay = LrDecay::Cosine;
    o.decaySteps = steps;
    o.finalFraction = 0.05;
    o.emaDecay = 0.99;
    return o;
}

TrainerConfig trainerConfig(int batch)
{
    TrainerConfig t;
    t.batchSize = batch;
    t.seed = 21;
    return t;
}

} // namespace

class TestTraining : public QObject {
    Q_OBJECT
private slots:
    void ncsnReachesExactScore();
    void singleSigmaObjectives_data();
    void singleSigmaObjectives();
    void ddpmLearnsNoise();
    void divergenceIsRestored();
    void liveChanges();
    void deterministic();
    void batchDoesNotDependOnTheSplit();
};

void TestTraining::ncsnReachesExactScore()
{
    const auto data = eightGaussians();
    const auto schedule = NoiseSchedule::geometric(0.1, 4.0, 6);
    ObjectiveConfig oc; // ncsn
    const int steps = 4000;
    Trainer trainer(data, smallModel(), oc, schedule, optimizer(3e-3, steps), trainerConfig(256));
    Rng rng(99);
    // Before training: the relative divergence is of order 1 at every level.
    for (int k = 1; k <= schedule.numLevels(); ++k)
        QVERIFY(fisherDivergence(trainer.net(), *data, schedule.level(k), 2000, rng).relative > 0.3);
    trainer.run(steps);
    const ScoreNet ema = trainer.emaNet();
    // Threshold: relative D_F < 0.05 at every level, i.e. the learned score
    // explains over 95% of the exact score's mean square. The floor is set by
    // the 4,000 training points (the model learns their empirical perturbed
    // score; at sigma = 0.1 with component std 0.1 the two differ by a few %)
    // and by the network's size; an untrained net scores ~1, a model that
    // missed one mode of eight ~0.1.
    for (int k = 1; k <= schedule.numLevels(); ++k) {
        const auto level = schedule.level(k);
        const auto f = fisherDivergence(ema, *data, level, 4000, rng);
        qInfo("sigma %.3f: D_F %.4g, relative %.4f", level.marginal.std, f.divergence, f.relative);
        QVERIFY2(f.relative < 0.05, qPrintable(QString("relative Fisher divergence %1 at sigma %2")
                                                    .arg(f.relative)
                                                    .arg(level.marginal.std)));
    }
    QVERIFY(std::isfinite(trainer.stats().smoothedLoss));
    for (double l : trainer.stats().levelLoss) QVERIFY(std::isfinite(l));
}

void TestTraining::singleSigmaObjectives_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<double>("maxRatio");
    // ISM/SSM estimate the trace term by differentiation or projection, so they
    // converge more slowly than DSM; each must at least halve the divergence.
    QTest::newRow("dsm") << int(ObjectiveKind::Dsm) << 0.2;
    QTest::newRow("ism") << int(ObjectiveKind::Ism) << 0.5;
    QTest::newRow("ssm") << int(ObjectiveKind::Ssm) << 0.5;
    QTest::newRow("ssm-vr") << int(ObjectiveKind::SsmVr) << 0.5;
}

void TestTraining::singleSigmaObjectives()
{
    QFETCH(int, kind);
    QFETCH(double, maxRatio);
    const auto data = eightGaussians();
    ObjectiveConfig oc;
    oc.kind = ObjectiveKind(kind);
    oc.sigma = 0.5;
    ModelConfig mc = smallModel();
    mc.conditioning = NoiseConditioning::None;
    mc.parametrisation = Parametrisation::Score;
    const int steps = 1500;
    Trainer trainer(data, mc, oc, NoiseSchedule{}, optimizer(3e-3, steps), trainerConfig(256));
    const NoiseLevel level{Marginal{1.0, 0.5}, 0.0};
    Rng rng(5);
    const double before = fisherDivergence(trainer.net(), *data, level, 4000, rng).divergence;
    trainer.run(steps);
    const double after = fisherDivergence(trainer.emaNet(), *data, level, 4000, rng).divergence;
    qInfo("D_F before %.4g, after %.4g (ratio %.3f)", before, after, after / before);
    QVERIFY(after < maxRatio * before);
}

void TestTraining::ddpmLearnsNoise()
{
    const auto data = eightGaussians();
    const auto schedule = NoiseSchedule::ddpmLinear(100);
    ObjectiveConfig oc;
    oc.kind = ObjectiveKind::Ddpm;
    ModelConfig mc = smallModel();
    mc.parametrisation = Parametrisation::Epsilon;
    mc.conditioning = NoiseConditioning::Time;
    mc.embeddingFrequencies = 4;
    const int steps = 3000;
    Trainer trainer(data, mc, oc, schedule, optimizer(3e-3, steps), trainerConfig(256));
    trainer.run(steps);
    Rng rng(8);
    // The model's score -eps_hat/std must match the exact one from t = 20
    // (std ~ 0.57) up. Below that L_simple's weighting (lambda = std^2) makes the
    // score error grow like 1/std: at t = 5..10 (std 0.17..0.3) this short run
    // leaves a relative divergence of 0.4..0.5 (measured), a known limit of
    // epsilon prediction that the sampler issue will show, not a bug here.
    for (int t : {20, 30, 60, 90}) {
        const auto f = fisherDivergence(trainer.emaNet(), *data, schedule.level(t), 4000, rng);
        qInfo("t %d: relative %.4f", t, f.relative);
        QVERIFY(f.relative < 0.05);
    }
}

void TestTraining::divergenceIsRestored()
{
    const auto data = eightGaussians();
    ObjectiveConfig oc;
    TrainerConfig tc = trainerConfig(64);
    Trainer trainer(data, smallModel(), oc, NoiseSchedule{}, OptimizerConfig{}, tc);
    trainer.run(Trainer::kSnapshotInterval + 20); // a snapshot at step 100
    const double lr = trainer.optimizer().config().learningRate;

    // A hostile data set: coordinates so large that the loss overflows float.
    auto hostile = std::make_shared<Dataset>();
    hostile->points = Eigen::Matrix2Xd::Constant(2, 10, 1e30);
    trainer.setData(hostile);
    const StepStats s = trainer.step();
    QVERIFY(s.restored);
    QCOMPARE(s.step, std::int64_t(Trainer::kSnapshotInterval));
    QVERIFY(trainer.net().mlp().params().allFinite());
    QCOMPARE(trainer.stats().restores, 1);
    QVERIFY(!trainer.stats().lastEvent.empty());
    QVERIFY(trainer.optimizer().config().learningRate < lr);

    // Back on good data it trains on from the restored weights.
    trainer.setData(data);
    const StepStats next = trainer.step();
    QVERIFY(!next.restored);
    QVERIFY(std::isfinite(next.loss));
    QCOMPARE(next.step, std::int64_t(Trainer::kSnapshotInterval + 1));
}

void TestTraining::liveChanges()
{
    const auto data = eightGaussians();
    ObjectiveConfig oc;
    Trainer trainer(data, smallModel(), oc, NoiseSchedule::geometric(0.1, 4, 6), OptimizerConfig{}, trainerConfig(32));
    trainer.run(10);
    trainer.setSchedule(NoiseSchedule::geometric(0.05, 8, 12));
    QCOMPARE(trainer.stats().levelLoss.size(), size_t(12));
    trainer.setLearningRate(2e-4);
    QCOMPARE(trainer.optimizer().currentLearningRate(), 2e-4);
    trainer.setBatchSize(100);
    trainer.run(5);
    QCOMPARE(trainer.stats().step, std::int64_t(15));

    // Refused changes leave the trainer as it was.
    QVERIFY_THROWS_EXCEPTION(InputError, trainer.setLearningRate(-1));
    QVERIFY_THROWS_EXCEPTION(InputError, trainer.setBatchSize(0));
    QCOMPARE(trainer.optimizer().currentLearningRate(), 2e-4);
    QCOMPARE(trainer.config().batchSize, 100);
    ObjectiveConfig vlb;
    vlb.kind = ObjectiveKind::Ddpm;
    vlb.vlbWeights = true;
    QVERIFY_THROWS_EXCEPTION(InputError, Trainer(data, smallModel(), vlb, NoiseSchedule{}));
    // A label-conditional model refuses data without labels, or with more classes.
    ModelConfig labelled = smallModel();
    labelled.numClasses = 2;
    auto unlabelled = std::make_shared<const Dataset>(makePreset("checkerboard", 100, 1));
    QVERIFY_THROWS_EXCEPTION(InputError, Trainer(unlabelled, labelled, oc, NoiseSchedule{}));
    QVERIFY_THROWS_EXCEPTION(InputError, Trainer(data, labelled, oc, NoiseSchedule{})); // 8 classes
    // Trainer settings out of range.
    TrainerConfig badThreads;
    badThreads.threads = 100000;
    QVERIFY_THROWS_EXCEPTION(InputError, Trainer(data, smallModel(), oc, NoiseSchedule{}, {}, badThreads));
    TrainerConfig badChunk;
    badChunk.chunk = 0;
    QVERIFY_THROWS_EXCEPTION(InputError, Trainer(data, smallModel(), oc, NoiseSchedule{}, {}, badChunk));
}

void TestTraining::deterministic()
{
    // Same seeds, same result, bit for bit, with the batch split over threads.
    const auto data = eightGaussians();
    ObjectiveConfig oc;
    TrainerConfig tc = trainerConfig(512);
    tc.threads = 2;
    Trainer a(data, smallModel(), oc, NoiseSchedule{}, OptimizerConfig{}, tc);
    Trainer b(data, smallModel(), oc, NoiseSchedule{}, OptimizerConfig{}, tc);
    a.run(30);
    b.run(30);
    QVERIFY(a.net().mlp().params() == b.net().mlp().params());
    tc.seed += 1;
    Trainer c(data, smallModel(), oc, NoiseSchedule{}, OptimizerConfig{}, tc);
    c.run(30);
    QVERIFY(a.net().mlp().params() != c.net().mlp().params());
}

void TestTraining::batchDoesNotDependOnTheSplit()
{
    // Each worker draws its own examples (Objective::drawExamples). The batch
    // must be the one a single thread draws: every example's loss, and so
    // each level's running loss, bit for bit; the batch loss up to the order
    // of the workers' partial sums.
    const auto data = eightGaussians();
    ObjectiveConfig oc;
    TrainerConfig tc = trainerConfig(512);
    tc.threads = 1;
    Trainer one(data, smallModel(), oc, NoiseSchedule{}, OptimizerConfig{}, tc);
    tc.threads = 2;
    tc.minColumnsPerThread = 16;
    Trainer split(data, smallModel(), oc, NoiseSchedule{}, OptimizerConfig{}, tc);
    // One step: the next one starts from weights that differ in the last bits.
    const StepStats a = one.step(), b = split.step();
    QVERIFY(std::abs(a.loss - b.loss) <= 1e-6 * std::abs(a.loss));
    const auto& la = one.stats().levelLoss;
    const auto& lb = split.stats().levelLoss;
    QCOMPARE(la.size(), lb.size());
    int filled = 0;
    for (std::size_t i = 0; i < la.size(); ++i) {
        if (std::isnan(la[i])) continue;
        ++filled;
        QCOMPARE(lb[i], la[i]);
    }
    QVERIFY(filled >= 2);
}

QTEST_APPLESS_MAIN(TestTraining)
#include "tst_training.moc"
