#pragma once
// The one trajectory file layout, written by the window's File menu and by
// `scorescope-cli sample --trajectories`, read back by `scorescope-cli eval`
// and the tests:
//
//   step,t,std,particle,x,y
//   0,1,80,0,-12.3,4.56
//   0,1,80,1,...
//
// A header line, then one line per particle per recorded frame, frames in
// order of step (strictly increasing) and particles 0, 1, ... within a frame.
// step: sampler steps taken when recorded (0: the start); t and std: the noise
// level then (the marginal's mean is not written: a frame read back has the
// default mean 1); x, y at full double precision.
#include "core/Trajectory.h"

#include <cstdint>
#include <deque>
#include <string>

namespace ss {

inline constexpr const char* kTrajectoryCsvHeader = "step,t,std,particle,x,y";

// The file's text. Never throws.
std::string trajectoryCsvText(const std::deque<TrajectoryFrame>& frames);
// Written atomically (Csv.h's writeFileAtomically); InputError naming the path.
void saveTrajectoryCsv(const std::string& path, const std::deque<TrajectoryFrame>& frames);

// Strict: a missing or different header, a wrong column count, a value that
// is not a finite number, a step that goes back, a particle out of order or a
// level that changes within a frame throws InputError "<source>:<line>: ...".
// A file with a header and no rows has no frames.
std::deque<TrajectoryFrame> parseTrajectoryCsv(const std::string& text, const std::string& sourceName);
// The same from a file, refused over maxBytes before it is read.
std::deque<TrajectoryFrame> loadTrajectoryCsv(const std::string& path, std::uintmax_t maxBytes = 1ull << 30);
// True when the file's first line is the trajectory header (false for a point
// file, or a file that cannot be read: its reader then says why).
bool isTrajectoryCsv(const std::string& path);

} // namespace ss
