#include "capture/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tcpscope::capture {

std::string user_to_become(const std::string& requested, bool running_as_root, bool default_user_exists) {
  if (!running_as_root) return {};  // tcpdump ignores -Z without root: there is nothing to give up
  if (!requested.empty()) return requested;
  return default_user_exists ? kDefaultCaptureUser : std::string();
}

std::optional<CaptureUser> resolve_capture_user(const std::string& requested, Error& error) {
  const bool running_as_root = getuid() == 0;
  const bool default_user_exists =
      running_as_root && requested.empty() && getpwnam(kDefaultCaptureUser) != nullptr;
  const std::string name = user_to_become(requested, running_as_root, default_user_exists);
  if (name.empty()) return std::nullopt;
  const passwd* entry = getpwnam(name.c_str());
  if (entry == nullptr) {
    error = Error{ErrorCode::not_found, "couldn't find user '" + name + "'"};
    return std::nullopt;
  }
  return CaptureUser{name, entry->pw_uid, entry->pw_gid};
}

Error drop_privileges(const CaptureUser& user) {
  if (initgroups(user.name.c_str(), user.gid) != 0 || setgid(user.gid) != 0 || setuid(user.uid) != 0)
    return Error{ErrorCode::permission, "cannot switch to user '" + user.name + "': " + std::strerror(errno)};
  if (user.uid != 0 && setuid(0) == 0)
    return Error{ErrorCode::permission, "switched to user '" + user.name + "' but root could be taken back"};
  return {};
}

Error drop_root_after_opening(const std::string& requested) {
  Error error;
  const std::optional<CaptureUser> user = resolve_capture_user(requested, error);
  if (user) error = drop_privileges(*user);
  return error;
}

}  // namespace tcpscope::capture
