// Whom tcpscope becomes (-Z and the default drop of root), as Debian's tcpdump
// 4.99.3 decides it: checked on Debian 12 by running it as root and as nobody
// (see tests/robustness/privilege_drop.py for the side-by-side run).
#include "capture/privileges.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace tcpscope::capture {
namespace {

struct Row {
  const char* requested;  // -Z's argument, "" without -Z
  bool running_as_root;
  bool default_user_exists;
  const char* becomes;  // "" keeps the current identity
};

class UserToBecome : public ::testing::TestWithParam<Row> {};

TEST_P(UserToBecome, FollowsDebiansTcpdump) {
  const Row& row = GetParam();
  EXPECT_EQ(user_to_become(row.requested, row.running_as_root, row.default_user_exists), row.becomes);
}

INSTANTIATE_TEST_SUITE_P(Table, UserToBecome,
                         ::testing::Values(
                             // root without -Z: the user 'tcpdump' (Debian builds --with-user=tcpdump)
                             Row{"", true, true, "tcpdump"},
                             // ... and when that user does not exist, root stays (tcpdump would stop)
                             Row{"", true, false, ""},
                             // -Z root keeps root; -Z USER picks USER, existing or not (looked up later)
                             Row{"root", true, true, "root"}, Row{"nobody", true, true, "nobody"},
                             Row{"nobody", true, false, "nobody"},
                             Row{"no-such-user", true, true, "no-such-user"},
                             // not root: -Z is ignored, as tcpdump ignores it
                             Row{"", false, true, ""}, Row{"nobody", false, true, ""},
                             Row{"no-such-user", false, false, ""}));

TEST(ResolveCaptureUser, NamesAMissingUserInTheError) {
  Error error;
  const auto user = resolve_capture_user("no-such-user-xyz", error);
  if (getuid() != 0) {  // not root: -Z is ignored, so nothing is looked up
    EXPECT_FALSE(user);
    EXPECT_FALSE(error);
    return;
  }
  EXPECT_FALSE(user);
  EXPECT_EQ(error.code, ErrorCode::not_found);
  EXPECT_EQ(error.message, "couldn't find user 'no-such-user-xyz'");
}

TEST(ResolveCaptureUser, FindsRootsIds) {
  Error error;
  const auto user = resolve_capture_user("root", error);
  EXPECT_FALSE(error);
  if (getuid() != 0) {
    EXPECT_FALSE(user);
    return;
  }
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "root");
  EXPECT_EQ(user->uid, 0u);
  EXPECT_EQ(user->gid, 0u);
}

}  // namespace
}  // namespace tcpscope::capture
