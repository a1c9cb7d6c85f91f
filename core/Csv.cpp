#include "core/Csv.h"

#include "core/AtomicFile.h"
#include "core/Error.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

namespace ss {

namespace {

namespace fs = std::filesystem;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string sizeText(std::int64_t bytes)
{
    if (bytes >= (1ll << 20)) return std::to_string((bytes + (1ll << 19)) >> 20) + " MB";
    if (bytes >= (1ll << 10)) return std::to_string((bytes + 512) >> 10) + " KB";
    return std::to_string(bytes) + " bytes";
}

enum class Num { Ok, NotANumber, NonFinite, OutOfRange };

// Whole-field parse: "1.5abc", "", "1 2" are NotANumber; "nan", "inf" are
// NonFinite; "1e999" is OutOfRange; "1e-400" reads as 0. A leading '+' is accepted (from_chars is not).
Num parseDouble(std::string_view f, double& v)
{
    if (f.size() > 1 && f.front() == '+' && f[1] != '-' && f[1] != '+') f.remove_prefix(1);
    if (f.empty()) return Num::NotANumber;
    const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (end != f.data() + f.size()) return Num::NotANumber;
    if (ec == std::errc::result_out_of_range) {
        // Underflow ("1e-400") is read as the nearest double (0 or subnormal), as
        // strtod does; only overflow is refused.
        v = std::strtod(std::string(f).c_str(), nullptr);
        return std::abs(v) <= 1.0 ? Num::Ok : Num::OutOfRange;
    }
    if (ec != std::errc()) return Num::NotANumber;
    return std::isfinite(v) ? Num::Ok : Num::NonFinite;
}

// Splits on ',' (no quoting: point files have no text fields) and trims each field.
std::vector<std::string_view> splitFields(std::string_view line)
{
    std::vector<std::string_view> out;
    for (;;) {
        const std::size_t comma = line.find(',');
        out.push_back(trim(line.substr(0, comma)));
        if (comma == std::string_view::npos) return out;
        line.remove_prefix(comma + 1);
    }
}

// A field as shown in a message: at most 40 characters, so a huge field
// (a whole file on one line) never becomes a huge message.
std::string shown(std::string_view f)
{
    constexpr std::size_t kMax = 40;
    if (f.size() <= kMax) return std::string(f);
    return std::string(f.substr(0, kMax)) + "... (" + sizeText(std::int64_t(f.size())) + ")";
}

std::string fileNameOf(const std::string& path)
{
    const std::string name = fs::path(path).filename().string();
    return name.empty() ? path : name;
}

} // namespace

Dataset parseCsv(const std::string& text, const std::string& sourceName, const CsvLimits& limits)
{
    const auto fail = [&](int line, const std::string& what) -> InputError {
        return InputError(sourceName + ":" + std::to_string(line) + ": " + what);
    };
    std::string_view rest(text);
    if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3); // UTF-8 byte-order mark

    std::vector<double> xs;
    std::vector<int> labels;
    int columns = 0, firstDataLine = 0, lineNo = 0, maxLabel = -1;
    bool sawContent = false, sawHeader = false;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view raw = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        ++lineNo;
        const std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        // Before splitting: a line of millions of commas would cost a field each.
        if (std::int64_t(line.size()) > limits.maxLineBytes)
            throw fail(lineNo, "the line is " + sizeText(std::int64_t(line.size())) + " long, over the " +
                                   sizeText(limits.maxLineBytes) + " limit for one point (is this a point file?)");

        const std::vector<std::string_view> fields = splitFields(line);
        double v = 0.0;
        if (!sawContent) {
            sawContent = true;
            // A header: the first content line whose first field is not a number at all.
            if (parseDouble(fields[0], v) == Num::NotANumber && !fields[0].empty()) {
                sawHeader = true;
                continue;
            }
        }
        const int count = int(fields.size());
        if (columns == 0) {
            if (count != 2 && count != 3)
                throw fail(lineNo, "expected 2 or 3 columns, found " + std::to_string(count));
            columns = count;
            firstDataLine = lineNo;
        } else if (count != columns) {
            throw fail(lineNo, "expected " + std::to_string(columns) + " columns like the first data row (line "
                                   + std::to_string(firstDataLine) + "), found " + std::to_string(count));
        }
        if (int(xs.size() / 2) >= limits.maxRows)
            throw fail(lineNo, "more than " + std::to_string(limits.maxRows) + " points (the limit)");
        for (int c = 0; c < 2; ++c) {
            const std::string field = shown(fields[c]);
            switch (parseDouble(fields[c], v)) {
            case Num::Ok: break;
            case Num::NonFinite:
                throw fail(lineNo, "non-finite value '" + field + "' in column " + std::to_string(c + 1));
            case Num::OutOfRange:
                throw fail(lineNo, "'" + field + "' is out of range in column " + std::to_string(c + 1));
            case Num::NotANumber:
                throw fail(lineNo, field.empty() ? "empty value in column " + std::to_string(c + 1)
                                                 : "'" + field + "' is not a number in column " + std::to_string(c + 1));
            }
            xs.push_back(v);
        }
        if (columns == 3) {
            const std::string_view f = fields[2];
            int label = -1;
            const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), label);
            if (f.empty() || ec != std::errc() || end != f.data() + f.size() || label < 0 || label > limits.maxLabel)
                throw fail(lineNo, "label '" + shown(f) + "' in column 3 must be a whole number from 0 to "
                                       + std::to_string(limits.maxLabel));
            labels.push_back(label);
            maxLabel = std::max(maxLabel, label);
        }
    }
    if (xs.empty())
        throw InputError(sourceName + (sawHeader ? ": the file has no points (only a header)"
                                                 : ": the file is empty (no points)"));

    Dataset d;
    d.name = fileNameOf(sourceName);
    d.points = Eigen::Map<const Eigen::Matrix2Xd>(xs.data(), 2, Eigen::Index(xs.size() / 2));
    if (columns == 3) {
        d.labels = std::move(labels);
        d.numClasses = maxLabel + 1;
    }
    return d;
}

Dataset loadCsv(const std::string& path, const CsvLimits& limits)
{
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw InputError(path + ": no such file");
    if (fs::is_directory(st)) throw InputError(path + ": is a folder, not a file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) throw InputError(path + ": cannot read the file size (" + ec.message() + ")");
    // Checked before reading, so a huge file costs nothing.
    if (std::int64_t(size) > limits.maxBytes)
        throw InputError(path + ": file is " + sizeText(std::int64_t(size)) + ", over the "
                         + sizeText(limits.maxBytes) + " limit");

    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open for reading (" + std::strerror(errno) + ")");
    std::string text(std::size_t(size), '\0');
    in.read(text.data(), std::streamsize(size));
    text.resize(std::size_t(in.gcount())); // the file may have shrunk meanwhile
    if (in.bad()) throw InputError(path + ": read error (" + std::strerror(errno) + ")");
    return parseCsv(text, path, limits);
}

void saveCsv(const std::string& path, const Dataset& data)
{
    const bool withLabels = data.labelled();
    if (withLabels && data.labels.size() != std::size_t(data.points.cols()))
        throw InputError(path + ": cannot save: " + std::to_string(data.labels.size()) + " labels for "
                         + std::to_string(data.points.cols()) + " points");
    std::string text = withLabels ? "x,y,label\n" : "x,y\n";
    text.reserve(text.size() + std::size_t(data.points.cols()) * 48);
    char buf[32];
    for (Eigen::Index i = 0; i < data.points.cols(); ++i) {
        for (int c = 0; c < 2; ++c) {
            const double v = data.points(c, i);
            if (!std::isfinite(v))
                throw InputError(path + ": cannot save: point " + std::to_string(i + 1) + " is not finite");
            // Shortest representation that reads back to the same double.
            const auto res = std::to_chars(buf, buf + sizeof buf, v);
            text.append(buf, res.ptr);
            text += c == 0 ? ',' : (withLabels ? ',' : '\n');
        }
        if (withLabels) text += std::to_string(data.labels[std::size_t(i)]) + '\n';
    }
    writeFileAtomically(path, text);
}

// The temporary file sits beside the file replaced (same file system, so
// rename is atomic on POSIX); links are written through and special files
// refused (AtomicFile.h). The data are flushed to the OS but not fsync'ed: a
// power cut may still lose the new version, never leave a half-written target.
void writeFileAtomically(const std::string& path, const std::string& text)
{
    const std::string target = atomicWriteTarget(path);
    removeStaleTemporaries(target);
    const std::string tmp = atomicTemporaryFor(target);

    const auto failWith = [&](const std::string& reason) -> InputError {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return InputError(path + ": cannot write the file (" + reason + ")");
    };
    {
        errno = 0;
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw failWith(errno ? std::strerror(errno) : "cannot create a temporary file beside it");
        out.write(text.data(), std::streamsize(text.size()));
        out.flush();
        if (!out) throw failWith(errno ? std::strerror(errno) : "write failed");
        out.close();
        if (out.fail()) throw failWith(errno ? std::strerror(errno) : "close failed");
    }
    replaceWithTemporary(tmp, target, path);
}

} // namespace ss
