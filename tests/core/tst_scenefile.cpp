// Scene files: every field round-trips bit-exactly, training resumes exactly
// where it stopped, and bad files are refused with messages that name the
// file and the field.
// How to add a bad-file case: a row in refused_data() with a mutation of a
// valid scene's JSON and a phrase the message must contain.
#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/Presets.h"
#include "core/SceneFile.h"
#include "core/Trainer.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>

using namespace ss;
using Mutation = std::function<void(nlohmann::json&)>;
Q_DECLARE_METATYPE(Mutation)

namespace {

// 25 labelled modes (the mixture whose weights do not survive a second
// normalisation bit for bit), a class-conditional model trained a little.
SceneDocument trainedScene(int steps = 30)
{
    SceneDocument s;
    s.data = makePreset("25gaussians", 400, 3, {{"std", 0.2}});
    s.origin = DataOrigin{"25gaussians", 400, 3, {{"std", 0.2}}};
    s.model.hidden = {16, 16};
    s.model.embeddingFrequencies = 2;
    s.model.numClasses = 25;
    s.model.seed = 7;
    s.objective.labelDropout = 0.1;
    s.schedule = NoiseSchedule::geometric(0.05, 5, 8);
    s.optimizer.emaDecay = 0.9;
    s.trainer.batchSize = 256;
    s.trainer.threads = 2; // two workers: the split gradient sums are part of what must match
    s.trainer.seed = 11;
    auto trainer = makeTrainer(s);
    for (int i = 0; i < steps; ++i) {
        const StepStats st = trainer->step();
        s.history.push_back({st.step, st.loss, trainer->stats().levelLoss});
    }
    captureTraining(*trainer, s);
    s.sampling.sampler.kind = SamplerKind::Ddim;
    s.sampling.sampler.particles = 321;
    s.sampling.sampler.seed = 1234567890123ull;
    s.sampling.sampler.eta = 0.3;
    s.sampling.exactScore = true;
    s.sampling.stepsPerFrame = 17;
    s.sampling.trailLength = 40;
    s.sampling.loop = false;
    s.sampling.useEma = false;
    s.app = {{"layers", {{"density", {true, 0.8}}, {"trails", {false, 0.25}}}},
             {"view", {-4.5, -3.25, 4.5, 3.25}},
             {"scrubber", 0.375}};
    return s;
}

// Points drawn by hand: no mixture, no origin, no training yet.
SceneDocument drawnScene()
{
    SceneDocument s;
    s.data.name = "drawn";
    s.data.points.resize(2, 3);
    s.data.points << 0.1, -2.5, 1e-17, 3.0 / 7.0, 4.25, -0.0;
    s.data.labels = {0, 2, 1};
    s.data.numClasses = 3;
    s.model.hidden = {8};
    return s;
}

std::string pathIn(const QTemporaryDir& dir, const char* name) { return dir.filePath(name).toStdString(); }

std::string writeText(const QTemporaryDir& dir, const char* name, const std::string& text)
{
    const std::string path = pathIn(dir, name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The message of the InputError f throws ("" when it throws none).
QString refusal(const std::function<void()>& f)
{
    try {
        f();
    } catch (const InputError& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

bool sameLevels(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
    return true;
}

} // namespace

class TestSceneFile : public QObject {
    Q_OBJECT
private slots:
    void roundTrip();
    void drawnDataRoundTrip();
    void resumesExactly();
    void refused_data();
    void refused();
    void limits();
    void fileErrors();
    void unwritablePath();
};

void TestSceneFile::roundTrip()
{
    SceneDocument s = trainedScene();
    QVERIFY(s.training && s.history.size() == 30 && s.history[0].levels.size() == 8);
    s.history[0].levels[3] = std::numeric_limits<double>::quiet_NaN(); // a level not seen yet
    auto& p = s.training->params; // floats at the edges of the shortest-decimal writer
    p[0] = std::numeric_limits<float>::denorm_min();
    p[1] = std::numeric_limits<float>::max();
    p[2] = -0.0f;
    p[3] = std::numeric_limits<float>::lowest();
    p[4] = 16777217.0f;
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "scene.scorescope");
    saveScene(path, s);
    const SceneDocument b = loadScene(path);

    QCOMPARE(b.data.name, s.data.name);
    QVERIFY(b.data.points == s.data.points);
    QVERIFY(b.data.labels == s.data.labels);
    QCOMPARE(b.data.numClasses, 25);
    QVERIFY(b.origin == s.origin);
    QVERIFY(b.data.mixture.has_value());
    QVERIFY(b.data.mixture->weights() == s.data.mixture->weights()); // not renormalised
    const Eigen::Matrix2Xd x = Eigen::Matrix2Xd::Random(2, 40) * 4;
    for (const Marginal m : {Marginal{1, 0.05}, Marginal{0.8, 0.6}, Marginal{1, 3}}) {
        Eigen::Matrix2Xd a(2, 40), c(2, 40);
        s.data.mixture->score(x, m, a);
        b.data.mixture->score(x, m, c);
        QVERIFY(a == c); // the exact score, bit for bit
    }

    QVERIFY(b.model == s.model);
    QVERIFY(b.objective == s.objective);
    QCOMPARE(toJson(b.schedule), toJson(s.schedule));
    QVERIFY(b.optimizer == s.optimizer);
    QCOMPARE(toJson(b.trainer), toJson(s.trainer));

    QVERIFY(b.training.has_value());
    const TrainingState &t = *s.training, &u = *b.training;
    QVERIFY(u.params == t.params); // bit-exact
    QVERIFY(std::signbit(u.params[2]));
    QVERIFY(u.adam.ema == t.adam.ema);
    QVERIFY(u.adam.m == t.adam.m);
    QVERIFY(u.adam.v == t.adam.v);
    QCOMPARE(u.adam.step, std::int64_t(30));
    QVERIFY(u.batchRng == t.batchRng);
    QVERIFY(u.params != u.adam.ema); // both really travelled

    QCOMPARE(b.history.size(), s.history.size());
    for (std::size_t i = 0; i < s.history.size(); ++i) {
        QCOMPARE(b.history[i].step, s.history[i].step);
        QCOMPARE(b.history[i].loss, s.history[i].loss);
        QVERIFY(sameLevels(b.history[i].levels, s.history[i].levels));
    }
    QVERIFY(std::isnan(b.history[0].levels[3]));
    QVERIFY(b.sampling == s.sampling);
    QCOMPARE(b.app, s.app);
}

void TestSceneFile::drawnDataRoundTrip()
{
    const SceneDocument s = drawnScene();
    const SceneDocument b = sceneFromJsonText(sceneToJsonText(s), "drawn.scorescope");
    QVERIFY(b.data.points == s.data.points);
    QVERIFY(std::signbit(b.data.points(1, 2))); // -0 stays -0
    QVERIFY(b.data.labels == s.data.labels);
    QVERIFY(!b.data.mixture && !b.origin && !b.training && b.history.empty());
    QVERIFY(b.sampling == SamplingSettings{});
    QCOMPARE(b.app, nlohmann::json::object());
    // An untrained scene builds a trainer from the model's seed.
    QCOMPARE(makeTrainer(b)->optimizer().state().step, std::int64_t(0));
}

void TestSceneFile::resumesExactly()
{
    constexpr int N = 25, M = 40;
    const SceneDocument straight = trainedScene(N + M);

    QTemporaryDir dir;
    const std::string path = pathIn(dir, "resume.scorescope");
    saveScene(path, trainedScene(N));
    const SceneDocument loaded = loadScene(path);
    auto resumed = makeTrainer(loaded);
    QCOMPARE(resumed->optimizer().state().step, std::int64_t(N));
    resumed->run(M);
    QVERIFY(resumed->net().mlp().params() == straight.training->params); // bit-identical
    QVERIFY(resumed->optimizer().state().ema == straight.training->adam.ema);
    QVERIFY(resumed->optimizer().state().v == straight.training->adam.v);

    // The batch stream matters: without it the same weights go elsewhere.
    auto fresh = makeTrainer(loaded);
    fresh->setBatchRngState(Rng(loaded.trainer.seed).state());
    fresh->run(M);
    QVERIFY(fresh->net().mlp().params() != straight.training->params);
}

void TestSceneFile::refused_data()
{
    QTest::addColumn<Mutation>("mutate");
    QTest::addColumn<QString>("phrase");
    // clang-format off
    QTest::newRow("not an object") << Mutation([](auto& j) { j = nlohmann::json::array(); })
                                   << "not a ScoreScope scene file";
    QTest::newRow("wrong format") << Mutation([](auto& j) { j["format"] = "scorescope-model"; })
                                  << "not a ScoreScope scene file";
    QTest::newRow("future version") << Mutation([](auto& j) { j["version"] = 7; })
                                    << "written by a newer ScoreScope (scene format version 7";
    QTest::newRow("version as text") << Mutation([](auto& j) { j["version"] = "1"; })
                                     << "version: expected an integer";
    QTest::newRow("unknown field") << Mutation([](auto& j) { j["extra"] = 1; }) << "extra: unknown field";
    QTest::newRow("missing data") << Mutation([](auto& j) { j.erase("data"); }) << "data: missing";
    QTest::newRow("points as text") << Mutation([](auto& j) { j["data"]["x"] = "many"; })
                                    << "data.x: expected an array";
    QTest::newRow("NaN as a string") << Mutation([](auto& j) { j["data"]["x"][1] = "NaN"; })
                                     << "data.x[1]: not a finite number";
    QTest::newRow("x and y differ") << Mutation([](auto& j) { j["data"]["y"].erase(0); })
                                    << "data.y: 399 values for 400";
    QTest::newRow("huge array") << Mutation([](auto& j) { j["data"]["x"] = std::vector<double>(5'000'001, 0.0); })
                                << "data.x: 5000001 entries, more than the limit of 5000000";
    QTest::newRow("no points") << Mutation([](auto& j) { j["data"]["x"] = j["data"]["y"] = nlohmann::json::array(); })
                               << "data.x: no points";
    QTest::newRow("label out of range") << Mutation([](auto& j) { j["data"]["labels"][3] = 25; })
                                        << "data.labels[3]: expected a class in [0, 25)";
    QTest::newRow("negative label") << Mutation([](auto& j) { j["data"]["labels"][5] = -1; }) << "data.labels[5]";
    QTest::newRow("label count") << Mutation([](auto& j) { j["data"]["labels"].erase(0); })
                                 << "data.labels: 399 labels for 400 points";
    QTest::newRow("mixture not positive definite")
        << Mutation([](auto& j) { j["data"]["mixture"]["components"][2]["covariance"] = {1, 2, 2, 1}; })
        << "data.mixture: Gaussian mixture: component 2 has a covariance that is not positive definite";
    QTest::newRow("mixture mean") << Mutation([](auto& j) { j["data"]["mixture"]["components"][0]["mean"] = {1}; })
                                  << "data.mixture.components[0].mean: expected [x, y]";
    QTest::newRow("origin seed") << Mutation([](auto& j) { j["data"]["origin"]["seed"] = -3; })
                                 << "data.origin.seed: expected a non-negative";
    QTest::newRow("hidden as text") << Mutation([](auto& j) { j["model"]["hidden"] = "wide"; }) << "model.hidden";
    QTest::newRow("model needs more classes") << Mutation([](auto& j) { j["model"]["numClasses"] = 4; })
                                              << "the data set has 25 classes";
    QTest::newRow("invalid schedule") << Mutation([](auto& j) { j["schedule"]["sigmaMin"] = 50; }) << "schedule";
    QTest::newRow("unknown schedule") << Mutation([](auto& j) { j["schedule"]["kind"] = "warp"; })
                                      << "unknown schedule 'warp'";
    QTest::newRow("objective misfit") << Mutation([](auto& j) { j["objective"]["vlbWeights"] = true; })
                                      << "objective";
    QTest::newRow("bad learning rate") << Mutation([](auto& j) { j["optimizer"]["learningRate"] = -1; })
                                       << "learning rate";
    QTest::newRow("batch size") << Mutation([](auto& j) { j["trainer"]["batchSize"] = 0; })
                                << "trainer.batchSize: 0 is outside [1, 1000000]";
    QTest::newRow("too few params") << Mutation([](auto& j) { j["training"]["params"].erase(0); })
                                    << "training.params: 833 values, the architecture needs 834";
    QTest::newRow("too many moments") << Mutation([](auto& j) { j["training"]["adamM"].push_back(0.5); })
                                      << "training.adamM: 835 values, the architecture needs 834";
    QTest::newRow("weight overflows float") << Mutation([](auto& j) { j["training"]["params"][2] = 1e300; })
                                            << "training.params[2]: overflows float";
    QTest::newRow("negative second moment") << Mutation([](auto& j) { j["training"]["adamV"][0] = -1; })
                                            << "training.adamV[0]";
    QTest::newRow("rng all zero") << Mutation([](auto& j) {
        j["training"]["batchRng"]["words"] = std::vector<std::string>(4, "0000000000000000");
    }) << "training.batchRng.words: all zero";
    QTest::newRow("rng not hex") << Mutation([](auto& j) { j["training"]["batchRng"]["words"][1] = "xyz"; })
                                 << "training.batchRng.words[1]";
    QTest::newRow("history record") << Mutation([](auto& j) { j["history"][1] = {1, 2}; })
                                    << "history[1]: expected [step, loss";
    QTest::newRow("history NaN loss") << Mutation([](auto& j) { j["history"][4][1] = "NaN"; }) << "history[4]";
    QTest::newRow("invalid sampler") << Mutation([](auto& j) { j["sampling"]["sampler"]["particles"] = 0; })
                                     << "sampling.sampler.particles";
    QTest::newRow("sampler value as text") << Mutation([](auto& j) { j["sampling"]["sampler"]["stepSize"] = "NaN"; })
                                           << "sampling.sampler.stepSize: expected a number";
    QTest::newRow("score source") << Mutation([](auto& j) { j["sampling"]["source"] = "oracle"; })
                                  << "sampling.source: expected learned or exact";
    QTest::newRow("steps per frame") << Mutation([](auto& j) { j["sampling"]["stepsPerFrame"] = 1e9; })
                                     << "sampling.stepsPerFrame";
    QTest::newRow("app not an object") << Mutation([](auto& j) { j["app"] = 3; }) << "app: expected an object";
    QTest::newRow("app too deep") << Mutation([](auto& j) {
        nlohmann::json deep = 1;
        for (int i = 0; i < 40; ++i) deep = nlohmann::json::array({deep});
        j["app"]["view"] = deep;
    }) << "app: nested deeper than 32 levels";
    // clang-format on
}

void TestSceneFile::refused()
{
    QFETCH(Mutation, mutate);
    QFETCH(QString, phrase);
    static const std::string good = sceneToJsonText(trainedScene(10));
    auto j = nlohmann::json::parse(good);
    mutate(j);
    const QString what = refusal([&] { sceneFromJsonText(j.dump(), "bad.scorescope"); });
    QVERIFY2(what.startsWith("bad.scorescope") && what.contains(phrase), qPrintable("got: " + what));
}

void TestSceneFile::limits()
{
    const std::string text = sceneToJsonText(trainedScene(10));
    SceneLimits small;
    small.maxHistory = 5;
    QVERIFY(refusal([&] {
                sceneFromJsonText(text, "s", small);
            }).contains("history: 10 records, more than the limit of 5"));
    small = {};
    small.maxComponents = 24;
    QVERIFY(refusal([&] { sceneFromJsonText(text, "s", small); }).contains("data.mixture.components"));
    small = {};
    small.maxAppNodes = 5;
    QVERIFY(refusal([&] { sceneFromJsonText(text, "s", small); }).contains("app: more than 5 values"));
    small = {};
    small.maxLevelValues = 50;
    QVERIFY(refusal([&] { sceneFromJsonText(text, "s", small); }).contains("level losses in all"));
    QVERIFY(refusal([&] { sceneFromJsonText(text, "s"); }).isEmpty()); // the defaults take it

    // The writer refuses what the reader would.
    SceneDocument s = drawnScene();
    s.data.points(0, 1) = std::nan("");
    QVERIFY(refusal([&] { sceneToJsonText(s); }).contains("non-finite points"));
    s = drawnScene();
    for (int i = 0; i < 40; ++i) s.app = {{"more", s.app}};
    QVERIFY(refusal([&] { sceneToJsonText(s); }).contains("nested deeper"));
}

void TestSceneFile::fileErrors()
{
    QTemporaryDir dir;
    const std::string good = sceneToJsonText(drawnScene());
    const std::pair<std::string, QString> texts[] = {{"not json at all", "not valid JSON"},
                                                     {good.substr(0, good.size() - 40), "not valid JSON"},
                                                     {"{\"format\": NaN}", "not valid JSON"},
                                                     {"{\"format\": 1e999}", "not valid JSON"},
                                                     {"", "not valid JSON"}};
    for (const auto& [text, phrase] : texts) {
        const std::string path = writeText(dir, "bad.scorescope", text);
        const QString what = refusal([&] { loadScene(path); });
        QVERIFY2(what.startsWith(QString::fromStdString(path)) && what.contains(phrase), qPrintable(what));
    }
    QVERIFY(refusal([&] { loadScene(pathIn(dir, "missing.scorescope")); }).contains("missing.scorescope"));
    QVERIFY(refusal([&] { loadScene(dir.path().toStdString()); }).contains("is a folder"));
    SceneLimits tiny;
    tiny.maxBytes = 100;
    const std::string path = writeText(dir, "big.scorescope", good);
    QVERIFY(refusal([&] { loadScene(path, tiny); }).contains("limit for scene files"));
}

void TestSceneFile::unwritablePath()
{
    const SceneDocument s = drawnScene();
    const QString missing = refusal([&] { saveScene("/nonexistent-dir/scene.scorescope", s); });
    QVERIFY2(missing.startsWith("/nonexistent-dir/scene.scorescope: cannot write"), qPrintable(missing));

    // The temporary file is written, the rename onto a folder fails: nothing is left behind.
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkdir("taken"));
    const std::string target = pathIn(dir, "taken");
    const QString what = refusal([&] { saveScene(target, s); });
    QVERIFY2(what.startsWith(QString::fromStdString(target)), qPrintable(what));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{});
}

QTEST_APPLESS_MAIN(TestSceneFile)
#include "tst_scenefile.moc"
