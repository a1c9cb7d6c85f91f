#include "core/JsonFile.h"

#include "core/ConfigJson.h"
#include "core/Error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>

namespace ss {

std::string readFileBounded(const std::string& path, std::uintmax_t maxBytes, const std::string& kind)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a folder, not a file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw InputError(path + ": cannot read (" + ec.message() + ")");
    auto tooLarge = [&](std::uintmax_t bytes) {
        return InputError(path + ": " + std::to_string(bytes >> 20) + " MB, over the " +
                          std::to_string(maxBytes >> 20) + " MB limit for " + kind);
    };
    if (size > maxBytes) throw tooLarge(size);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open for reading");
    // Read at most one byte past the limit: the file may have grown since.
    std::string text(std::size_t(std::min(size, maxBytes) + 1), '\0');
    in.read(text.data(), std::streamsize(text.size()));
    if (in.bad()) throw InputError(path + ": read error");
    text.resize(std::size_t(in.gcount()));
    if (text.size() > maxBytes) throw tooLarge(text.size());
    return text;
}

nlohmann::json parseJsonText(const std::string& text, const std::string& sourceName)
{
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(sourceName + ": not valid JSON (at byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception& e) {
        // e.g. a number beyond double's range (out_of_range 406)
        throw InputError(sourceName + ": not valid JSON (" + e.what() + ")");
    }
}

int checkFormatHeader(const nlohmann::json& j, const std::string& sourceName, const char* format,
                      const std::string& kind, int currentVersion)
{
    if (!j.is_object() || !j.contains("format") || !j["format"].is_string() || j["format"] != format)
        throw InputError(sourceName + ": not a ScoreScope " + kind + " file (no \"format\": \"" + format +
                         "\")");
    const auto version = json::integer(j, "version", sourceName, 1, std::numeric_limits<int>::max());
    if (version > currentVersion)
        throw InputError(sourceName + ": written by a newer ScoreScope (" + kind + " format version " +
                         std::to_string(version) + "; this one reads up to version " +
                         std::to_string(currentVersion) + "): update ScoreScope to open it");
    return int(version);
}

} // namespace ss
