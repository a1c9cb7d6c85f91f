// SceneView's GL layers: uploads and draws of points, arrows, trails and the
// heat map (each binds what it needs and unbinds its attributes after).
#include "SceneView.h"

#include "ColourMap.h"
#include "SceneColours.h"

#include <QOpenGLBuffer>
#include <QOpenGLPixelTransferOptions>
#include <QOpenGLShaderProgram>
#include <QOpenGLTexture>

#include <algorithm>
#include <cmath>

namespace ss::view {

namespace {
std::vector<float> toFloats(const Eigen::Matrix2Xd& m)
{
    std::vector<float> out(std::size_t(m.size()));
    for (Eigen::Index i = 0; i < m.size(); ++i) out[std::size_t(i)] = float(m.data()[i]);
    return out;
}
} // namespace

void SceneView::uploadPoints(QOpenGLBuffer& buffer, const Eigen::Matrix2Xd& points)
{
    const std::vector<float> f = toFloats(points);
    buffer.bind();
    buffer.allocate(f.data(), int(f.size() * sizeof(float)));
}

void SceneView::drawPoints(QOpenGLBuffer& buffer, int count, const QColor& colour, float opacity, float size)
{
    if (count == 0) return;
    points_->bind();
    setViewUniforms(*points_);
    points_->setUniformValue("u_pointSize", size * float(devicePixelRatioF()));
    points_->setUniformValue("u_colour", QVector4D(colour.redF(), colour.greenF(), colour.blueF(), opacity));
    buffer.bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glDrawArrays(GL_POINTS, 0, count);
    glDisableVertexAttribArray(0);
}

void SceneView::drawArrows(const Eigen::Matrix2Xd& tails, const Eigen::Matrix2Xd& vectors, const QColor& colour,
                           float opacity, float halfWidth)
{
    const int n = int(tails.cols());
    if (n == 0) return;
    std::vector<float> inst(std::size_t(4 * n));
    for (int i = 0; i < n; ++i) {
        inst[std::size_t(4 * i)] = float(tails(0, i));
        inst[std::size_t(4 * i + 1)] = float(tails(1, i));
        inst[std::size_t(4 * i + 2)] = float(vectors(0, i));
        inst[std::size_t(4 * i + 3)] = float(vectors(1, i));
    }
    arrows_->bind();
    setViewUniforms(*arrows_);
    arrows_->setUniformValue("u_halfWidth", halfWidth);
    arrows_->setUniformValue("u_head", 7.0f);
    arrows_->setUniformValue("u_colour", QVector4D(colour.redF(), colour.greenF(), colour.blueF(), opacity));
    arrowShape_->bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
    arrowInstances_->bind();
    arrowInstances_->allocate(inst.data(), int(inst.size() * sizeof(float)));
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float), nullptr);
    glVertexAttribDivisor(1, 1);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float), reinterpret_cast<void*>(2 * sizeof(float)));
    glVertexAttribDivisor(2, 1);
    glDrawArraysInstanced(GL_TRIANGLES, 0, 9, n);
    glVertexAttribDivisor(1, 0);
    glVertexAttribDivisor(2, 0);
    glDisableVertexAttribArray(0);
    glDisableVertexAttribArray(1);
    glDisableVertexAttribArray(2);
}

// Arrow vectors for a score field: direction of s, length growing with |s| up
// to 90% of a grid cell (saturating at the 95th percentile of |s|).
Eigen::Matrix2Xd fieldArrows(const Eigen::Matrix2Xd& s, double cell)
{
    if (s.cols() == 0) return s;
    Eigen::VectorXd norms = s.colwise().norm().transpose();
    std::vector<double> sorted(norms.data(), norms.data() + norms.size());
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(0.95 * (sorted.size() - 1)), sorted.end());
    const double ref = std::max(sorted[std::size_t(0.95 * (sorted.size() - 1))], 1e-12);
    Eigen::Matrix2Xd out(2, s.cols());
    for (Eigen::Index j = 0; j < s.cols(); ++j) {
        const double len = 0.9 * cell * std::min(1.0, norms(j) / ref);
        out.col(j) = norms(j) > 0 ? Eigen::Vector2d(s.col(j) / norms(j) * len) : Eigen::Vector2d::Zero();
    }
    return out;
}

void SceneView::drawTrails()
{
    const auto& trail = particles_->trail;
    const int steps = int(trail.size());
    // Trails of the first kMaxTrailed particles only: they are exchangeable, so
    // a few thousand show the flow as well as all, and llvmpipe's cost per
    // segment stays bounded at 10,000+ particles.
    constexpr int kMaxTrailed = 2500;
    const int n = std::min(kMaxTrailed, int(particles_->particles.cols()));
    if (steps < 2 || n == 0) return;
    // GL_LINES: one segment per particle per step, alpha fading with age, and
    // with length: the big jumps of high noise levels (a sizeable part of the
    // view) would cover the scene in lines, so they fade out.
    const double longJump = 0.06 * std::max(width(), height()) / pixelsPerUnit_;
    std::vector<float> v;
    v.reserve(std::size_t(n) * std::size_t(steps - 1) * 6);
    for (int k = 0; k + 1 < steps; ++k) {
        const float a0 = float(k + 1) / float(steps), a1 = float(k + 2) / float(steps);
        const Eigen::Matrix2Xd &p = trail[std::size_t(k)], &q = trail[std::size_t(k + 1)];
        if (p.cols() != q.cols() || p.cols() < n) continue;
        for (int j = 0; j < n; ++j) {
            const double len = std::hypot(q(0, j) - p(0, j), q(1, j) - p(1, j));
            const float fade = float(std::max(0.0, 1.0 - len / longJump));
            if (fade <= 0) continue;
            v.insert(v.end(), {float(p(0, j)), float(p(1, j)), a0 * fade, float(q(0, j)), float(q(1, j)), a1 * fade});
        }
    }
    if (v.empty()) return;
    trailVertices_ = int(v.size() / 3);
    trails_->bind();
    setViewUniforms(*trails_);
    const float o = layers_.trails.opacity;
    trails_->setUniformValue("u_colour", QVector4D(kTrails.redF(), kTrails.greenF(), kTrails.blueF(), o));
    trailBuffer_->bind();
    trailBuffer_->allocate(v.data(), int(v.size() * sizeof(float)));
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 3 * sizeof(float), nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 1, GL_FLOAT, GL_FALSE, 3 * sizeof(float), reinterpret_cast<void*>(2 * sizeof(float)));
    glDrawArrays(GL_LINES, 0, trailVertices_);
    glDisableVertexAttribArray(0);
    glDisableVertexAttribArray(1);
}

void SceneView::drawHeatMap()
{
    const bool error = layers_.error.visible && field_->error.size() > 0;
    if (!error && !layers_.density.visible) return;
    if (uploadedField_ != field_->serial || heatIsError_ != error) {
        Eigen::ArrayXXf values;
        if (error) {
            heatMax_ = std::max(double(field_->error.maxCoeff()), 1e-30);
            values = field_->error / float(heatMax_);
        } else {
            heatMax_ = field_->logDensity.maxCoeff();
            values = ((field_->logDensity - float(heatMax_)).exp()).sqrt(); // sqrt: low densities stay visible
        }
        // Rows bottom (yMin) first, as the quad's v runs; bytes R, G, B, A as
        // uploaded (no QImage conversions in between).
        const QImage image =
            colourImage(error ? ColourMapKind::Error : ColourMapKind::Density, values).mirrored();
        heatTexture_ = std::make_unique<QOpenGLTexture>(QOpenGLTexture::Target2D);
        heatTexture_->setFormat(QOpenGLTexture::RGBA8_UNorm);
        heatTexture_->setSize(image.width(), image.height());
        heatTexture_->allocateStorage(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8);
        QOpenGLPixelTransferOptions rows;
        rows.setAlignment(4);
        heatTexture_->setData(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8, image.constBits(), &rows);
        heatTexture_->setMinificationFilter(QOpenGLTexture::Linear);
        heatTexture_->setMagnificationFilter(QOpenGLTexture::Linear);
        heatTexture_->setWrapMode(QOpenGLTexture::ClampToEdge);
        uploadedField_ = field_->serial;
        heatIsError_ = error;
    }
    const app::FieldRequest& r = field_->request;
    heat_->bind();
    setViewUniforms(*heat_);
    heat_->setUniformValue("u_rect", QVector4D(float(r.xMin), float(r.yMin), float(r.xMax), float(r.yMax)));
    heat_->setUniformValue("u_opacity", error ? layers_.error.opacity : layers_.density.opacity);
    heat_->setUniformValue("u_texture", 0);
    heatTexture_->bind(0);
    quad_->bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    glDisableVertexAttribArray(0);
    heatTexture_->release(0);
}

} // namespace ss::view
