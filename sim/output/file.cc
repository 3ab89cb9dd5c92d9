#include "kubesim/output/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace kubesim::output {
namespace {

// The temporary file being written, for the signal handler to remove. A
// plain char array: the handler may only call async-signal-safe functions.
char g_tmp_path[4096];
std::atomic<bool> g_tmp_active{false};

extern "C" void RemoveTmpAndReraise(int sig) {
  if (g_tmp_active.load()) ::unlink(g_tmp_path);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Installs the handler for the duration of one write.
class SignalGuard {
 public:
  SignalGuard() {
    for (size_t i = 0; i < kSignals.size(); ++i) previous_[i] = std::signal(kSignals[i], RemoveTmpAndReraise);
  }
  ~SignalGuard() {
    g_tmp_active.store(false);
    for (size_t i = 0; i < kSignals.size(); ++i) std::signal(kSignals[i], previous_[i]);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
  std::array<void (*)(int), 3> previous_{};
};

std::string Errno() { return std::strerror(errno); }

// Writes all of `content` to `fd`; false on an error (errno set).
bool WriteAll(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::optional<std::string> WriteFileAtomically(const std::string& path, const std::string& content) {
  if (path == "-") {
    if (std::fwrite(content.data(), 1, content.size(), stdout) != content.size() ||
        std::fflush(stdout) != 0) {
      return fmt::format("cannot write to stdout: {}", Errno());
    }
    return std::nullopt;
  }
  if (path.empty()) return std::string("cannot write to an empty file name");
  std::string target = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return fmt::format("cannot write {}: it is a directory", path);
    if (!S_ISREG(st.st_mode)) {
      // A device, FIFO or socket: write in place.
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return fmt::format("cannot write {}: {}", path, Errno());
      const bool ok = WriteAll(fd, content);
      const std::string why = ok ? "" : Errno();
      ::close(fd);
      if (!ok) return fmt::format("cannot write {}: {}", path, why);
      return std::nullopt;
    }
    std::error_code ec;
    if (std::filesystem::is_symlink(path, ec)) {
      const auto resolved = std::filesystem::canonical(path, ec);
      if (!ec) target = resolved.string();
    }
  }
  const std::string tmp = fmt::format("{}.tmp.{}", target, ::getpid());
  if (tmp.size() >= sizeof(g_tmp_path)) return fmt::format("cannot write {}: path too long", path);
  SignalGuard guard;
  std::memcpy(g_tmp_path, tmp.c_str(), tmp.size() + 1);
  g_tmp_active.store(true);  // before open: a signal right after it still cleans up
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fmt::format("cannot write {}: {}", path, Errno());
  const bool ok = WriteAll(fd, content) && ::fsync(fd) == 0;
  const std::string why = ok ? "" : Errno();
  const bool closed = ::close(fd) == 0;
  if (!ok || !closed) {
    ::unlink(tmp.c_str());
    return fmt::format("cannot write {}: {}", path, ok ? Errno() : why);
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string err = Errno();
    ::unlink(tmp.c_str());
    return fmt::format("cannot write {}: {}", path, err);
  }
  return std::nullopt;
}

std::optional<std::string> CheckOutputPath(const std::string& path,
                                           const std::vector<std::string>& inputs) {
  if (path == "-") return std::nullopt;
  if (path.empty()) return std::string("cannot write to an empty file name");
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) return fmt::format("cannot write {}: it is a directory", path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) {
    return fmt::format("cannot write {}: no directory {}", path, dir.string());
  }
  if (::access(dir.c_str(), W_OK) != 0 && !fs::exists(p, ec)) {
    return fmt::format("cannot write {}: {}: {}", path, dir.string(), Errno());
  }
  for (const std::string& in : inputs) {
    if (fs::exists(p, ec) && fs::exists(in, ec) && fs::equivalent(p, fs::path(in), ec)) {
      return fmt::format(
          "refusing to write {}: it is an input of this run ({}), which the output "
          "would overwrite",
          path, in);
    }
  }
  return std::nullopt;
}

}  // namespace kubesim::output
