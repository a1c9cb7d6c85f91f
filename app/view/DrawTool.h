#pragma once
// What a left-button drag in the scene does: pan (Off), add points, erase
// them, or draw a stroke for SDEdit (not data: the sampler's start). Shared by the Data dock, which owns the choice and edits the data, and
// the scene view, which only reports strokes and shows the brush.
namespace ss::view {

enum class DrawTool { Off, Add, Erase, Sdedit };

} // namespace ss::view
