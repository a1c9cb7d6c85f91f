// The "Exact target" layer: a conditioned run's exact law of the free
// coordinate (state/TargetProfile), carried by the sampling worker's
// snapshots and drawn by the painter (paint/TargetPaint).
//  - the law against the Gaussian conditioning formula written out here, for a
//    two-component mixture, at the end level of an ODE run and of Langevin;
//  - point data: smoothed by the end level's noise, and the label says so;
//  - the worker publishes it for a conditioned setup and drops it otherwise;
//  - the picture: the curve's pixels right of the line x1 = a, at the
//    component's height, and none with the layer off.
#include "paint/ScenePainter.h"
#include "paint/TargetPaint.h"
#include "engine/SamplingWorker.h"
#include "state/TargetProfile.h"

#include "AppTestSupport.h"


#include <QImage>
#include <QPainter>
#include <QtTest>

#include <cmath>

using namespace ss;
using namespace ss::app;

namespace {

// Two components with correlated covariances, so the conditional mean moves with a.
std::shared_ptr<const Dataset> twoGaussians()
{
    Eigen::Matrix2Xd means(2, 2);
    means << -1.0, 1.5, 0.5, -0.8;
    Eigen::Matrix2d c1, c2;
    c1 << 0.30, 0.12, 0.12, 0.20;
    c2 << 0.10, -0.05, -0.05, 0.40;
    auto data = std::make_shared<Dataset>();
    data->name = "two";
    data->mixture.emplace(std::vector<double>{0.3, 0.7}, means, std::vector<Eigen::Matrix2d>{c1, c2});
    data->points = Eigen::Matrix2Xd::Random(2, 50);
    return data;
}

// p(x2 | x1 = a) written out: each component at the marginal (s, sd) has
// covariance s^2 C + sd^2 I; conditioning a 2D Gaussian on its first coordinate.
double conditionalByHand(const GaussianMixture& g, double a, double x2, double s, double sd)
{
    double num = 0, den = 0;
    for (int k = 0; k < g.size(); ++k) {
        const Eigen::Vector2d m = s * g.means().col(k);
        const Eigen::Matrix2d c = s * s * g.covariances()[std::size_t(k)] + sd * sd * Eigen::Matrix2d::Identity();
        const auto normal = [](double x, double mu, double var) {
            return std::exp(-(x - mu) * (x - mu) / (2 * var)) / std::sqrt(2 * M_PI * var);
        };
        const double w = g.weights()[std::size_t(k)] * normal(a, m(0), c(0, 0));
        const double mu = m(1) + c(1, 0) / c(0, 0) * (a - m(0));
        const double var = c(1, 1) - c(1, 0) * c(1, 0) / c(0, 0);
        num += w * normal(x2, mu, var);
        den += w;
    }
    return num / den;
}

SamplingSetup conditioned(std::shared_ptr<const Dataset> data, SamplerKind kind, double a)
{
    SamplingSetup s;
    s.data = std::move(data);
    s.sampler.kind = kind;
    s.sampler.particles = 200;
    s.sampler.steps = 50;
    s.sampler.fixCoordinate = 0;
    s.sampler.fixValue = a;
    s.schedule = kind == SamplerKind::Langevin ? NoiseSchedule() : NoiseSchedule::vp();
    s.source = SourceKind::Exact;
    return s;
}

} // namespace

class TestAppTarget : public QObject {
    Q_OBJECT
private slots:
    void lawIsTheGaussianConditional_data();
    void lawIsTheGaussianConditional();
    void nothingConditionedNoTarget();
    void pointDataAreSmoothed();
    void workerPublishesTheTarget();
    void pictureDrawsTheCurve();
};

void TestAppTarget::lawIsTheGaussianConditional_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<double>("langevinStd");
    QTest::newRow("ode, VP end level") << int(SamplerKind::ProbabilityFlow) << 0.0;
    QTest::newRow("langevin at std 0.5") << int(SamplerKind::Langevin) << 0.5;
}

void TestAppTarget::lawIsTheGaussianConditional()
{
    QFETCH(int, kind);
    QFETCH(double, langevinStd);
    SamplingSetup s = conditioned(twoGaussians(), SamplerKind(kind), 0.4);
    s.sampler.langevinStd = langevinStd;
    const TargetPtr t = targetProfile(s);
    QVERIFY(t);
    QCOMPARE(t->fixedCoordinate, 0);
    QCOMPARE(t->a, 0.4);
    QCOMPARE(t->smoothing, 0.0); // a mixture needs none
    // The level the run ends on: Langevin's own noise, else the schedule's least noisy SDE marginal.
    const Marginal end = SamplerKind(kind) == SamplerKind::Langevin
        ? Marginal{1.0, langevinStd}
        : s.schedule.sdeMarginal(s.schedule.tEpsilon()).marginal;
    double peak = 0;
    for (double x2 = -4; x2 <= 4; x2 += 0.01) {
        const double expected = conditionalByHand(*s.data->mixture, 0.4, x2, end.mean, end.std);
        QVERIFY2(std::abs(t->law.pdf(x2) - expected) <= 1e-10 * (1 + expected),
                 qPrintable(QString("x2 %1: %2 vs %3").arg(x2).arg(t->law.pdf(x2)).arg(expected)));
        peak = std::max(peak, expected);
    }
    // The curve's scale: the largest density, taken at the components' means
    // (the mixture's true peak sits a hair off a mean; the scan's step is 0.01).
    QVERIFY2(t->peak >= peak * 0.98 && t->peak <= peak * 1.001, qPrintable(QString::number(t->peak / peak)));
    QCOMPARE(QString::fromStdString(t->label), QStringLiteral("p(x2 | x1 = 0.4), exact"));
}

void TestAppTarget::nothingConditionedNoTarget()
{
    SamplingSetup s = conditioned(twoGaussians(), SamplerKind::ProbabilityFlow, 0.4);
    s.sampler.fixCoordinate = -1;
    QVERIFY(!targetProfile(s));
    s.sampler.fixCoordinate = 1;
    s.data = nullptr;
    QVERIFY(!targetProfile(s));
}

void TestAppTarget::pointDataAreSmoothed()
{
    auto data = std::make_shared<Dataset>();
    data->name = "pts";
    data->points.resize(2, 3);
    data->points << 0.0, 0.0, 5.0, -1.0, 2.0, 0.0; // two points on x1 = 0, one far away
    SamplingSetup s = conditioned(data, SamplerKind::Langevin, 0.0);
    s.sampler.langevinStd = 0.1;
    TargetPtr t = targetProfile(s);
    QVERIFY(t);
    QCOMPARE(t->smoothing, 0.1);
    QVERIFY(QString::fromStdString(t->label).contains("smoothed by σ = 0.1"));
    // Two equal spikes at x2 = -1 and 2; the far point has no weight.
    const double spike = 1 / (std::sqrt(2 * M_PI) * 0.1);
    QVERIFY(std::abs(t->law.pdf(-1.0) - spike / 2) < 1e-9 * spike);
    QVERIFY(std::abs(t->law.pdf(2.0) - spike / 2) < 1e-9 * spike);
    // No noise at the end: the smallest smoothing, not a zero-width law.
    s.sampler.langevinStd = 0;
    t = targetProfile(s);
    QCOMPARE(t->smoothing, kMinPointSmoothing);
}

void TestAppTarget::workerPublishesTheTarget()
{
    SamplingThread thread(conditioned(twoGaussians(), SamplerKind::ProbabilityFlow, 0.4), 5);
    SamplingWorker* w = thread.worker();
    QVERIFY(w->latest()->target);
    QCOMPARE(w->latest()->target->a, 0.4);
    SamplingSetup next = w->latest()->setup;
    next.sampler.fixValue = -0.7;
    w->postSetup(next);
    QVERIFY(apptest::eventually([&] { return w->latest()->target && w->latest()->target->a == -0.7; }));
    next.sampler.fixCoordinate = -1;
    w->postSetup(next);
    QVERIFY(apptest::eventually([&] { return !w->latest()->target; }));
}

void TestAppTarget::pictureDrawsTheCurve()
{
    SamplingSetup s = conditioned(twoGaussians(), SamplerKind::ProbabilityFlow, 0.0);
    auto particles = std::make_shared<ParticleSnapshot>();
    particles->particles = Eigen::Matrix2Xd::Zero(2, 1);
    particles->target = targetProfile(s);
    particles->setup = s;
    view::ScenePicture pic;
    pic.data = s.data;
    pic.particles = particles;
    pic.world = QRectF(-3, -3, 6, 6);
    pic.layers.particles.visible = false;
    pic.layers.data.visible = false;
    const QSize size(600, 600);
    auto draw = [&](const view::ScenePicture& picture) {
        QImage image(size, QImage::Format_RGB32);
        QPainter p(&image);
        view::paintScene(p, picture, QSizeF(size));
        return image;
    };
    const QColor colour = view::scenePalette(pic.palette).target;
    // Pixels of the curve's outline colour in a row: where the law is high
    // (the heavier component's conditional mean) the curve reaches far right of
    // x1 = 0 (pixel 300); where it is ~0 it hugs the line.
    const auto reach = [&](const QImage& image, double x2) {
        const int y = int(std::lround((3 - x2) / 6 * size.height()));
        int furthest = -1;
        for (int x = 300; x < size.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - colour.red()) < 40 && std::abs(c.green() - colour.green()) < 40 &&
                std::abs(c.blue() - colour.blue()) < 40)
                furthest = x;
        }
        return furthest - 300;
    };
    const TargetProfile& t = *particles->target;
    double mode = 0, best = 0;
    for (double x2 = -3; x2 <= 3; x2 += 0.01)
        if (t.law.pdf(x2) > best) best = t.law.pdf(x2), mode = x2;
    const QImage on = draw(pic);
    const double height = view::kTargetWidthFraction * size.width();
    QVERIFY2(std::abs(reach(on, mode) - height) < 6, qPrintable(QString::number(reach(on, mode))));
    QVERIFY2(reach(on, 2.9) < 6, qPrintable(QString::number(reach(on, 2.9))));
    pic.layers.target.visible = false;
    QCOMPARE(reach(draw(pic), mode), -301); // nothing of its colour at all
}

QTEST_MAIN(TestAppTarget)
#include "tst_app_target.moc"
