// Guided lessons (LecturePresets.h's "lesson", the Lesson dock): every
// preset's steps load and apply through the docks; bad lesson files are
// refused with a message naming the place (and the Lectures menu shows such a
// preset as unavailable); a step saved from the window comes back from the
// user's copy and applies; Next / Previous walk the steps with their counter.
#include "AppTestSupport.h"

#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/Presets.h"
#include "state/LayerSettingsJson.h"
#include "window/FlowDock.h"
#include "window/FlowPanel.h"
#include "window/LecturePresets.h"
#include "window/LessonPanel.h"
#include "window/MeasureChart.h"
#include "window/ModelMeasurePanel.h"

#include <QAction>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QStatusBar>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;

namespace {

// The preset with a cheap network and few particles in its scene and every step.
LecturePreset shrunk(LecturePreset p)
{
    auto shrink = [](LectureScene& s) {
        s.scene.training.model.hidden = {16};
        s.scene.sampling.sampler.particles = std::min(s.scene.sampling.sampler.particles, 300);
        if (s.flow) {
            s.flow->settings.model.hidden = {16};
            s.flow->settings.batchSize = 32;
            s.flow->settings.particles = 300;
        }
    };
    shrink(p);
    for (LessonStep& step : p.lesson.steps) shrink(step);
    return p;
}

// The window runs step's settings, and the docks show them.
bool runs(MainWindow& w, const LectureScene& step, QString* why)
{
    const app::SceneSetup& s = w.controller()->setup();
    const app::SceneSetup& want = step.scene;
    auto same = [](const auto& a, const auto& b) { return toJson(a) == toJson(b); };
    const app::SamplingSetup shown = w.samplerPanel()->apply(s.sampling);
    const std::pair<bool, const char*> checks[] = {
        {same(s.sampling.sampler, want.sampling.sampler), "the controller's sampler"},
        {same(shown.sampler, want.sampling.sampler), "the Sampler dock"},
        {s.sampling.source == want.sampling.source, "the score source"},
        {s.sampling.stepsPerTick == want.sampling.stepsPerTick, "steps per frame"},
        {same(s.training.schedule, want.training.schedule), "the schedule"},
        {same(s.training.model, want.training.model), "the model"},
        {same(s.training.objective, want.training.objective), "the objective"},
        {view::layersToJson(w.layersPanel()->layers()) == view::layersToJson(step.layers), "the Layers dock"},
        {s.training.data->points == want.training.data->points, "the data"},
        // The Flow dock shows a lesson's flow, its settings and its samples.
        {!step.flow || !w.flowDock()->isHidden(), "the Flow dock shown"},
        {!step.flow || w.flowDock()->panel()->settings(step.flow->settings) == step.flow->settings, "the Flow dock's settings"},
        {!step.flow || w.flowSamplesShown() == step.flow->samples, "the flow's samples in the scene"},
    };
    for (const auto& [ok, what] : checks)
        if (!ok) {
            *why = QString::fromLatin1(what);
            return false;
        }
    return true;
}

QByteArray builtIn(const QString& file)
{
    QFile f(":/lectures/" + file);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll();
}

} // namespace

class TestAppLessons : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void everyPresetsStepsApply();
    void badLessonsRefused_data();
    void badLessonsRefused();
    void unavailableInTheMenu();
    void savedStepRoundTrip();
    void nextPreviousAndCounter();
    void lecturesInNumberOrder();
    void slicedW2Line();
    void elboLine();
    void elboMeasuredWithTheDockHidden();
};

void TestAppLessons::everyPresetsStepsApply()
{
    const std::vector<LecturePreset> presets = lecturePresets();
    QCOMPARE(int(presets.size()), 12);
    MainWindow w(smallScene(), false);
    for (const LecturePreset& original : presets) {
        const LecturePreset p = shrunk(original);
        QVERIFY2(p.lesson.steps.size() >= 3 && p.lesson.steps.size() <= 5, qPrintable(p.title));
        QVERIFY2(!p.lesson.title.isEmpty() && !p.lesson.lookAt.isEmpty(), qPrintable(p.title));
        QVERIFY(w.startLecture(p));
        LessonPanel* panel = w.lessonPanel();
        for (int k = 0; k < int(p.lesson.steps.size()); ++k) {
            if (k > 0) panel->nextStep();
            QCOMPARE(panel->currentStep(), k);
            QString why;
            const QString where = QStringLiteral("%1, step %2").arg(p.title).arg(k + 1);
            QVERIFY2(runs(w, p.lesson.steps[std::size_t(k)], &why), qPrintable(where + ": " + why));
            // The workers took it: the sampler's own snapshot runs the step's sampler.
            QVERIFY2(eventually([&] {
                         return toJson(w.sampling()->latest()->setup.sampler) ==
                                toJson(p.lesson.steps[std::size_t(k)].scene.sampling.sampler);
                     }),
                     qPrintable(where + ": " + w.statusBar()->currentMessage() + "; the sampler runs " +
                                QString::fromStdString(toJson(w.sampling()->latest()->setup.sampler).dump())));
            QVERIFY2(!panel->noteText().contains("refused"), qPrintable(where + ": " + panel->noteText()));
            QCOMPARE(panel->expectText(), p.lesson.steps[std::size_t(k)].expect);
            if (p.lesson.steps[std::size_t(k)].measure != LessonMeasure::None)
                QVERIFY2(eventually([&] { return !panel->measureLine().isEmpty(); }), qPrintable(where));
        }
    }
    // Each lesson cites the lecture notes by name.
    for (const LecturePreset& p : presets)
        QVERIFY2(p.lesson.steps.front().text.contains("Lecture") ||
                     p.lesson.steps.front().text.contains("SDE-based Generative Models"),
                 qPrintable(p.title));
}

void TestAppLessons::badLessonsRefused_data()
{
    QTest::addColumn<QString>("lesson"); // the "lesson" value, or "-" for none
    QTest::addColumn<QString>("message");
    const QString step = R"({"text": "t", "expect": "e"})";
    QTest::newRow("no lesson") << "-" << "bad.json.lesson: missing";
    QTest::newRow("not an object") << "[1]" << "bad.json: lesson: expected an object";
    QTest::newRow("unknown key") << R"({"title": "t", "look_at": "l", "steps": [], "notes": 1})"
                                 << "bad.json: lesson.notes: unknown key";
    QTest::newRow("no title") << QString(R"({"look_at": "l", "steps": [%1]})").arg(step)
                              << "bad.json: lesson.title: missing";
    QTest::newRow("empty steps") << R"({"title": "t", "look_at": "l", "steps": []})"
                                 << "bad.json: lesson.steps: expected a list of 1 to 50 steps";
    QTest::newRow("steps an object") << R"({"title": "t", "look_at": "l", "steps": {}})"
                                     << "bad.json: lesson.steps: expected a list of 1 to 50 steps";
    const QString wrap = R"({"title": "t", "look_at": "l", "steps": [%1]})";
    QTest::newRow("unknown step key") << wrap.arg(R"({"text": "t", "expect": "e", "expected": "x"})")
                                      << "bad.json: lesson.steps[0].expected: unknown key";
    QTest::newRow("text a number") << wrap.arg(R"({"text": 3, "expect": "e"})")
                                   << "bad.json: lesson.steps[0].text: expected a string";
    QTest::newRow("empty text") << wrap.arg(R"({"text": " ", "expect": "e"})") << "bad.json: lesson.steps[0].text: empty";
    QTest::newRow("no expect") << wrap.arg(R"({"text": "t"})") << "bad.json: lesson.steps[0].expect: missing";
    QTest::newRow("unknown measure") << wrap.arg(R"({"text": "t", "expect": "e", "measure": "fid"})")
                                     << "bad.json: lesson.steps[0].measure: unknown measure 'fid'";
    QTest::newRow("apply not an object") << wrap.arg(R"({"text": "t", "expect": "e", "apply": 4})")
                                         << "bad.json: lesson.steps[0].apply: expected an object";
    QTest::newRow("apply a non-scene key") << wrap.arg(R"({"text": "t", "expect": "e", "apply": {"title": "x"}})")
                                           << "bad.json: lesson.steps[0].apply.title: not a scene setting";
    QTest::newRow("apply refused by the sampler reader")
        << wrap.arg(R"({"text": "t", "expect": "e", "apply": {"sampler": {"kind": "warp"}}})")
        << "bad.json: lesson.steps[0].apply.sampler.kind";
    QTest::newRow("apply an unknown sampler field")
        << wrap.arg(R"({"text": "t", "expect": "e", "apply": {"sampler": {"speed": 2}}})")
        << "bad.json: lesson.steps[0].apply.sampler.speed: unknown sampler field";
    QTest::newRow("apply removes a needed field")
        << wrap.arg(R"({"text": "t", "expect": "e", "apply": {"schedule": {"sigmaMax": null}}})")
        << "bad.json: lesson.steps[0].apply.schedule";
    QTest::newRow("apply a bad scrubber") << wrap.arg(R"({"text": "t", "expect": "e", "apply": {"scrubber": 3}})")
                                          << "bad.json: lesson.steps[0].apply.scrubber: expected a number in [0, 1]";
    QTest::newRow("apply unknown data") << wrap.arg(R"({"text": "t", "expect": "e", "apply": {"data": {"preset": "cats"}}})")
                                        << "bad.json: lesson.steps[0].apply.data: unknown preset 'cats'";
    QTest::newRow("a later step refused")
        << wrap.arg(step + R"(, {"text": "t", "expect": "e", "apply": {"layers": {"trails": 2}}})")
        << "bad.json: lesson.steps[1].apply.layers.trails";
}

void TestAppLessons::badLessonsRefused()
{
    QFETCH(QString, lesson);
    QFETCH(QString, message);
    nlohmann::json doc = nlohmann::json::parse(builtIn("2-sigma-too-small.json").toStdString());
    doc.erase("lesson");
    if (lesson != "-") doc["lesson"] = nlohmann::json::parse(lesson.toStdString());
    try {
        lecturePresetFromJson(QByteArray::fromStdString(doc.dump()), QStringLiteral("bad.json"));
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).startsWith(message), e.what());
    }
    // An unknown key beside the lesson is refused too.
    doc = nlohmann::json::parse(builtIn("2-sigma-too-small.json").toStdString());
    doc["lessons"] = 1;
    QVERIFY_THROWS_EXCEPTION(InputError, lecturePresetFromJson(QByteArray::fromStdString(doc.dump()), "bad.json"));
}

void TestAppLessons::unavailableInTheMenu()
{
    // A user's copy that does not read: the menu shows the preset greyed, with the reason.
    const QString dir = userLectureDir();
    QVERIFY(QDir().mkpath(dir));
    const QString path = QDir(dir).filePath("3-ddpm-vs-ddim.json");
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        nlohmann::json doc = nlohmann::json::parse(builtIn("3-ddpm-vs-ddim.json").toStdString());
        doc["lesson"]["steps"] = nlohmann::json::array();
        f.write(QByteArray::fromStdString(doc.dump()));
    }
    const std::vector<LectureEntry> entries = lectureEntries();
    QCOMPARE(int(entries.size()), 12);
    QVERIFY(!entries[2].preset);
    QVERIFY2(entries[2].error.contains("lesson.steps: expected a list"), qPrintable(entries[2].error));
    QVERIFY(entries[1].preset && entries[1].preset->userCopy.isEmpty());
    {
        MainWindow w(smallScene(), false);
        QAction* found = nullptr;
        for (QMenu* menu : w.menuBar()->findChildren<QMenu*>())
            for (QAction* a : menu->actions())
                if (a->text().contains("unavailable")) found = a;
        QVERIFY(found);
        QVERIFY(!found->isEnabled());
        QVERIFY2(found->toolTip().contains("lesson.steps"), qPrintable(found->toolTip()));
        QString error;
        QVERIFY(!findLecture("3", &error));
        QVERIFY2(error.contains("unavailable"), qPrintable(error));
    }
    QVERIFY(QFile::remove(path));
}

void TestAppLessons::savedStepRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const LecturePreset p = shrunk(lecturePresets()[0]);
    const int n = int(p.lesson.steps.size());
    {
        MainWindow w(smallScene(), false);
        QVERIFY(w.startLecture(p));
        // The user changes the sampler in the dock: annealed, 30 steps per level.
        app::SamplingSetup edited = w.controller()->setup().sampling;
        edited.sampler.kind = SamplerKind::AnnealedLangevin;
        edited.sampler.stepsPerLevel = 30;
        w.samplerPanel()->showSetup(edited);
        emit w.samplerPanel()->settingsChanged();
        QCOMPARE(w.controller()->setup().sampling.sampler.stepsPerLevel, 30);
        QVERIFY(w.lessonPanel()->saveCurrentAsStep("Thirty steps a level", dir.path()));
        QCOMPARE(w.lessonPanel()->stepCount(), n + 1);
        QCOMPARE(w.lessonPanel()->stepLine(), QStringLiteral("Step %1 of %1").arg(n + 1));
        QVERIFY2(w.lessonPanel()->noteText().contains("Your copy"), qPrintable(w.lessonPanel()->noteText()));
    }
    // Read next time in place of the built-in one.
    const std::vector<LectureEntry> entries = lectureEntries(dir.path());
    QVERIFY2(entries[0].preset, qPrintable(entries[0].error));
    const LecturePreset copy = shrunk(*entries[0].preset);
    QCOMPARE(copy.userCopy, QDir(dir.path()).filePath(p.file));
    QCOMPARE(int(copy.lesson.steps.size()), n + 1);
    QCOMPARE(copy.lesson.steps.back().text, QStringLiteral("Thirty steps a level"));
    QCOMPARE(copy.lesson.steps.back().scene.sampling.sampler.stepsPerLevel, 30);
    QCOMPARE(copy.lesson.steps.back().scene.sampling.sampler.kind, SamplerKind::AnnealedLangevin);
    for (int k = 0; k < n; ++k) // the built-in steps are unchanged
        QCOMPARE(copy.lesson.steps[std::size_t(k)].text, p.lesson.steps[std::size_t(k)].text);
    // And the new step applies in a fresh window.
    MainWindow w(smallScene(), false);
    QVERIFY(w.startLecture(copy));
    for (int k = 0; k < n; ++k) w.lessonPanel()->nextStep();
    QCOMPARE(w.lessonPanel()->currentStep(), n);
    QString why;
    QVERIFY2(runs(w, copy.lesson.steps.back(), &why), qPrintable(why));
    // A second save appends again (to the copy, not the built-in).
    QVERIFY(w.lessonPanel()->saveCurrentAsStep("again", dir.path()));
    QCOMPARE(int(lectureEntries(dir.path())[0].preset->lesson.steps.size()), n + 2);
    // Drawn data cannot be named by a lesson: refused with the reason, nothing written.
    auto drawn = std::make_shared<Dataset>(*w.controller()->setup().training.data);
    drawn->name = "drawn";
    emit w.dataPanel()->dataChanged(drawn, "drawn");
    QVERIFY(!w.lessonPanel()->saveCurrentAsStep("drawn", dir.path()));
    QVERIFY2(w.lessonPanel()->noteText().contains("drawn"), qPrintable(w.lessonPanel()->noteText()));
    QCOMPARE(int(lectureEntries(dir.path())[0].preset->lesson.steps.size()), n + 2);
}

void TestAppLessons::nextPreviousAndCounter()
{
    MainWindow w(smallScene(), false);
    LessonPanel* panel = w.lessonPanel();
    QCOMPARE(panel->stepCount(), 0);
    panel->nextStep(); // no lesson: nothing happens
    const LecturePreset p = shrunk(lecturePresets()[0]); // plain Langevin, then annealed at step 3
    QVERIFY(w.startLecture(p));
    QCOMPARE(panel->stepLine(), QStringLiteral("Step 1 of 4"));
    QCOMPARE(w.controller()->setup().sampling.sampler.kind, SamplerKind::Langevin);
    panel->previousStep(); // at the first step: stays
    QCOMPARE(panel->currentStep(), 0);
    panel->nextStep();
    panel->nextStep();
    QCOMPARE(panel->stepLine(), QStringLiteral("Step 3 of 4"));
    QCOMPARE(w.controller()->setup().sampling.sampler.kind, SamplerKind::AnnealedLangevin);
    QCOMPARE(panel->stepText(), p.lesson.steps[2].text);
    QVERIFY(eventually([&] { return panel->measureLine().startsWith("mode weights"); }));
    // The number at a run's end stays on show while the next run goes.
    QVERIFY2(eventually([&] { return panel->measureLine().contains("end of the last run: mode weights"); }, 30000),
             qPrintable(panel->measureLine()));
    panel->nextStep();
    panel->nextStep(); // at the last step: stays
    QCOMPARE(panel->stepLine(), QStringLiteral("Step 4 of 4"));
    QCOMPARE(w.scrubber()->slider()->value(), w.scrubber()->slider()->maximum());
    panel->previousStep();
    panel->previousStep(); // back to plain Langevin, through the Sampler dock
    QCOMPARE(panel->stepLine(), QStringLiteral("Step 2 of 4"));
    QCOMPARE(w.controller()->setup().sampling.sampler.kind, SamplerKind::Langevin);
    QCOMPARE(w.samplerPanel()->apply(w.controller()->setup().sampling).sampler.kind, SamplerKind::Langevin);
    // The buttons do the same.
    QPushButton* next = nullptr;
    for (QPushButton* b : panel->findChildren<QPushButton*>())
        if (b->text().contains("Next")) next = b;
    QVERIFY(next && next->isEnabled());
    next->click();
    QCOMPARE(panel->stepLine(), QStringLiteral("Step 3 of 4"));
    QCOMPARE(w.controller()->setup().sampling.sampler.kind, SamplerKind::AnnealedLangevin);
}

void TestAppLessons::lecturesInNumberOrder()
{
    // "10-..." sorts before "2-..." by name; lecture K is the file numbered K.
    const std::vector<LecturePreset> presets = lecturePresets();
    for (int k = 0; k < int(presets.size()); ++k)
        QVERIFY2(presets[std::size_t(k)].file.startsWith(QString::number(k + 1) + "-"),
                 qPrintable(presets[std::size_t(k)].file));
    QString error;
    const std::optional<LecturePreset> tenth = findLecture("10", &error);
    QVERIFY2(tenth, qPrintable(error));
    QCOMPARE(tenth->file, presets[9].file);
}

void TestAppLessons::slicedW2Line()
{
    const Dataset data = makePreset("8gaussians", 500, 0);
    MeasureInput in;
    in.data = std::make_shared<const Dataset>(data);
    auto snap = std::make_shared<app::ParticleSnapshot>();
    snap->step = 10;
    snap->totalSteps = 10;
    // Identical sets: exactly 0 (Metrics.h); the floor, exact draws of the mixture, above it.
    snap->particles = data.points;
    in.particles = snap;
    const SlicedW2Line same = slicedW2ToData(snap->particles, data);
    QCOMPARE(same.sw2, 0.0);
    QVERIFY(same.floor && *same.floor > 0 && *same.floor < 0.2);
    QVERIFY2(measureText(LessonMeasure::SlicedW2, in).startsWith("sliced W2 to the data 0.000 (exact draws: "),
             qPrintable(measureText(LessonMeasure::SlicedW2, in)));
    // A translation by t: each direction's 1D W2 is |t . u|, so the mean of
    // cos^2 over the (stratified) half circle gives |t| / sqrt 2.
    Eigen::Matrix2Xd moved = data.points;
    moved.row(0).array() += 1.0;
    QVERIFY(std::abs(slicedW2ToData(moved, data).sw2 - 1 / std::sqrt(2.0)) < 0.02);
    // Without a mixture: no floor.
    Dataset points = data;
    points.mixture.reset();
    QVERIFY(!slicedW2ToData(moved, points).floor);
}

void TestAppLessons::elboLine()
{
    MeasureInput in;
    QCOMPARE(measureText(LessonMeasure::Elbo, in), QStringLiteral("ELBO: waiting for the first network"));
    auto m = std::make_shared<app::ModelMeasureSnapshot>();
    m->step = 400;
    m->elboWhyNot = "the ELBO needs a DDPM schedule";
    in.model = m;
    QCOMPARE(measureText(LessonMeasure::Elbo, in), QStringLiteral("ELBO: the ELBO needs a DDPM schedule"));
    ElboResult e;
    e.prior.mean = 0.0042;
    e.diffusion.mean = 1.5;
    e.decoder.mean = -0.25;
    e.total.mean = 1.2542;
    m->elbo = e;
    m->elboWhyNot.clear();
    m->cleanNll = MeanEstimate{0.75, 0.01};
    QCOMPARE(measureText(LessonMeasure::Elbo, in),
             QStringLiteral("−ELBO 1.25 nats = L_T 0.004 + ΣL_t 1.50 + L_0 -0.25 (network of step 400)\n"
                            "true −log p(x₀) 0.75"));
}

void TestAppLessons::elboMeasuredWithTheDockHidden()
{
    // Lecture 9's first step reads the bound: the model measurements run for
    // it although the Measurements dock is behind the lesson card.
    std::optional<LecturePreset> p;
    for (const LecturePreset& l : lecturePresets())
        if (l.lesson.steps.front().measure == LessonMeasure::Elbo) p = shrunk(l);
    QVERIFY(p);
    MainWindow w(smallScene(), false);
    QVERIFY(w.startLecture(*p));
    QVERIFY2(eventually([&] { return w.lessonPanel()->measureLine().startsWith("−ELBO "); }, 120000),
             qPrintable(w.lessonPanel()->measureLine()));
    // Unseen, the dock's charts were not redrawn (QtCharts is costly on the
    // GUI thread); brought forward, it shows the newest bound at once.
    auto* model = w.findChild<ModelMeasurePanel*>("modelMeasurePanel");
    QVERIFY(model);
    QVERIFY(model->elboChart()->curves().empty());
    w.resize(1600, 1000);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.findChild<QDockWidget*>("measurementsDock")->raise();
    QVERIFY(eventually([&] { return !model->elboChart()->curves().empty(); }, 5000));
}

QTEST_MAIN(TestAppLessons)
#include "tst_app_lessons.moc"
