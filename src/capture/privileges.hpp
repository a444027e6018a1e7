// -Z USER: give up root after the capture source is open.
#pragma once
#include <string>

#include "core/status.hpp"

namespace tcpscope::capture {

// Switches the process to `user` (its groups, gid, then uid). Fails when the
// user does not exist or the switch is refused.
Error drop_privileges(const std::string& user);

}  // namespace tcpscope::capture
