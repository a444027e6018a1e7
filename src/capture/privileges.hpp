// -Z USER, and the drop of root that Debian's tcpdump does by default.
//
// What Debian's tcpdump 4.99.3 does (checked on Debian 12; it is built
// --with-user=tcpdump, without libcap-ng, with Fedora's patches that open the
// -w file before the drop and drop silently): run as root (real uid 0), it
// becomes user `tcpdump` once the source (device or -r file) and the -w file are
// open, whether it captures live or reads a file, with or without -w. The -w file
// is created as root, so in any directory root may write, and is then handed to
// that user (chown). `-Z root` keeps root; `-Z USER` picks another user; not run
// as root, -Z is ignored. After the drop the process has no capability left.
//
// tcpscope does the same, with two differences, both on error paths: the user is
// looked up before the -w file is created (tcpdump leaves an empty root-owned
// file behind when -Z names no user), and a missing `tcpdump` user keeps root
// silently where Debian's tcpdump stops ("Couldn't find user 'tcpdump'"): the
// user comes with Debian's tcpdump package, which tcpscope does not need.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>

#include "core/status.hpp"

namespace tcpscope::capture {

// The user Debian's tcpdump becomes by default when run as root.
inline constexpr const char* kDefaultCaptureUser = "tcpdump";

// Whom to become, as a pure decision: `requested` is -Z's argument ("" without
// -Z). Returns "" when the process keeps its identity: not run as root, or run as
// root without -Z when the default user does not exist.
std::string user_to_become(const std::string& requested, bool running_as_root, bool default_user_exists);

// A resolved target of the drop.
struct CaptureUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Applies user_to_become() to this process (real uid 0 is "root", as in tcpdump)
// and looks the user up. std::nullopt: nothing to drop. An error when -Z names a
// user that does not exist ("couldn't find user 'X'").
std::optional<CaptureUser> resolve_capture_user(const std::string& requested, Error& error);

// Switches the process to `user`: its supplementary groups, gid, then uid. Going
// from root to another user clears every capability; afterwards it checks that
// root cannot be taken back.
Error drop_privileges(const CaptureUser& user);

// resolve_capture_user() then drop_privileges(), for a command with no -w file to hand over.
Error drop_root_after_opening(const std::string& requested);

}  // namespace tcpscope::capture
