// Temporary capture files of the lab: created with mkstemps, found again by name.
#include "lab/temp_capture.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

namespace tcpscope::lab {
namespace {

constexpr std::string_view kDir = "/tmp";
constexpr std::string_view kPrefix = "tcpscope-lab-";
constexpr std::string_view kSuffix = ".pcap";

// The pid in "tcpscope-lab-<tag>-<pid>-XXXXXX.pcap"; 0 when `name` is not such a name.
pid_t owner_pid(std::string_view name) {
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return 0;
  name.remove_prefix(kPrefix.size());
  name.remove_suffix(kSuffix.size());
  const std::size_t random_dash = name.rfind('-');  // before XXXXXX
  if (random_dash == std::string_view::npos || random_dash == 0) return 0;
  const std::size_t pid_dash = name.rfind('-', random_dash - 1);
  if (pid_dash == std::string_view::npos) return 0;
  const std::string_view digits = name.substr(pid_dash + 1, random_dash - pid_dash - 1);
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc{} || end != digits.data() + digits.size() || pid <= 0) return 0;
  return pid;
}

}  // namespace

std::string create_temp_capture(const std::string& tag, Error& error) {
  std::string path = std::string(kDir) + "/" + std::string(kPrefix) + tag + "-" + std::to_string(getpid()) +
                     "-XXXXXX" + std::string(kSuffix);
  const int fd = mkstemps(path.data(), static_cast<int>(kSuffix.size()));
  if (fd < 0) {
    error = Error{ErrorCode::io,
                  "cannot create a temporary file in " + std::string(kDir) + ": " + std::strerror(errno)};
    return "";
  }
  close(fd);
  return path;
}

std::vector<std::string> orphaned_temp_captures() {
  std::vector<std::string> paths;
  DIR* d = opendir(std::string(kDir).c_str());
  if (d == nullptr) return paths;
  while (const dirent* e = readdir(d)) {
    const pid_t pid = owner_pid(e->d_name);
    // kill(pid, 0) fails with ESRCH only when no such process exists (EPERM: it exists).
    if (pid != 0 && kill(pid, 0) != 0 && errno == ESRCH) paths.push_back(std::string(kDir) + "/" + e->d_name);
  }
  closedir(d);
  return paths;
}

}  // namespace tcpscope::lab
