// Tests of the one trajectory file layout (core/TrajectoryCsv.h).
//
// Overview
//  - roundTrip: frames written and read back give the same steps, the same
//    positions bit for bit and the levels to the 9 digits written;
//  - fileRoundTrip: the same through a file, which isTrajectoryCsv knows from
//    a point file; a header alone is a trajectory without frames;
//  - refused: every bad file gives an InputError naming "<file>:<line>:".
// The CLI's eval reading such a file: tst_cli (trajectoriesFile); the
// window's export: tst_app_window (fileMenuExports).
// How to add a case: a bad file is a row in refused_data() (text, the line
// the message must name, a fragment of the message).
#include "core/Csv.h"
#include "core/Error.h"
#include "core/TrajectoryCsv.h"

#include <QtTest>

#include <QTemporaryDir>

using namespace ss;

namespace {

std::deque<TrajectoryFrame> sampleFrames()
{
    std::deque<TrajectoryFrame> frames;
    for (int k = 0; k < 3; ++k) {
        TrajectoryFrame f;
        f.step = 10 * k;
        f.level.t = 1.0 - k / 3.0;
        f.level.marginal.std = 80.0 / (1 + k);
        f.points.resize(2, 4);
        for (int j = 0; j < 4; ++j) f.points.col(j) << (j + 1) / 3.0 * (k + 1), -1e-300 * j + 12345.678 * k;
        frames.push_back(f);
    }
    return frames;
}

} // namespace

class TestTrajectoryCsv : public QObject {
    Q_OBJECT
private slots:
    void roundTrip();
    void fileRoundTrip();
    void refused_data();
    void refused();
};

void TestTrajectoryCsv::roundTrip()
{
    const auto frames = sampleFrames();
    const std::string text = trajectoryCsvText(frames);
    QVERIFY(text.rfind("step,t,std,particle,x,y\n", 0) == 0);
    const auto back = parseTrajectoryCsv(text, "mem");
    QCOMPARE(back.size(), frames.size());
    for (std::size_t k = 0; k < frames.size(); ++k) {
        QCOMPARE(back[k].step, frames[k].step);
        QVERIFY(back[k].points == frames[k].points); // %.17g reads back bit for bit
        QVERIFY(std::abs(back[k].level.t - frames[k].level.t) < 1e-8);
        QVERIFY(std::abs(back[k].level.marginal.std / frames[k].level.marginal.std - 1) < 1e-8);
    }
}

void TestTrajectoryCsv::fileRoundTrip()
{
    QTemporaryDir dir;
    const std::string traj = dir.filePath("traj.csv").toStdString(), points = dir.filePath("p.csv").toStdString();
    saveTrajectoryCsv(traj, sampleFrames());
    QVERIFY(isTrajectoryCsv(traj));
    QCOMPARE(loadTrajectoryCsv(traj).back().points, sampleFrames().back().points);
    Dataset d;
    d.points = sampleFrames().front().points;
    saveCsv(points, d);
    QVERIFY(!isTrajectoryCsv(points));
    QVERIFY(!isTrajectoryCsv(dir.filePath("none.csv").toStdString()));
    saveTrajectoryCsv(traj, {});
    QVERIFY(loadTrajectoryCsv(traj).empty());
}

void TestTrajectoryCsv::refused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("point file") << "x,y\n1,2\n" << 1 << "expected the trajectory header";
    QTest::newRow("empty") << "" << 1 << "expected the trajectory header";
    QTest::newRow("five columns") << "step,t,std,particle,x,y\n0,1,2,0,5\n" << 2 << "expected 6 columns";
    QTest::newRow("seven columns") << "step,t,std,particle,x,y\n0,1,2,0,5,6,7\n" << 2 << "expected 6 columns";
    QTest::newRow("not a number") << "step,t,std,particle,x,y\n0,1,2,0,five,6\n" << 2 << "x must be a finite number";
    QTest::newRow("nan") << "step,t,std,particle,x,y\n0,1,2,0,1,nan\n" << 2 << "y must be a finite number";
    QTest::newRow("negative particle") << "step,t,std,particle,x,y\n0,1,2,-1,1,1\n" << 2 << "particle must be";
    QTest::newRow("step back") << "step,t,std,particle,x,y\n5,1,2,0,1,1\n4,1,2,0,1,1\n" << 3 << "steps must increase";
    QTest::newRow("particle skipped") << "step,t,std,particle,x,y\n0,1,2,0,1,1\n0,1,2,2,1,1\n" << 3 << "particle 2";
    QTest::newRow("level changes") << "step,t,std,particle,x,y\n0,1,2,0,1,1\n0,1,3,1,1,1\n" << 3 << "the same for every";
}

void TestTrajectoryCsv::refused()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, fragment);
    QString message;
    try {
        parseTrajectoryCsv(text.toStdString(), "t.csv");
    } catch (const InputError& e) {
        message = QString::fromStdString(e.what());
    }
    QVERIFY2(message.startsWith(QString("t.csv:%1: ").arg(line)), qPrintable(message));
    QVERIFY2(message.contains(fragment), qPrintable(message));
}

QTEST_APPLESS_MAIN(TestTrajectoryCsv)
#include "tst_trajectory_csv.moc"
