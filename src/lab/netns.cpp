// Namespaces and the veth pair through iproute2; setns() for the threads.
#include "lab/netns.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "lab/kernel_states.hpp"
#include "lab/process.hpp"
#include "lab/temp_capture.hpp"

namespace tcpscope::lab {
namespace {

constexpr int kStepTimeoutMs = 5000;
constexpr const char* kNetnsDir = "/run/netns";

bool has_lab_prefix(const std::string& name) { return name.rfind(std::string(kLabPrefix) + "-", 0) == 0; }

std::vector<std::string> lab_namespaces() {
  std::vector<std::string> names;
  if (DIR* d = opendir(kNetnsDir)) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (has_lab_prefix(name)) names.push_back(name);
    }
    closedir(d);
  }
  return names;
}

}  // namespace

std::unique_ptr<Topology> Topology::create(const std::string& tag, const TopologyConfig& config,
                                           Error& error) {
  std::unique_ptr<Topology> t(new Topology());
  t->ipv6_ = config.ipv6;
  const std::string base = std::string(kLabPrefix) + "-" + tag;
  t->client_ns_ = base + "-c";
  t->server_ns_ = base + "-s";
  // Interface names are limited to 15 characters.
  t->client_if_ = ("tslc" + tag).substr(0, 15);
  t->server_if_ = ("tsls" + tag).substr(0, 15);
  // Addresses from the tag so that parallel labs (different tags) do not look alike.
  unsigned hash = 0;
  for (char c : tag) hash = hash * 31 + static_cast<unsigned char>(c);
  const unsigned b = 16 + hash % 16;  // 172.16.0.0/12 is private
  const unsigned c = (hash >> 8) % 256;
  if (config.ipv6) {
    // fd00::/8 unique local addresses
    char prefix[64];
    std::snprintf(prefix, sizeof prefix, "fd7c:%x:%x::", b, c);
    t->client_addr_ = std::string(prefix) + "1";
    t->server_addr_ = std::string(prefix) + "2";
  } else {
    t->client_addr_ = "172." + std::to_string(b) + "." + std::to_string(c) + ".1";
    t->server_addr_ = "172." + std::to_string(b) + "." + std::to_string(c) + ".2";
  }
  for (const auto& ns : {t->client_ns_, t->server_ns_}) {
    if ((error = run_checked({"ip", "netns", "add", ns}, kStepTimeoutMs))) return nullptr;
    t->created_ns_.push_back(ns);
  }
  const std::string plen = config.ipv6 ? "/64" : "/24";
  const std::vector<std::vector<std::string>> steps = {
      {"ip", "link", "add", t->client_if_, "netns", t->client_ns_, "type", "veth", "peer", "name",
       t->server_if_, "netns", t->server_ns_},
      {"ip", "-n", t->client_ns_, "link", "set", "lo", "up"},
      {"ip", "-n", t->server_ns_, "link", "set", "lo", "up"},
      {"ip", "-n", t->client_ns_, "addr", "add", t->client_addr_ + plen, "dev", t->client_if_, "nodad"},
      {"ip", "-n", t->server_ns_, "addr", "add", t->server_addr_ + plen, "dev", t->server_if_, "nodad"},
      {"ip", "-n", t->client_ns_, "link", "set", t->client_if_, "up"},
      {"ip", "-n", t->server_ns_, "link", "set", t->server_if_, "up"},
  };
  for (auto step : steps) {
    if (!config.ipv6 && step.size() == 9 && step.back() == "nodad") step.pop_back();
    if ((error = run_checked(step, kStepTimeoutMs))) return nullptr;  // the destructor removes what exists
  }
  return t;
}

Topology::~Topology() { destroy(); }

void Topology::destroy() {
  // Deleting a namespace removes its veth end (and so the pair) and its nft tables.
  for (const auto& ns : created_ns_) (void)run_command({"ip", "netns", "del", ns}, kStepTimeoutMs);
  created_ns_.clear();
}

Error Topology::load_nft(const std::string& ruleset) const {
  return run_checked({"ip", "netns", "exec", server_ns_, "nft", "-f", "-"}, kStepTimeoutMs, ruleset);
}

Error Topology::load_client_nft(const std::string& ruleset) const {
  return run_checked({"ip", "netns", "exec", client_ns_, "nft", "-f", "-"}, kStepTimeoutMs, ruleset);
}

Error enter_netns(const std::string& name) {
  const std::string path = std::string(kNetnsDir) + "/" + name;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{ErrorCode::io, "cannot open " + path + ": " + std::strerror(errno)};
  const int rc = setns(fd, CLONE_NEWNET);
  const int e = errno;
  close(fd);
  if (rc != 0) return Error{ErrorCode::permission, "setns(" + name + "): " + std::strerror(e)};
  return {};
}

std::vector<std::string> list_leftovers() {
  std::vector<std::string> items;
  for (const auto& ns : lab_namespaces()) items.push_back("network namespace " + ns);
  for (const auto& inst : lab_trace_instances()) items.push_back("trace instance " + inst);
  for (const auto& path : orphaned_temp_captures()) items.push_back("capture file " + path);
  return items;
}

std::vector<std::string> cleanup_leftovers() {
  std::vector<std::string> removed;
  for (const auto& ns : lab_namespaces()) {
    const CommandResult r = run_command({"ip", "netns", "del", ns}, kStepTimeoutMs);
    removed.push_back("network namespace " + ns + (r.ok() ? " removed" : " NOT removed: " + r.output));
  }
  for (const auto& inst : lab_trace_instances()) {
    const Error e = remove_trace_instance(inst);
    removed.push_back("trace instance " + inst + (e ? " NOT removed: " + e.message : " removed"));
  }
  for (const auto& path : orphaned_temp_captures()) {
    const bool ok = unlink(path.c_str()) == 0 || errno == ENOENT;
    removed.push_back("capture file " + path +
                      (ok ? " removed" : std::string(" NOT removed: ") + std::strerror(errno)));
  }
  return removed;
}

}  // namespace tcpscope::lab
