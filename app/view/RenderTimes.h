#pragma once
// Where the scene's render thread spent its time, summed over frames
// (SceneRenderer::takeTimes; bench/frames.sh prints the means): the GL layers
// until the GPU (llvmpipe: the CPU) finished them, the read-back of the
// image, and the raster overlay painted over it.
namespace ss::view {

struct RenderTimes {
    double drawMs = 0, readbackMs = 0, overlayMs = 0;
    int frames = 0;
};

} // namespace ss::view
