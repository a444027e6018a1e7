#include "capture/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tcpscope::capture {

Error drop_privileges(const std::string& user) {
  errno = 0;
  const passwd* entry = getpwnam(user.c_str());
  if (entry == nullptr) return Error{ErrorCode::not_found, "couldn't find user '" + user + "'"};
  const uid_t uid = entry->pw_uid;
  const gid_t gid = entry->pw_gid;
  if (initgroups(user.c_str(), gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
    return Error{ErrorCode::permission, "cannot switch to user '" + user + "': " + std::strerror(errno)};
  return {};
}

}  // namespace tcpscope::capture
