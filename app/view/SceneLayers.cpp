// SceneRenderer's GL layers: uploads and draws of points, arrows, trails and
// the heat map (each binds what it needs and unbinds its attributes after).
// Render thread only, with the context current.
#include "view/SceneRenderer.h"

#include "paint/DensityPaint.h"

#include "paint/ColourMap.h"
#include "paint/SceneColours.h"
#include "paint/ScenePainter.h"

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

// The view's transform. The y axis is flipped (a negative viewport height) so
// that glReadPixels, which starts at the bottom row, returns the top row first.
void SceneRenderer::setViewUniforms(QOpenGLShaderProgram& p) const
{
    p.setUniformValue("u_centre", QVector2D(float(centre_.x()), float(centre_.y())));
    p.setUniformValue("u_pixelsPerUnit", float(pixelsPerUnit_));
    p.setUniformValue("u_viewport", QVector2D(float(size_.width()), -float(size_.height())));
}

void SceneRenderer::uploadPoints(QOpenGLBuffer& buffer, const Eigen::Matrix2Xd& points)
{
    const std::vector<float> f = toFloats(points);
    buffer.bind();
    buffer.allocate(f.data(), int(f.size() * sizeof(float)));
}

void SceneRenderer::drawPoints(QOpenGLBuffer& buffer, int count, const QColor& colour, float opacity, float size)
{
    if (count == 0) return;
    points_->bind();
    setViewUniforms(*points_);
    points_->setUniformValue("u_pointSize", size * float(devicePixelRatio_));
    points_->setUniformValue("u_colour", QVector4D(colour.redF(), colour.greenF(), colour.blueF(), opacity));
    buffer.bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glDrawArrays(GL_POINTS, 0, count);
    glDisableVertexAttribArray(0);
}

void SceneRenderer::drawArrows(const Eigen::Matrix2Xd& tails, const Eigen::Matrix2Xd& vectors, const QColor& colour,
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
    arrows_->setUniformValue("u_head", 7.0f * scale_);
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

void SceneRenderer::drawTrails(const app::ParticleSnapshot& particles, const LayerSettings& layers, const QColor& colour)
{
    const double longJump = 0.06 * std::max(size_.width(), size_.height()) / pixelsPerUnit_;
    const std::vector<float> v = trailVertices(particles.trail, kMaxTrailedParticles, longJump);
    if (v.empty()) return;
    const int vertices = int(v.size() / 3);
    trails_->bind();
    setViewUniforms(*trails_);
    const float o = layers.trails.opacity;
    trails_->setUniformValue("u_colour", QVector4D(colour.redF(), colour.greenF(), colour.blueF(), o));
    trailBuffer_->bind();
    trailBuffer_->allocate(v.data(), int(v.size() * sizeof(float)));
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 3 * sizeof(float), nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 1, GL_FLOAT, GL_FALSE, 3 * sizeof(float), reinterpret_cast<void*>(2 * sizeof(float)));
    glDrawArrays(GL_LINES, 0, vertices);
    glDisableVertexAttribArray(0);
    glDisableVertexAttribArray(1);
}

void SceneRenderer::drawHeatMap(const app::FieldSnapshot& field, const LayerSettings& layers)
{
    const bool error = layers.error.visible && field.error.size() > 0;
    if (!error && !(layers.density.visible && field.logDensity.size() > 0)) return;
    // A new field, or the other map: upload (the layers' switch between
    // density and error does not change the field's serial).
    if (uploadedField_ != field.serial || heatIsError_ != error) {
        const HeatValues h = heatValues(field, layers); // the same choice as above
        uploadHeat(heatTexture_, colourImage(error ? ColourMapKind::Error : ColourMapKind::Density, h.values));
        uploadedField_ = field.serial;
        heatIsError_ = error;
    }
    const app::FieldRequest& r = field.request;
    drawHeatQuad(*heatTexture_, QRectF(QPointF(r.xMin, r.yMin), QPointF(r.xMax, r.yMax)),
                 error ? layers.error.opacity : layers.density.opacity);
}

void SceneRenderer::drawModelDensity(const app::DensitySnapshot& s, const LayerSettings& layers)
{
    if (uploadedDensity_ != s.serial || uploadedDensityView_ != layers.modelDensityView) {
        const DensityHeat h = densityHeat(s, layers.modelDensityView);
        uploadHeat(densityTexture_, colourImage(h.kind, h.values));
        uploadedDensity_ = s.serial;
        uploadedDensityView_ = layers.modelDensityView;
    }
    drawHeatQuad(*densityTexture_, densityImageRect(s), layers.modelDensity.opacity);
}

void SceneRenderer::uploadHeat(std::unique_ptr<QOpenGLTexture>& texture, const QImage& picture)
{
    // Rows bottom (yMin) first, as the quad's v runs; bytes R, G, B, A as
    // uploaded (no QImage conversions in between).
    const QImage image = picture.mirrored();
    texture = std::make_unique<QOpenGLTexture>(QOpenGLTexture::Target2D);
    texture->setFormat(QOpenGLTexture::RGBA8_UNorm);
    texture->setSize(image.width(), image.height());
    texture->allocateStorage(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8);
    QOpenGLPixelTransferOptions rows;
    rows.setAlignment(4);
    texture->setData(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8, image.constBits(), &rows);
    texture->setMinificationFilter(QOpenGLTexture::Linear);
    texture->setMagnificationFilter(QOpenGLTexture::Linear);
    texture->setWrapMode(QOpenGLTexture::ClampToEdge);
}

void SceneRenderer::drawHeatQuad(QOpenGLTexture& texture, const QRectF& world, float opacity)
{
    heat_->bind();
    setViewUniforms(*heat_);
    heat_->setUniformValue("u_rect", QVector4D(float(world.left()), float(world.top()), float(world.right()),
                                               float(world.bottom())));
    heat_->setUniformValue("u_opacity", opacity);
    heat_->setUniformValue("u_texture", 0);
    texture.bind(0);
    quad_->bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    glDisableVertexAttribArray(0);
    texture.release(0);
}

} // namespace ss::view
