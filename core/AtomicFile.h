#pragma once
// Replacing a file so that a reader sees the old version or the new one,
// never half of one: the text goes to a temporary file beside the target,
// which is then renamed over it. Shared by every writer of the program's
// files (core/Csv.cpp writeFileAtomically, the video encoder's final move).
//
// What can go wrong, and what is done about it:
//   - The target is a symbolic link: the file it points to is replaced (the
//     link stays a link), as an editor's save would do.
//   - The target is a device, pipe, socket or folder (`--out /dev/full`): the
//     write is refused; renaming over it would replace the device node.
//   - A writer is killed mid-write (kill -9, power): its temporary file stays.
//     Temporaries are named "<target>.tmp-<pid>-<n>"; the next write beside
//     the same target removes those whose process no longer runs. (A process
//     id reused by a live process keeps its file until that one ends too.)
#include <string>

namespace ss {

// The file a write to `path` replaces: path itself, or the end of its chain
// of symbolic links (which need not exist yet). Throws InputError naming path
// when that is not a regular file, or the links loop.
std::string atomicWriteTarget(const std::string& path);

// A fresh temporary name beside target, tagged with this process's id.
std::string atomicTemporaryFor(const std::string& target);

// Removes "<target>.tmp-<pid>-*" files whose process <pid> is no longer
// running (never this process's own). Errors are ignored: this is tidying.
void removeStaleTemporaries(const std::string& target);
// The same for any writer's naming: entries of folder named
// prefix + "<pid>-<anything>" (files, or folders with what is in them) whose
// process is gone. The video encoder's partial outputs use it.
void removeStaleTemporaries(const std::string& folder, const std::string& prefix);

// Renames the finished temporary over target; throws InputError naming path
// (what the user asked for) when the rename fails, and removes temporary.
void replaceWithTemporary(const std::string& temporary, const std::string& target, const std::string& path);

} // namespace ss
