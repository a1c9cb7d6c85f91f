// Tests of the built-in data sets (core/Presets.h).
//
// Overview
//  - every catalogue id (one data row each): builds with n points, finite,
//    deterministic for a seed, labels in range, roughly inside [-4, 4]^2,
//    analytic ones carry a mixture whose mean matches the sample mean;
//  - the catalogue documents every parameter (defaults inside their ranges);
//  - ncsn is 0.8 N((5,5), I) + 0.2 N((-5,-5), I);
//  - bad ids, parameters and sizes are refused with a message naming them.
// How to add a case: a new preset is picked up from presetCatalogue(); a new
// refusal is a row in refused_data().
#include "core/Error.h"
#include "core/Presets.h"

#include <QtTest>

#include <cmath>
#include <functional>

namespace {

QString inputErrorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const ss::InputError& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("<no InputError>");
}

} // namespace

class TestPresets : public QObject {
    Q_OBJECT

private slots:
    void everyPreset_data();
    void everyPreset();
    void catalogueIsDocumented();
    void ncsnMixture();
    void paramsChangeTheData();
    void refused_data();
    void refused();
};

void TestPresets::everyPreset_data()
{
    QTest::addColumn<QString>("id");
    for (const ss::PresetInfo& info : ss::presetCatalogue())
        QTest::newRow(info.id.c_str()) << QString::fromStdString(info.id);
}

void TestPresets::everyPreset()
{
    QFETCH(QString, id);
    const std::string name = id.toStdString();
    const int n = 20000;
    const ss::Dataset a = ss::makePreset(name, n, 42);
    const ss::Dataset b = ss::makePreset(name, n, 42);
    const ss::Dataset c = ss::makePreset(name, n, 43);
    const ss::PresetInfo* info = nullptr;
    for (const auto& i : ss::presetCatalogue())
        if (i.id == name) info = &i;
    QVERIFY(info);

    QCOMPARE(a.name, name);
    QCOMPARE(a.size(), n);
    QVERIFY(a.points.allFinite());
    QVERIFY(a.points == b.points); // same seed: identical, bit for bit
    QVERIFY(a.labels == b.labels);
    QVERIFY(a.points != c.points); // different seed: different

    QCOMPARE(a.labelled(), info->labelled);
    if (a.labelled()) {
        QCOMPARE(int(a.labels.size()), n);
        QVERIFY(a.numClasses >= 1);
        std::vector<int> seen(a.numClasses, 0);
        for (int l : a.labels) {
            QVERIFY2(l >= 0 && l < a.numClasses, qPrintable(QString("label %1").arg(l)));
            ++seen[l];
        }
        for (int k = 0; k < a.numClasses; ++k) QVERIFY2(seen[k] > 0, qPrintable(QString("class %1 empty").arg(k)));
    } else {
        QCOMPARE(a.numClasses, 0);
    }

    QCOMPARE(a.mixture.has_value(), info->analytic);
    if (a.mixture) {
        // Sample mean within 5 standard errors of the mixture mean.
        const ss::GaussianMixture& mix = *a.mixture;
        Eigen::Vector2d mean = Eigen::Vector2d::Zero();
        for (int k = 0; k < mix.size(); ++k) mean += mix.weights()[k] * mix.means().col(k);
        const Eigen::Matrix2d cov = a.covariance();
        for (int c = 0; c < 2; ++c) {
            const double se = std::sqrt(cov(c, c) / n);
            QVERIFY2(std::abs(a.mean()(c) - mean(c)) < 5 * se + 1e-12,
                     qPrintable(QString("coordinate %1: sample mean %2, mixture mean %3").arg(c).arg(a.mean()(c)).arg(mean(c))));
        }
        if (a.labelled()) QCOMPARE(a.numClasses, mix.size());
    }

    // Scale: all but ncsn live roughly in [-4, 4]^2 (noise tails aside).
    if (name != "ncsn") {
        const auto inside = (a.points.array().abs() <= 4.5).colwise().all().count();
        QVERIFY2(inside >= 0.98 * n, qPrintable(QString("only %1 of %2 points inside [-4.5, 4.5]^2").arg(inside).arg(n)));
    }

    // The exact score is available and finite at a noise level.
    const auto exact = a.exactScore();
    Eigen::Matrix2Xd s(2, 16);
    exact->score(a.points.leftCols(16), {1.0, 0.1}, s);
    QVERIFY(s.allFinite());
}

void TestPresets::catalogueIsDocumented()
{
    const auto& cat = ss::presetCatalogue();
    QCOMPARE(int(cat.size()), 11);
    for (const auto& info : cat) {
        QVERIFY(!info.title.empty() && !info.description.empty());
        for (const auto& p : info.params) {
            QVERIFY2(!p.key.empty() && !p.description.empty(), info.id.c_str());
            QVERIFY2(p.min <= p.defaultValue && p.defaultValue <= p.max, (info.id + "." + p.key).c_str());
            // Both ends of every range build.
            QVERIFY(ss::makePreset(info.id, 10, 1, {{p.key, p.min}}).points.allFinite());
            QVERIFY(ss::makePreset(info.id, 10, 1, {{p.key, p.max}}).points.allFinite());
        }
    }
}

void TestPresets::ncsnMixture()
{
    const ss::Dataset d = ss::makePreset("ncsn", 1000, 0);
    QVERIFY(d.mixture);
    const ss::GaussianMixture& mix = *d.mixture;
    QCOMPARE(mix.size(), 2);
    QVERIFY(std::abs(mix.weights()[0] - 0.8) < 1e-15);
    QVERIFY(std::abs(mix.weights()[1] - 0.2) < 1e-15);
    QVERIFY(mix.means().col(0) == Eigen::Vector2d(5.0, 5.0));
    QVERIFY(mix.means().col(1) == Eigen::Vector2d(-5.0, -5.0));
    for (const auto& c : mix.covariances()) QVERIFY(c == Eigen::Matrix2d::Identity());
    // Labels are the component: label 0 points sit near (5, 5).
    for (int i = 0; i < d.size(); ++i) QCOMPARE(d.labels[i] == 0, d.points(0, i) + d.points(1, i) > 0.0);
}

void TestPresets::paramsChangeTheData()
{
    const ss::Dataset a = ss::makePreset("8gaussians", 100, 3);
    const ss::Dataset b = ss::makePreset("8gaussians", 100, 3, {{"radius", 3.0}});
    QVERIFY(a.points != b.points);
    QCOMPARE(b.mixture->means().col(0).norm(), 3.0);
    const ss::Dataset r = ss::makePreset("rings", 100, 3, {{"count", 6}});
    QCOMPARE(r.numClasses, 6);
}

void TestPresets::refused_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("value");
    QTest::addColumn<QStringList>("expected"); // fragments the message must contain
    QTest::newRow("unknown id") << "nosuchset" << 10 << "" << 0.0 << QStringList{"nosuchset", "8gaussians", "ncsn"};
    QTest::newRow("n zero") << "moons" << 0 << "" << 0.0 << QStringList{"moons", "0"};
    QTest::newRow("n negative") << "moons" << -5 << "" << 0.0 << QStringList{"-5"};
    QTest::newRow("n too large") << "moons" << 10'000'001 << "" << 0.0 << QStringList{"10000001"};
    QTest::newRow("unknown key") << "8gaussians" << 10 << "radiuss" << 1.0 << QStringList{"radiuss", "radius"};
    QTest::newRow("above range") << "8gaussians" << 10 << "std" << 5.0 << QStringList{"std", "5"};
    QTest::newRow("below range") << "moons" << 10 << "noise" << -0.1 << QStringList{"noise", "-0.1"};
    QTest::newRow("NaN") << "spirals" << 10 << "turns" << std::nan("") << QStringList{"turns"};
}

void TestPresets::refused()
{
    QFETCH(QString, id);
    QFETCH(int, n);
    QFETCH(QString, key);
    QFETCH(double, value);
    QFETCH(QStringList, expected);
    std::map<std::string, double> params;
    if (!key.isEmpty()) params[key.toStdString()] = value;
    const QString msg = inputErrorOf([&] { ss::makePreset(id.toStdString(), n, 1, params); });
    for (const QString& part : expected) QVERIFY2(msg.contains(part), qPrintable(msg));
}

QTEST_APPLESS_MAIN(TestPresets)
#include "tst_presets.moc"
