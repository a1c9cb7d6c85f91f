// Animation export end to end: a preset scene recorded for 2 seconds at 25 fps
// as MP4 and GIF (ffprobe: size, frame count, codec), a decoded MP4 frame
// against the same frame rendered to an image, the same frames for the same
// seed, the noise sweep, and a cancelled export that leaves nothing behind.
#include "export/AnimationExport.h"
#include "export/AnimationRenderer.h"

#include "core/Presets.h"
#include "paint/StillExport.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "VideoProbe.h"

using namespace ss;
using namespace ss::app;
using namespace videoprobe;

namespace {
// 8 Gaussians, annealed Langevin with the exact score: 5 levels x 10 steps, 1
// step a frame -> 51 frames (the start and 50 steps); no hold.
AnimationJob presetJob()
{
    AnimationJob job;
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 500, 1));
    job.sampling.data = data;
    job.sampling.schedule = NoiseSchedule::geometric(0.05, 4, 5);
    job.sampling.sampler.kind = SamplerKind::AnnealedLangevin;
    job.sampling.sampler.particles = 400;
    job.sampling.sampler.stepsPerLevel = 10;
    job.sampling.sampler.stepSize = 5e-4;
    job.sampling.source = SourceKind::Exact;
    job.sampling.trailLength = 6;
    job.world = QRectF(-3, -3, 6, 6);
    job.size = QSize(320, 240);
    job.fps = 25;
    job.stepsPerFrame = 1;
    job.title = QStringLiteral("annealed Langevin");
    return job;
}

// Runs an export to its end; returns its finished() message.
QPair<bool, QString> runExport(const AnimationJob& job, const QString& path)
{
    AnimationExport e(job, path);
    QSignalSpy done(&e, &AnimationExport::finished);
    e.start();
    if (!done.wait(120'000)) return {false, "timed out"};
    return {done.at(0).at(0).toBool(), done.at(0).at(1).toString()};
}
} // namespace

class TestExportAnimation : public QObject {
    Q_OBJECT
private slots:
    void framesAreDeterministic();
    void mp4AndGifOfAPreset();
    void noiseSweep();
    void trainingProgress();
    void cancelLeavesNothing();
    void divergedRunSaysSo();
};

void TestExportAnimation::divergedRunSaysSo()
{
    // Step size 99999 (issue 11's reproduction): the run stops at its last
    // finite particles, and every later frame says so: "diverged" in the
    // caption, and the divergence's message as a banner over the picture.
    AnimationJob job = presetJob();
    job.sampling.sampler.stepSize = 99999;
    job.overlayText = true;
    AnimationRenderer r(job);
    const view::ScenePicture early = r.picture(0);
    QVERIFY(!early.particles->divergence);
    QVERIFY(!early.caption.contains("diverged"));
    const view::ScenePicture late = r.picture(20);
    QVERIFY(late.particles->divergence);
    QVERIFY2(late.caption.contains("diverged"), qPrintable(late.caption));
    QVERIFY(late.particles->particles.allFinite());
    view::ScenePicture quiet = late;
    auto undiverged = std::make_shared<ParticleSnapshot>(*late.particles);
    undiverged->divergence.reset();
    quiet.particles = undiverged;
    QVERIFY(view::renderImage(late, job.size) != view::renderImage(quiet, job.size)); // the banner
}

void TestExportAnimation::framesAreDeterministic()
{
    AnimationRenderer a(presetJob()), b(presetJob());
    QCOMPARE(a.frameCount(), 51);
    for (int i : {0, 1, 20, 50}) QCOMPARE(a.frame(i), b.frame(i));
    // The particles move: the first and the last frames differ.
    AnimationRenderer c(presetJob());
    const QImage first = c.frame(0); // frames come in order: the sampler only moves forward
    QVERIFY(first != c.frame(50));
}

void TestExportAnimation::mp4AndGifOfAPreset()
{
    REQUIRE_FFMPEG();
    QTemporaryDir dir;
    AnimationJob job = presetJob();
    job.sampling.sampler.stepsPerLevel = 10; // 51 frames; the 50-frame clip below drops the start
    job.content = AnimationJob::Content::SamplerSteps;
    job.frames = 49; // 1 + 49 steps = 50 frames = 2 s at 25 fps
    const auto mp4 = runExport(job, dir.filePath("run.mp4"));
    QVERIFY2(mp4.first, qPrintable(mp4.second));
    const Probe v = probe(dir.filePath("run.mp4"));
    QCOMPARE(v.codec, QString("h264"));
    QCOMPARE(v.width, 320);
    QCOMPARE(v.height, 240);
    QCOMPARE(v.frames, 50);
    QCOMPARE(v.rate, QString("25/1"));
    const auto gif = runExport(job, dir.filePath("run.gif"));
    QVERIFY2(gif.first, qPrintable(gif.second));
    const Probe g = probe(dir.filePath("run.gif"));
    QCOMPARE(g.codec, QString("gif"));
    QCOMPARE(g.width, 320);
    QCOMPARE(g.frames, 50);
    // Frame 30 of the MP4 against the same frame rendered directly: H.264 at
    // CRF 18 with 4:2:0 chroma blurs thin red trails and small points, so the
    // mean absolute difference is a few levels of 255 (5.7 measured; limit 8),
    // far below what a different frame gives (frame 35: 42 measured; checked
    // to be over 3 times the decoded frame's).
    AnimationRenderer renderer(job);
    QImage expected, other;
    for (int i = 0; i <= 35; ++i) {
        const QImage f = renderer.frame(i);
        if (i == 30) expected = f;
        if (i == 35) other = f;
    }
    if (qEnvironmentVariableIsSet("SCORESCOPE_EXPORT_SHOTS")) { // to look at: the frame as rendered
        job.size = QSize(1280, 720);
        AnimationRenderer big(job);
        for (int i = 0; i < 30; ++i) big.frame(i);
        big.frame(30).save(QDir(qEnvironmentVariable("SCORESCOPE_EXPORT_SHOTS")).filePath("frame30.png"));
    }
    const QImage decoded = decodeFrame(dir.filePath("run.mp4"), 30, dir.filePath("f30.png"));
    QCOMPARE(decoded.size(), expected.size());
    const double same = meanAbsDiff(decoded, expected), shifted = meanAbsDiff(decoded, other);
    qInfo("frame 30: decoded vs rendered %.2f, vs frame 35 %.2f", same, shifted);
    QVERIFY2(same < 8.0, qPrintable(QString::number(same)));
    QVERIFY2(shifted > same * 3, qPrintable(QString("%1 vs %2").arg(shifted).arg(same)));
}

void TestExportAnimation::noiseSweep()
{
    AnimationJob job = presetJob();
    job.content = AnimationJob::Content::NoiseSweep;
    job.frames = 10;
    job.layers.noised.visible = true;
    AnimationRenderer r(job);
    QCOMPARE(r.frameCount(), 10);
    const QImage noisiest = r.frame(0);
    QVERIFY(noisiest != r.frame(9)); // noisiest first, cleanest last
}

void TestExportAnimation::trainingProgress()
{
    // The model trained from its seed, 30 steps a frame: the learned field
    // changes between frames, and two renders give the same frames.
    AnimationJob job = presetJob();
    job.content = AnimationJob::Content::TrainingProgress;
    job.training.data = job.sampling.data;
    job.training.model.hidden = {16, 16};
    job.training.schedule = job.sampling.schedule;
    job.training.trainer.batchSize = 64;
    job.frames = 4;
    job.stepsPerFrame = 30;
    AnimationRenderer a(job), b(job);
    QCOMPARE(a.frameCount(), 4);
    const QImage first = a.frame(0);
    QCOMPARE(first, b.frame(0));
    const QImage last = a.frame(3);
    QCOMPARE(last, b.frame(3));
    QVERIFY(first != last);
}

void TestExportAnimation::cancelLeavesNothing()
{
    REQUIRE_FFMPEG();
    QTemporaryDir dir;
    AnimationJob job = presetJob();
    job.size = QSize(640, 480);
    job.content = AnimationJob::Content::SamplerSteps;
    job.frames = 5000;
    AnimationExport e(job, dir.filePath("long.mp4"));
    QSignalSpy progress(&e, &AnimationExport::progress), done(&e, &AnimationExport::finished);
    e.start();
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 3, 60'000);
    e.cancel();
    QVERIFY(done.wait(30'000));
    QVERIFY(!done.at(0).at(0).toBool());
    QVERIFY(done.at(0).at(1).toString().contains("cancelled"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
    // A missing ffmpeg names the problem (PATH without it).
    const QByteArray path = qgetenv("PATH");
    QTemporaryDir empty;
    qputenv("PATH", empty.path().toLocal8Bit());
    const auto missing = runExport(presetJob(), dir.filePath("none.mp4"));
    qputenv("PATH", path);
    QVERIFY(!missing.first);
    QVERIFY2(missing.second.contains("ffmpeg was not found"), qPrintable(missing.second));
    QVERIFY(!QFile::exists(dir.filePath("none.mp4")));
}

QTEST_MAIN(TestExportAnimation)
#include "tst_export_animation.moc"
