// scorescope-cli's guidance and editing references (issue 15, section 1):
//  - tiltedReference: a guided sample reports its distance to exact draws of
//    the tilted target and --tilted-out writes them; gamma 1 with DDPM and
//    the exact score sits within 2.5 x the floor, the draws sit on the class.
//  - posteriorReference: --sdedit with --posterior-out writes exact draws of
//    p(x0 | x_t0) and the denoised points sit within 2.5 x the floor.
//  - pinned: --pin keeps x1 at A exactly (every output row has x1 = A); --pin
//    without --fix-x1 and --tilted-out without guidance are usage errors.
#include "CliTestSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTextStream>
#include <QtTest>

#include <cmath>

using namespace clitest;

class TestCliGuidance : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }
    void tiltedReference();
    void posteriorReference();
    void pinned();

private:
    QTemporaryDir dir_;
    // The CSV's rows (x1, x2), header skipped.
    QList<QPair<double, double>> rows(const QString& name) const
    {
        QFile f(dir_.filePath(name));
        if (!f.open(QIODevice::ReadOnly)) return {};
        QList<QPair<double, double>> out;
        QTextStream in(&f);
        while (!in.atEnd()) {
            const QStringList cells = in.readLine().split(',');
            bool ok1 = false, ok2 = false;
            if (cells.size() < 2) continue;
            const double a = cells[0].toDouble(&ok1), b = cells[1].toDouble(&ok2);
            if (ok1 && ok2) out.append({a, b});
        }
        return out;
    }
};

void TestCliGuidance::tiltedReference()
{
    const Run r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--guidance", "classifier", "--label", "2",
                       "--w", "1", "--n", "1000", "--out", "g.csv", "--tilted-out", "t.csv", "--json"},
                      dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QJsonObject tilted = json(r)["reference"].toObject()["tilted"].toObject();
    const double sw2 = tilted["sw2"].toDouble(), floor = tilted["floor"].toDouble();
    QVERIFY2(floor > 0 && sw2 < 2.5 * floor, qPrintable(QString("%1 vs floor %2").arg(sw2).arg(floor)));
    const auto drawn = rows("t.csv");
    QCOMPARE(drawn.size(), 1000);
    int onClass = 0; // 8gaussians' class 2 is the mode at (0, 2)
    for (const auto& [x1, x2] : drawn) onClass += std::hypot(x1, x2 - 2.0) < 0.5;
    QVERIFY2(onClass > 990, qPrintable(QString::number(onClass)));
    const Run text = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--guidance", "classifier", "--label",
                          "2", "--w", "4", "--n", "200", "--out", "g4.csv"},
                         dir_.path());
    QVERIFY2(text.out.contains("against the exact tilted target p(x) p(y=2 | x)^4"), qPrintable(text.out));
}

void TestCliGuidance::posteriorReference()
{
    QFile stroke(dir_.filePath("stroke.csv"));
    QVERIFY(stroke.open(QIODevice::WriteOnly));
    stroke.write("x1,x2\n-1,0.6\n0,0.6\n1,0.6\n");
    stroke.close();
    const Run r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--sdedit", "stroke.csv", "--t0", "0.4",
                       "--n", "600", "--out", "e.csv", "--posterior-out", "p.csv", "--json"},
                      dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QJsonObject post = json(r)["reference"].toObject()["posterior"].toObject();
    const double sw2 = post["sw2"].toDouble(), floor = post["floor"].toDouble();
    QVERIFY2(floor > 0 && sw2 < 2.5 * floor, qPrintable(QString("%1 vs floor %2").arg(sw2).arg(floor)));
    QCOMPARE(rows("p.csv").size(), rows("e.csv").size());
}

void TestCliGuidance::pinned()
{
    const Run r = cli({"sample", "--exact", "8gaussians", "--sampler", "annealed", "--fix-x1", "1.2", "--pin", "--n",
                       "300", "--out", "c.csv"},
                      dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const auto pts = rows("c.csv");
    QCOMPARE(pts.size(), 300);
    for (const auto& [x1, x2] : pts) QVERIFY(std::abs(x1 - 1.2) < 1e-9);
    Run bad = cli({"sample", "--exact", "8gaussians", "--sampler", "annealed", "--pin", "--out", "x.csv"}, dir_.path());
    QVERIFY(bad.status != 0 && bad.err.contains("--pin needs --fix-x1 or --fix-x2"));
    bad = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--tilted-out", "t2.csv", "--out", "x.csv"},
              dir_.path());
    QVERIFY(bad.status != 0 && bad.err.contains("--tilted-out needs a guided run"));
}

QTEST_APPLESS_MAIN(TestCliGuidance)
#include "tst_cli_guidance.moc"
