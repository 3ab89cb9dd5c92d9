// Output files that are complete or absent: nothing half-written.
#ifndef KUBESIM_OUTPUT_FILE_H_
#define KUBESIM_OUTPUT_FILE_H_

#include <optional>
#include <string>
#include <vector>

namespace kubesim::output {

// Writes `content` to `path` so that no reader, and no interrupted run, ever
// sees part of it:
// - a regular file (or a new one) is written to a temporary file in the same
//   directory, flushed and renamed over `path` (rename is atomic on POSIX);
//   on an error, or on SIGINT/SIGTERM/SIGHUP while writing, the temporary file
//   is removed and `path` is left as it was;
// - a symlink is followed, and its target replaced the same way;
// - "-" means stdout;
// - an existing path that is not a regular file (/dev/stdout, a FIFO, a
//   terminal) is written in place: renaming over it would replace the device.
// Returns an error message ("cannot write out.csv: No such file or
// directory"), or nothing on success.
std::optional<std::string> WriteFileAtomically(const std::string& path, const std::string& content);

// Whether `path` can take an output before any work is done: "-", or a file
// (not a directory) in a directory that exists and may be written, that is
// none of `inputs` (the files a run reads: writing over one would destroy
// it). Returns why not ("cannot write nodir/t.csv: no directory nodir"), or
// nothing.
std::optional<std::string> CheckOutputPath(const std::string& path,
                                           const std::vector<std::string>& inputs);

}  // namespace kubesim::output

#endif  // KUBESIM_OUTPUT_FILE_H_
