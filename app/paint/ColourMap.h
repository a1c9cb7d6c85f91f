#pragma once
// Colour maps for the heat maps and the colour bar: perceptually ordered
// (a viridis-like ramp for densities, a white-to-red ramp for errors), sampled
// by value in [0, 1]. Values outside are clamped.
#include <QColor>
#include <QImage>

#include <Eigen/Core>

namespace ss::view {

enum class ColourMapKind { Density, Error };

QColor colourAt(ColourMapKind kind, double value);

// values (rows = y from the bottom, cols = x) mapped to an RGBA image whose
// first line is the top of the picture (QImage's convention), alpha rising with
// the value so low regions stay see-through. values are normalised to [0, 1]
// by the caller.
QImage colourImage(ColourMapKind kind, const Eigen::ArrayXXf& values);

} // namespace ss::view
