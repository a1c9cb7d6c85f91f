#include "core/AtomicFile.h"

#include "core/Error.h"

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <signal.h>
#include <system_error>
#include <unistd.h>

namespace ss {

namespace fs = std::filesystem;

namespace {
constexpr const char* kTag = ".tmp-";
constexpr int kMaxLinks = 40; // as the kernel's ELOOP limit

bool processRunning(long pid)
{
    if (pid <= 0) return true; // not ours to judge
    // EPERM: it runs, under another user.
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}
} // namespace

std::string atomicWriteTarget(const std::string& path)
{
    fs::path target = path;
    for (int hops = 0;; ++hops) {
        std::error_code ec;
        const fs::file_status st = fs::symlink_status(target, ec);
        if (ec || !fs::exists(st)) return target.string(); // a new file (or the error shows at open)
        if (fs::is_regular_file(st)) return target.string();
        if (fs::is_directory(st)) throw InputError(path + ": is a folder, not a file");
        if (!fs::is_symlink(st))
            throw InputError(path + ": is not a regular file (a device, pipe or socket): refusing to replace it");
        if (hops >= kMaxLinks) throw InputError(path + ": too many levels of symbolic links");
        const fs::path next = fs::read_symlink(target, ec);
        if (ec) throw InputError(path + ": cannot read the symbolic link (" + ec.message() + ")");
        target = next.is_absolute() ? next : target.parent_path() / next;
    }
}

std::string atomicTemporaryFor(const std::string& target)
{
    static std::atomic<unsigned> counter{0};
    return target + kTag + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

void removeStaleTemporaries(const std::string& target)
{
    const fs::path t = target;
    removeStaleTemporaries(t.parent_path().empty() ? "." : t.parent_path().string(), t.filename().string() + kTag);
}

void removeStaleTemporaries(const std::string& folder, const std::string& prefix)
{
    std::error_code ec;
    fs::directory_iterator it(folder.empty() ? fs::path(".") : fs::path(folder), ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        // "<pid>-...": other names (older versions', other programs') are left alone.
        const std::size_t digits = name.find_first_not_of("0123456789", prefix.size());
        if (digits == prefix.size() || digits == std::string::npos || name[digits] != '-' ||
            digits - prefix.size() > 9)
            continue;
        const long pid = std::stol(name.substr(prefix.size(), digits - prefix.size()));
        if (pid == long(::getpid()) || processRunning(pid)) continue;
        std::error_code ignored;
        const fs::file_status st = fs::symlink_status(it->path(), ignored);
        if (fs::is_regular_file(st)) fs::remove(it->path(), ignored);
        else if (fs::is_directory(st)) fs::remove_all(it->path(), ignored);
    }
}

void replaceWithTemporary(const std::string& temporary, const std::string& target, const std::string& path)
{
    std::error_code ec;
    fs::rename(temporary, target, ec);
    if (!ec) return;
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw InputError(path + ": cannot write the file (" + ec.message() + ")");
}

} // namespace ss
