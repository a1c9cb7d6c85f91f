// The scene renders into an image and puts things where the data says (the
// model-density layer too: in place of the field map, and its difference view): under
// Xvfb (scripts/test.sh) with a real GL context; it skips, saying why, without
// an X display or without OpenGL 3.3 core.
//
// Pixel checks use a known view (centre 0, 100 px per unit on a 400 x 400
// view): world (x, y) is pixel (200 + 100 x, 200 - 100 y).
#include "AppTestSupport.h"
#include "GlTestSupport.h"
#include "view/SceneView.h"

#include "core/Presets.h"

#include <QApplication>
#include <QSurfaceFormat>
#include <QtTest>

using namespace ss;

namespace {
bool haveDisplay = false;

bool reddish(QRgb c) { return qRed(c) > 150 && qGreen(c) < 120 && qBlue(c) < 120; }
// Frames [-2, 2]^2 exactly: the data set's box, margins included (1.25x),
// fixes the view; set here through a data set with points on the corners.
void frameFromMinus2To2(view::SceneView& v)
{
    auto box = std::make_shared<Dataset>();
    box->points.resize(2, 2);
    box->points << -1.6, 1.6, -1.6, 1.6;
    v.setData(box);
    v.resetView();
}

bool nearWhite(QRgb c) { return qRed(c) > 235 && qGreen(c) < 256 && qGreen(c) > 235 && qBlue(c) > 230; }
} // namespace

class TestAppRender : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void particlesAndHeatMapWhereTheDataSays();
    void arrowsPointAlongTheScore();
    void noisedDataLayer();
    void modelDensityLayer();
    void cachedBackgroundFollowsFieldsAndView();

private:
    // A shown 400 x 400 view framing [-2, 2]^2, rendered once; null when GL is unusable.
    std::unique_ptr<view::SceneView> makeView();
    QImage render(view::SceneView& v);
};

void TestAppRender::initTestCase()
{
    if (!haveDisplay) QSKIP("no X display: render tests need one (scripts/test.sh runs them under xvfb-run)");
}

std::unique_ptr<view::SceneView> TestAppRender::makeView()
{
    auto v = std::make_unique<view::SceneView>();
    v->resize(400, 400);
    v->show();
    if (!QTest::qWaitForWindowExposed(v.get())) return nullptr;
    v->renderNow(); // the first frame tries the context
    if (!v->glUsable()) return nullptr;
    return v;
}

QImage TestAppRender::render(view::SceneView& v) { return v.renderNow().convertToFormat(QImage::Format_RGB32); }

void TestAppRender::modelDensityLayer()
{
    // The model-density layer in GL: a 17 x 17 snapshot with the model's bump
    // at (-1, -1) and the truth's at (1, 1), drawn in place of the field's map.
    auto v = makeView();
    if (!v) QSKIP("no OpenGL 3.3 core context here");
    auto d = std::make_shared<app::DensitySnapshot>();
    d->region = {-2, 2, -2, 2};
    d->level = NoiseLevel{{1.0, 0.3}, 0.3};
    d->size = d->finalSize = 17;
    d->logModel.resize(17, 17);
    d->logTrue.resize(17, 17);
    for (int i = 0; i < 17; ++i)
        for (int j = 0; j < 17; ++j) {
            const Eigen::Vector2d x = densityNode(d->region, 17, i, j);
            d->logModel(i, j) = float(-(x - Eigen::Vector2d(-1, -1)).squaredNorm() / 0.5);
            d->logTrue(i, j) = float(-(x - Eigen::Vector2d(1, 1)).squaredNorm() / 0.5);
        }
    d->serial = 1;
    v->setModelDensity(d);
    view::LayerSettings layers;
    layers.trails.visible = layers.learnedField.visible = layers.data.visible = layers.particles.visible = false;
    layers.modelDensity = {true, 1.0f};
    layers.modelDensityView = view::DensityView::Model;
    v->setLayers(layers);
    frameFromMinus2To2(*v);
    QImage image = render(*v);
    // Off the grid lines, by 0.03: world (-1.03, -1.03) at the model's maximum, yellow.
    QRgb bump = image.pixel(97, 303);
    QVERIFY2(qRed(bump) > 180 && qGreen(bump) > 180 && qBlue(bump) < 120, qPrintable(QString::number(bump, 16)));
    layers.modelDensityView = view::DensityView::Difference;
    v->setLayers(layers);
    image = render(*v);
    const QRgb above = image.pixel(97, 303), below = image.pixel(303, 97); // model above / below the truth
    QVERIFY2(qRed(above) > qBlue(above) + 60, qPrintable(QString::number(above, 16)));
    QVERIFY2(qBlue(below) > qRed(below) + 40, qPrintable(QString::number(below, 16)));
    layers.modelDensity.visible = false; // hidden: nothing drawn there
    v->setLayers(layers);
    QVERIFY(nearWhite(render(*v).pixel(97, 303)));
}

// The heat map and data are drawn into a background that later frames copy
// while field, data and view stay (SceneRenderer::drawBackground): particles
// moving over it leave no trace, a new field replaces the map, a pan moves it.
void TestAppRender::cachedBackgroundFollowsFieldsAndView()
{
    auto v = makeView();
    if (!v) QSKIP("no OpenGL 3.3 core context here");
    view::LayerSettings layers;
    layers.trails.visible = layers.learnedField.visible = layers.data.visible = false;
    v->setLayers(layers);
    frameFromMinus2To2(*v);
    auto f = std::make_shared<app::FieldSnapshot>();
    f->request.xMin = f->request.yMin = -2;
    f->request.xMax = f->request.yMax = 2;
    f->request.arrows = 2;
    f->logDensity = apptest::bumpLogDensity(64); // at (-1, -1)
    f->grid = Eigen::Matrix2Xd::Zero(2, 0);
    f->serial = 1;
    v->setField(f);
    const auto yellow = [](QRgb c) { return qRed(c) > 180 && qGreen(c) > 180 && qBlue(c) < 120; };
    const auto particlesAt = [&](double x, double y, std::int64_t serial) {
        auto p = std::make_shared<app::ParticleSnapshot>();
        p->particles = Eigen::Matrix2Xd::Constant(2, 50, 0.0);
        p->particles.row(0).setConstant(x);
        p->particles.row(1).setConstant(y);
        p->trail.push_back(p->particles);
        p->serial = serial;
        v->setParticles(p);
    };
    particlesAt(1, 1, 1);
    QImage image = render(*v);
    QVERIFY(yellow(image.pixel(100, 300)));
    QVERIFY(reddish(image.pixel(300, 100)));
    // The same field: the particles move, none is left behind.
    particlesAt(-1, 1, 2);
    image = render(*v);
    QVERIFY2(!reddish(image.pixel(300, 100)), qPrintable(QString::number(image.pixel(300, 100), 16)));
    QVERIFY(reddish(image.pixel(100, 100)));
    QVERIFY(yellow(image.pixel(100, 300)));
    // A new field, mirrored in x: the bump moves to (1, -1).
    auto g = std::make_shared<app::FieldSnapshot>(*f);
    g->logDensity = f->logDensity.rowwise().reverse();
    g->serial = 2;
    v->setField(g);
    image = render(*v);
    QVERIFY2(!yellow(image.pixel(100, 300)), qPrintable(QString::number(image.pixel(100, 300), 16)));
    QVERIFY2(yellow(image.pixel(300, 300)), qPrintable(QString::number(image.pixel(300, 300), 16)));
    // The view moved one unit right (centre (1, 0)): the bump is now at pixel x 200.
    v->setVisibleRect(QRectF(-1, -2, 4, 4));
    image = render(*v);
    QVERIFY2(yellow(image.pixel(200, 300)), qPrintable(QString::number(image.pixel(200, 300), 16)));
    QVERIFY(!yellow(image.pixel(300, 300)));
}

void TestAppRender::particlesAndHeatMapWhereTheDataSays()
{
    auto v = makeView();
    if (!v) QSKIP("no OpenGL 3.3 core context here");
    QVERIFY(v->glDescription().contains("OpenGL"));
    view::LayerSettings layers;
    layers.trails.visible = false;
    layers.learnedField.visible = false;
    layers.data.visible = false;
    v->setLayers(layers);
    // Particles: a tight cluster at (1, 1).
    auto p = std::make_shared<app::ParticleSnapshot>();
    p->particles = Eigen::Matrix2Xd::Constant(2, 50, 1.0);
    p->trail.push_back(p->particles);
    p->serial = 1;
    v->setParticles(p);
    // Heat map: one bump at (-1, -1) on [-2, 2]^2.
    auto f = std::make_shared<app::FieldSnapshot>();
    f->request.xMin = f->request.yMin = -2;
    f->request.xMax = f->request.yMax = 2;
    f->request.arrows = 2;
    f->logDensity = apptest::bumpLogDensity(64);
    f->grid = Eigen::Matrix2Xd::Zero(2, 0);
    f->serial = 1;
    v->setField(f);
    frameFromMinus2To2(*v);
    const QImage image = render(*v);
    QCOMPARE(image.size(), QSize(400, 400) * v->devicePixelRatio());
    // The image carries the overlay: "empty" is off the grid lines (world 1.3, -1.3).
    const QRgb particle = image.pixel(300, 100), bump = image.pixel(100, 300), empty = image.pixel(330, 330);
    if (qEnvironmentVariableIsSet("SCORESCOPE_TEST_SHOTS")) image.save(qEnvironmentVariable("SCORESCOPE_TEST_SHOTS") + "/render.png");
    QVERIFY2(reddish(particle), qPrintable(QString::number(particle, 16)));
    // The bump's centre is the top of the colour map (yellow: red and green high, blue low).
    QVERIFY2(qRed(bump) > 180 && qGreen(bump) > 180 && qBlue(bump) < 120, qPrintable(QString::number(bump, 16)));
    QVERIFY2(nearWhite(empty), qPrintable(QString::number(empty, 16)));
    // Hiding the particles removes them.
    layers.particles.visible = false;
    v->setLayers(layers);
    QVERIFY(!reddish(render(*v).pixel(300, 100)));
}

void TestAppRender::arrowsPointAlongTheScore()
{
    auto v = makeView();
    if (!v) QSKIP("no OpenGL 3.3 core context here");
    view::LayerSettings layers;
    layers.density.visible = false;
    layers.exactField.visible = true;
    layers.learnedField.visible = false;
    v->setLayers(layers);
    layers.data.visible = false;
    v->setLayers(layers);
    frameFromMinus2To2(*v);
    // One arrow at the origin pointing along +x, 0.9 of a 4-unit cell long.
    auto f = std::make_shared<app::FieldSnapshot>();
    f->request.xMin = f->request.yMin = -2;
    f->request.xMax = f->request.yMax = 2;
    f->request.arrows = 1;
    f->grid = Eigen::Matrix2Xd::Zero(2, 1);
    f->exact = Eigen::Matrix2Xd(2, 1);
    f->exact << 1.0, 0.0;
    f->logDensity = Eigen::ArrayXXf::Zero(2, 2);
    f->serial = 1;
    v->setField(f);
    const QImage image = render(*v);
    // The arrow spans x in [-1.8, 1.8] along y = 0: pixels (20..380, 200).
    auto blue = [](QRgb c) { return qBlue(c) > 150 && qRed(c) < 120; };
    QVERIFY(blue(image.pixel(120, 200)));
    QVERIFY(blue(image.pixel(300, 200)));
    QVERIFY(!blue(image.pixel(200, 120))); // nothing above it
    QVERIFY(!blue(image.pixel(392, 200))); // nor beyond its head
    QVERIFY(!blue(image.pixel(8, 200)));   // nor behind its tail
}

void TestAppRender::noisedDataLayer()
{
    // The noised points are drawn (purple) where the snapshot puts them, only
    // while their layer is on.
    auto v = makeView();
    if (!v) QSKIP("no OpenGL 3.3 core context here");
    view::LayerSettings layers;
    layers.density.visible = false;
    layers.learnedField.visible = false;
    layers.data.visible = false;
    layers.noised.visible = true;
    layers.noised.opacity = 1.0f;
    v->setLayers(layers);
    frameFromMinus2To2(*v);
    auto f = std::make_shared<app::FieldSnapshot>();
    f->request.xMin = f->request.yMin = -2;
    f->request.xMax = f->request.yMax = 2;
    f->grid = Eigen::Matrix2Xd::Zero(2, 0);
    f->logDensity = Eigen::ArrayXXf::Zero(2, 2);
    f->noised = Eigen::Matrix2Xd::Constant(2, 20, -1.0); // at (-1, -1): pixel (100, 300)
    f->serial = 1;
    v->setField(f);
    auto purple = [](QRgb c) { return qRed(c) > 90 && qRed(c) < 160 && qGreen(c) < 100 && qBlue(c) > 140; };
    const QImage image = render(*v);
    QVERIFY2(purple(image.pixel(100, 300)), qPrintable(QString::number(image.pixel(100, 300), 16)));
    QVERIFY(!purple(image.pixel(300, 100)));
    layers.noised.visible = false;
    v->setLayers(layers);
    QVERIFY(!purple(render(*v).pixel(100, 300)));
}

int main(int argc, char** argv)
{
    haveDisplay = gltest::prepare();
    QApplication app(argc, argv);
    TestAppRender test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_app_render.moc"
