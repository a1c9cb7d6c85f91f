// The Measurements dock (engine/MeasureWorker, window/MeasurementsPanel):
// exact samples of the data's law measure at the noise floor and shifted ones
// far above it; only the newest particles are measured; new data re-measures;
// the dock measures only while shown; the table reads and exports as CSV.
#include "AppTestSupport.h"
#include "engine/MeasureWorker.h"
#include "window/MainWindow.h"
#include "window/MeasurementsPanel.h"

#include "core/Presets.h"
#include "core/Rng.h"

#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;
using apptest::eventually;

namespace {

app::ParticlesPtr particles(const Eigen::Matrix2Xd& x, int step)
{
    auto p = std::make_shared<app::ParticleSnapshot>();
    p->particles = x;
    p->step = step;
    return p;
}

} // namespace

class TestAppMeasure : public QObject {
    Q_OBJECT
private slots:
    void exactSamplesSitAtTheFloor();
    void newestWinsAndDataRemeasures();
    void readings();
    void dockShowsAndExports();
};

void TestAppMeasure::exactSamplesSitAtTheFloor()
{
    // 8 Gaussians: an exact draw of the mixture is a perfect sampler, so every
    // distance is within 1.5x of the floor (a draw with another seed); the
    // same draw shifted by 0.5 is many times above it.
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 1000, 1));
    app::MeasureThread thread(data, 0);
    app::MeasureWorker* w = thread.worker();
    Rng rng(77);
    const Eigen::Matrix2Xd exact = data->mixture->sample(1000, rng);
    w->postParticles(particles(exact, 1));
    QVERIFY(eventually([&] { return w->latest() && w->latest()->step == 1; }));
    app::MeasurePtr m = w->latest();
    QVERIFY(m->floor && m->floorFromLaw);
    QCOMPARE(m->particles, 1000);
    QCOMPARE(m->trueWeights.size(), std::size_t(8));
    QVERIFY2(m->metrics.sw2 < 1.5 * m->floor->sw2, qPrintable(QString("%1 vs %2").arg(m->metrics.sw2).arg(m->floor->sw2)));
    qInfo("exact draw: SW2 %g (floor %g), energy %g (floor %g)", m->metrics.sw2, m->floor->sw2, m->metrics.energy,
          m->floor->energy);
    QVERIFY(m->metrics.energy < 0.01); // both near 0 (unbiased: either may dip below)
    QVERIFY(m->metrics.precision > m->floor->precision - 0.05);
    w->postParticles(particles(exact.array() + 0.5, 2));
    QVERIFY(eventually([&] { return w->latest()->step == 2; }));
    m = w->latest();
    QVERIFY2(m->metrics.sw2 > 2.5 * m->floor->sw2, qPrintable(QString("%1 vs %2").arg(m->metrics.sw2).arg(m->floor->sw2)));
    qInfo("shifted by 0.5: SW2 %g, energy %g", m->metrics.sw2, m->metrics.energy);
    QVERIFY(m->metrics.energy > 0.05);
}

void TestAppMeasure::newestWinsAndDataRemeasures()
{
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 500, 1));
    app::MeasureThread thread(data, 300);
    app::MeasureWorker* w = thread.worker();
    Rng rng(3);
    const Eigen::Matrix2Xd x = data->mixture->sample(500, rng);
    // Three snapshots within the interval: one measurement, of the newest.
    for (int step = 1; step <= 3; ++step) w->postParticles(particles(x, step));
    QVERIFY(eventually([&] { return w->latest() != nullptr; }));
    QCOMPARE(w->latest()->step, 3);
    const std::int64_t first = w->latest()->serial;
    QTest::qWait(700);
    QCOMPARE(w->latest()->serial, first); // nothing new: nothing measured
    // New data (moons: no mixture): the same particles measured again, with the split floor.
    w->postData(std::make_shared<const Dataset>(makePreset("moons", 500, 1)));
    QVERIFY(eventually([&] { return w->latest()->serial > first; }));
    QVERIFY(!w->latest()->floorFromLaw);
    QVERIFY(w->latest()->trueWeights.empty());
    QVERIFY(std::isnan(w->latest()->metrics.logDensity));
    // Off: nothing is measured.
    w->postEnabled(false);
    const std::int64_t last = w->latest()->serial;
    w->postParticles(particles(x, 9));
    QTest::qWait(700);
    QCOMPARE(w->latest()->serial, last);
    w->postEnabled(true);
    QVERIFY(eventually([&] { return w->latest()->step == 9; }));
}

void TestAppMeasure::readings()
{
    using window::readingOf;
    QCOMPARE(readingOf(0.01, 0.01, false), QString("at the floor"));
    QCOMPARE(readingOf(0.025, 0.01, false), QString("2.5× the floor"));
    QCOMPARE(readingOf(0.025, 0.01, false, 3), QString("at the floor"));
    QCOMPARE(readingOf(-0.001, 0.002, false, 3), QString("at the floor"));
    QCOMPARE(readingOf(0.05, 0.01, false), QString("5× the floor"));
    QCOMPARE(readingOf(0.9, 0.92, true), QString("at the floor"));
    QCOMPARE(readingOf(0.5, 0.92, true), QString("0.42 below"));
    QVERIFY(readingOf(std::nan(""), 0.1, false).isEmpty());
}

void TestAppMeasure::dockShowsAndExports()
{
    window::MainWindow w(apptest::smallScene(), false);
    w.resize(1500, 950);
    w.show();
    auto* dock = w.findChild<QDockWidget*>("measurementsDock");
    QVERIFY(dock);
    dock->raise(); // a tab beside Training and Lesson
    w.startAll();
    auto* table = w.findChild<QTableWidget*>("measureTable");
    QVERIFY(table);
    QVERIFY(eventually([&] { return table->rowCount() == 7 && table->item(0, 1) && table->item(0, 1)->text() != "–"; },
                       60000)); // a loaded CI machine: the worker runs at low priority
    QCOMPARE(table->item(0, 0)->text(), QString("Sliced W2"));
    QVERIFY(table->item(0, 2)->text().toDouble() > 0); // its floor
    QVERIFY(w.findChild<QLabel*>("measureAbout")->text().contains("200 particles against"));
    QTemporaryDir dir;
    const QString path = dir.filePath("m.csv");
    QString error;
    QVERIFY2(w.measurementsPanel()->exportCsv(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
    QCOMPARE(lines.size(), 8);
    QCOMPARE(lines[0], QString("metric,value,noise_floor,reading"));
    QVERIFY(lines[1].startsWith("Sliced W2,"));
    // An unwritable path: a message, not a crash.
    QVERIFY(!w.measurementsPanel()->exportCsv("/proc/nope/m.csv", &error));
    QVERIFY(!error.isEmpty());
}

QTEST_MAIN(TestAppMeasure)
#include "tst_app_measure.moc"
