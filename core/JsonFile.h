#pragma once
// The steps every JSON file of the program (models, scenes) goes through on
// the way in: a read bounded in size, a parse whose errors name the file, and
// the {"format": ..., "version": N} header. Each throws InputError with a
// message that starts with the file's name; the field readers that follow are
// in ConfigJson.h.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace ss {

// The whole file. Refused when it is missing, unreadable or over maxBytes
// (checked before reading, so a huge file costs nothing, and again after, as
// it may have grown meanwhile). `kind` names the limit: "model files".
std::string readFileBounded(const std::string& path, std::uintmax_t maxBytes, const std::string& kind);

// "not valid JSON (at byte N)" for syntax errors, truncation and numbers
// beyond double's range (1e999). JSON has no NaN or Infinity, so a parsed
// number is always finite.
nlohmann::json parseJsonText(const std::string& text, const std::string& sourceName);

// Checks that j is an object with "format": format and an integer "version"
// in [1, currentVersion]; returns the version. `kind` is the file kind for
// messages ("model", "scene"). A newer version is refused as written by a
// newer ScoreScope.
int checkFormatHeader(const nlohmann::json& j, const std::string& sourceName, const char* format,
                      const std::string& kind, int currentVersion);

} // namespace ss
