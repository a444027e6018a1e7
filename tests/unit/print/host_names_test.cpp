// Host names without -n: the resolver's name, the numeric form when there is none, and
// tcpdump's -N (the name up to its first dot; numeric forms untouched).
#include "print/host_names.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace tcpscope::print {
namespace {

// 192.0.2.1 is "www.example.com", 192.0.2.2 "gateway", 2001:db8::1 "v6.example.org"; others have no name.
std::string fake_lookup(const IpAddr& addr) {
  const std::string numeric = addr.to_string();
  if (numeric == "192.0.2.1") return "www.example.com";
  if (numeric == "192.0.2.2") return "gateway";
  if (numeric == "2001:db8::1") return "v6.example.org";
  return "";
}

IpAddr ip(const char* text) {
  std::uint8_t bytes[16] = {};
  if (inet_pton(AF_INET, text, bytes) == 1) return IpAddr::v4(bytes);
  EXPECT_EQ(inet_pton(AF_INET6, text, bytes), 1) << text;
  return IpAddr::v6(bytes);
}

TEST(HostNames, NamesAndNumericFallback) {
  HostNames names(false, &fake_lookup);
  EXPECT_EQ(names.name(ip("192.0.2.1")), "www.example.com");
  EXPECT_EQ(names.name(ip("192.0.2.2")), "gateway");
  EXPECT_EQ(names.name(ip("2001:db8::1")), "v6.example.org");
  EXPECT_EQ(names.name(ip("198.51.100.7")), "198.51.100.7");
  EXPECT_EQ(names.name(ip("2001:db8::2")), "2001:db8::2");
}

TEST(HostNames, StripDomainCutsNamesAtTheFirstDotOnly) {
  HostNames names(true, &fake_lookup);
  EXPECT_EQ(names.name(ip("192.0.2.1")), "www");
  EXPECT_EQ(names.name(ip("192.0.2.2")), "gateway");
  EXPECT_EQ(names.name(ip("2001:db8::1")), "v6");
  EXPECT_EQ(names.name(ip("198.51.100.7")), "198.51.100.7");  // a numeric form is not a name
}

TEST(HostNames, EachAddressLookedUpOnce) {
  static int calls = 0;
  calls = 0;
  HostNames names(false, [](const IpAddr& a) {
    ++calls;
    return fake_lookup(a);
  });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(names.name(ip("192.0.2.1")), "www.example.com");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace tcpscope::print
