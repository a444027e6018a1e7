// The lab's two hosts: network namespaces joined by a veth pair, with private
// addresses that exist only inside them. Created with iproute2 (bounded in
// time), entered natively with setns() by the threads that work inside them,
// and always removed: by the destructor, and by cleanup_leftovers() after a
// run that was killed. Every name starts with kLabPrefix.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace tcpscope::lab {

inline constexpr const char* kLabPrefix =
    "tslab";  // namespaces "tslab-<tag>-c/s", nft tables, trace instances

struct TopologyConfig {
  bool ipv6 = false;
};

class Topology {
 public:
  // Creates both namespaces, the veth pair, addresses and routes. On failure
  // everything made so far is removed and `error` says what failed.
  static std::unique_ptr<Topology> create(const std::string& tag, const TopologyConfig& config, Error& error);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  const std::string& client_ns() const { return client_ns_; }
  const std::string& server_ns() const { return server_ns_; }
  const std::string& client_if() const { return client_if_; }
  const std::string& server_if() const { return server_if_; }
  const std::string& client_addr() const { return client_addr_; }
  const std::string& server_addr() const { return server_addr_; }
  bool ipv6() const { return ipv6_; }

  // Loads an nftables ruleset (text for `nft -f -`) inside the server namespace.
  Error load_nft(const std::string& ruleset) const;
  // The same in the client namespace.
  Error load_client_nft(const std::string& ruleset) const;
  // Removes everything now (idempotent); also called by the destructor.
  void destroy();

 private:
  Topology() = default;
  std::string client_ns_, server_ns_, client_if_, server_if_, client_addr_, server_addr_;
  bool ipv6_ = false;
  std::vector<std::string> created_ns_;
};

// Moves the calling thread into the named namespace (/run/netns/NAME).
Error enter_netns(const std::string& name);

// Deletes namespaces, tracefs instances and temporary capture files left by a killed
// lab (names with the lab prefix only; capture files whose lab no longer runs).
// Returns one line per removed item.
std::vector<std::string> cleanup_leftovers();

// Lists leftovers without removing them (namespaces, trace instances, capture files).
std::vector<std::string> list_leftovers();

}  // namespace tcpscope::lab
