#include "core/TrajectoryCsv.h"

#include "core/Csv.h"
#include "core/Error.h"
#include "core/JsonFile.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string_view>
#include <vector>

namespace ss {

namespace {

std::string_view withoutCr(std::string_view s)
{
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
}

// One row's six fields, parsed; throws naming the line and the column.
struct Row {
    long long step = 0, particle = 0;
    double t = 0, std = 0, x = 0, y = 0;
};

Row parseRow(std::string_view line, const std::string& where)
{
    std::vector<std::string_view> f;
    for (std::size_t start = 0;;) {
        const std::size_t comma = line.find(',', start);
        f.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (comma == std::string_view::npos || f.size() > 6) break;
        start = comma + 1;
    }
    if (f.size() != 6) throw InputError(where + ": expected 6 columns (" + kTrajectoryCsvHeader + ")");
    static const char* const names[] = {"step", "t", "std", "particle", "x", "y"};
    const auto whole = [&](int c, long long& v) {
        const auto [end, ec] = std::from_chars(f[c].data(), f[c].data() + f[c].size(), v);
        if (f[c].empty() || ec != std::errc() || end != f[c].data() + f[c].size() || v < 0)
            throw InputError(where + ": " + names[c] + " must be a whole number >= 0");
    };
    const auto number = [&](int c, double& v) {
        const auto [end, ec] = std::from_chars(f[c].data(), f[c].data() + f[c].size(), v);
        if (f[c].empty() || ec != std::errc() || end != f[c].data() + f[c].size() || !std::isfinite(v))
            throw InputError(where + ": " + names[c] + " must be a finite number");
    };
    Row r;
    whole(0, r.step);
    number(1, r.t);
    number(2, r.std);
    whole(3, r.particle);
    number(4, r.x);
    number(5, r.y);
    return r;
}

} // namespace

std::string trajectoryCsvText(const std::deque<TrajectoryFrame>& frames)
{
    std::string out = std::string(kTrajectoryCsvHeader) + "\n";
    char line[160];
    for (const TrajectoryFrame& f : frames)
        for (Eigen::Index j = 0; j < f.points.cols(); ++j) {
            std::snprintf(line, sizeof line, "%d,%.9g,%.9g,%lld,%.17g,%.17g\n", f.step, f.level.t,
                          f.level.marginal.std, (long long)j, f.points(0, j), f.points(1, j));
            out += line;
        }
    return out;
}

void saveTrajectoryCsv(const std::string& path, const std::deque<TrajectoryFrame>& frames)
{
    writeFileAtomically(path, trajectoryCsvText(frames));
}

std::deque<TrajectoryFrame> parseTrajectoryCsv(const std::string& text, const std::string& sourceName)
{
    std::string_view rest(text);
    const auto nextLine = [&] {
        const std::size_t nl = rest.find('\n');
        const std::string_view line = withoutCr(rest.substr(0, nl));
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        return line;
    };
    if (nextLine() != kTrajectoryCsvHeader)
        throw InputError(sourceName + ":1: expected the trajectory header " + kTrajectoryCsvHeader);
    std::deque<TrajectoryFrame> frames;
    std::vector<double> xy; // the current frame's points, column after column
    const auto close = [&] {
        if (frames.empty()) return;
        frames.back().points = Eigen::Map<const Eigen::Matrix2Xd>(xy.data(), 2, Eigen::Index(xy.size() / 2));
        xy.clear();
    };
    for (int lineNo = 2; !rest.empty(); ++lineNo) {
        const std::string_view line = nextLine();
        if (line.empty()) continue;
        const std::string where = sourceName + ":" + std::to_string(lineNo);
        const Row r = parseRow(line, where);
        const bool newFrame = frames.empty() || r.step != frames.back().step;
        if (newFrame) {
            if (!frames.empty() && r.step < frames.back().step)
                throw InputError(where + ": step " + std::to_string(r.step) + " after step " +
                                 std::to_string(frames.back().step) + " (steps must increase)");
            if (r.step > 2'000'000'000) throw InputError(where + ": step out of range");
            close();
            TrajectoryFrame f;
            f.step = int(r.step);
            f.level.t = r.t;
            f.level.marginal.std = r.std;
            frames.push_back(std::move(f));
        } else if (r.t != frames.back().level.t || r.std != frames.back().level.marginal.std) {
            throw InputError(where + ": t and std must be the same for every particle of a step");
        }
        if (r.particle != (long long)(xy.size() / 2))
            throw InputError(where + ": particle " + std::to_string(r.particle) + " where " +
                             std::to_string(xy.size() / 2) + " was expected (particles 0, 1, ... in order)");
        xy.push_back(r.x);
        xy.push_back(r.y);
    }
    close();
    return frames;
}

std::deque<TrajectoryFrame> loadTrajectoryCsv(const std::string& path, std::uintmax_t maxBytes)
{
    return parseTrajectoryCsv(readFileBounded(path, maxBytes, "trajectory files"), path);
}

bool isTrajectoryCsv(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::string first;
    if (!in || !std::getline(in, first)) return false;
    return withoutCr(first) == kTrajectoryCsvHeader;
}

} // namespace ss
