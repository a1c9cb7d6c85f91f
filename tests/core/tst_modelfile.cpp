// Model files: bit-exact round trips and strict, named refusals.
// How to add a bad-file case: a row in refused_data() with a mutation of a
// valid file's JSON and a phrase the message must contain.
#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/ModelFile.h"
#include "core/Presets.h"
#include "core/Trainer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>

using namespace ss;
using Mutation = std::function<void(nlohmann::json&)>;
Q_DECLARE_METATYPE(Mutation)
Q_DECLARE_METATYPE(ss::NoiseSchedule)

namespace {

TrainedModel trainedSample()
{
    auto data = std::make_shared<const Dataset>(makePreset("moons", 500, 1));
    ModelConfig mc;
    mc.hidden = {16, 16};
    mc.embeddingFrequencies = 2;
    mc.numClasses = 2;
    ObjectiveConfig oc;
    oc.labelDropout = 0.2;
    TrainerConfig tc;
    tc.batchSize = 32;
    Trainer trainer(data, mc, oc, NoiseSchedule::ddpmCosine(200), OptimizerConfig{}, tc);
    trainer.run(20);
    return trainedModelOf(trainer);
}

std::string writeText(const QTemporaryDir& dir, const std::string& name, const std::string& text)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

} // namespace

class TestModelFile : public QObject {
    Q_OBJECT
private slots:
    void roundTrip();
    void schedulesRoundTrip_data();
    void schedulesRoundTrip();
    void refused_data();
    void refused();
    void fileErrors();
};

void TestModelFile::roundTrip()
{
    const TrainedModel m = trainedSample();
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.json").toStdString();
    saveModel(path, m);
    const TrainedModel back = loadModel(path);
    QVERIFY(back.model == m.model);
    QVERIFY(back.objective == m.objective);
    QVERIFY(back.optimizer == m.optimizer);
    QCOMPARE(toJson(back.schedule), toJson(m.schedule));
    QCOMPARE(back.step, m.step);
    QCOMPARE(back.dataName, m.dataName);
    QVERIFY(back.params == m.params); // bit-exact
    QVERIFY(back.ema == m.ema);
    QVERIFY(back.params != back.ema); // both really travelled

    // The loaded network gives the same scores.
    Eigen::Matrix2Xd x = Eigen::Matrix2Xd::Random(2, 50), a(2, 50), b(2, 50);
    const NoiseLevel level = m.schedule.level(30);
    m.net().score(x, level, 1, a);
    back.net().score(x, level, 1, b);
    QVERIFY(a == b);
}

void TestModelFile::schedulesRoundTrip_data()
{
    QTest::addColumn<NoiseSchedule>("schedule");
    QTest::newRow("geometric") << NoiseSchedule::geometric(0.01, 10, 7);
    QTest::newRow("sigma-levels") << NoiseSchedule::sigmaLevels({5, 2, 0.7, 0.1});
    QTest::newRow("ve") << NoiseSchedule::veContinuous(0.02, 30);
    QTest::newRow("ddpm-linear") << NoiseSchedule::ddpmLinear(500);
    QTest::newRow("ddpm-linear-raw") << NoiseSchedule::ddpmLinear(100, 1e-3, 0.05, false);
    QTest::newRow("ddpm-cosine") << NoiseSchedule::ddpmCosine(300, 0.01);
    QTest::newRow("ddpm-betas") << NoiseSchedule::ddpmBetas({0.01, 0.02, 0.05, 0.1});
    QTest::newRow("vp") << NoiseSchedule::vp(0.2, 15);
    QTest::newRow("sub-vp") << NoiseSchedule::subVp();
    QTest::newRow("custom-curve") << NoiseSchedule::customCurve({{0, -3}, {0.4, -1}, {1, 2}}, 8);
}

void TestModelFile::schedulesRoundTrip()
{
    QFETCH(NoiseSchedule, schedule);
    const NoiseSchedule back = scheduleFromJson(toJson(schedule), "test");
    QCOMPARE(back.kind(), schedule.kind());
    QCOMPARE(back.numLevels(), schedule.numLevels());
    for (double t : {0.0, 0.13, 0.5, 0.77, 1.0}) {
        QCOMPARE(back.at(t).marginal.std, schedule.at(t).marginal.std);
        QCOMPARE(back.at(t).marginal.mean, schedule.at(t).marginal.mean);
    }
}

void TestModelFile::refused_data()
{
    QTest::addColumn<Mutation>("mutate");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("wrong format") << Mutation([](auto& j) { j["format"] = "other"; }) << "not a ScoreScope model";
    QTest::newRow("future version") << Mutation([](auto& j) { j["version"] = 99; }) << "newer";
    QTest::newRow("version as text") << Mutation([](auto& j) { j["version"] = "1"; }) << "version: expected an integer";
    QTest::newRow("hidden as text") << Mutation([](auto& j) { j["model"]["hidden"] = "wide"; }) << "model.hidden";
    QTest::newRow("huge width") << Mutation([](auto& j) { j["model"]["hidden"] = {100000}; }) << "model.hidden";
    QTest::newRow("unknown activation") << Mutation([](auto& j) { j["model"]["activation"] = "gelu"; })
                                        << "unknown activation 'gelu'";
    QTest::newRow("missing params") << Mutation([](auto& j) { j.erase("params"); }) << "params: missing";
    QTest::newRow("too few params") << Mutation([](auto& j) { j["params"].erase(0); }) << "architecture needs";
    QTest::newRow("too many params") << Mutation([](auto& j) { j["ema"].push_back(1.0); }) << "ema";
    QTest::newRow("param as text") << Mutation([](auto& j) { j["params"][3] = "x"; }) << "params[3]";
    QTest::newRow("param overflows float") << Mutation([](auto& j) { j["params"][2] = 1e300; }) << "params[2]";
    QTest::newRow("bad schedule") << Mutation([](auto& j) { j["schedule"]["T"] = 0; }) << "schedule";
    QTest::newRow("unknown schedule") << Mutation([](auto& j) { j["schedule"]["kind"] = "warp"; }) << "warp";
    QTest::newRow("bad learning rate") << Mutation([](auto& j) { j["optimizer"]["learningRate"] = -1; })
                                       << "learning rate";
    QTest::newRow("oversized network") << Mutation([](auto& j) {
        j["model"]["hidden"] = std::vector<int>(16, 4096);
    }) << "parameters";
    QTest::newRow("negative step") << Mutation([](auto& j) { j["step"] = -5; }) << "step";
    QTest::newRow("not an object") << Mutation([](auto& j) { j = nlohmann::json::array(); }) << "not a ScoreScope";
}

void TestModelFile::refused()
{
    QFETCH(Mutation, mutate);
    QFETCH(QString, phrase);
    auto j = nlohmann::json::parse(modelToJsonText(trainedSample()));
    mutate(j);
    try {
        modelFromJsonText(j.dump(), "bad.json");
        QFAIL("accepted a bad model file");
    } catch (const InputError& e) {
        const QString what = e.what();
        QVERIFY2(what.startsWith("bad.json") && what.contains(phrase), qPrintable(what));
    }
}

void TestModelFile::fileErrors()
{
    QTemporaryDir dir;
    const std::string good = modelToJsonText(trainedSample());
    // Truncated, NaN literal, empty, missing.
    const std::pair<std::string, QString> texts[] = {{good.substr(0, good.size() / 2), "not valid JSON"},
                                                     {"{\"format\": NaN}", "not valid JSON"},
                                                     {"{\"format\": 1e999}", "not valid JSON"},
                                                     {"", "not valid JSON"}};
    for (const auto& [text, phrase] : texts) {
        const std::string path = writeText(dir, "bad.json", text);
        QVERIFY_THROWS_EXCEPTION(InputError, loadModel(path));
        try {
            loadModel(path);
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(phrase), e.what());
        }
    }
    QVERIFY_THROWS_EXCEPTION(InputError, loadModel(dir.filePath("missing.json").toStdString()));
    // An unwritable destination is refused and leaves nothing behind.
    QVERIFY_THROWS_EXCEPTION(InputError, saveModel("/nonexistent-dir/model.json", trainedSample()));
}

QTEST_APPLESS_MAIN(TestModelFile)
#include "tst_modelfile.moc"
