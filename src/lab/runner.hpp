// `tcpscope lab`: one scenario end to end. Two namespaces and a veth pair, a
// libpcap capture on the server's interface inside the server namespace, the
// kernel's state changes from tracefs, the server and the client in threads
// that entered their namespaces; then everything is removed again.
#pragma once
#include <signal.h>

#include <functional>
#include <string>
#include <vector>

#include "core/addr.hpp"
#include "core/kernel_event.hpp"
#include "core/status.hpp"
#include "lab/scenarios.hpp"

namespace tcpscope::lab {

struct LabOptions {
  const Scenario* scenario = nullptr;
  std::string write_path;  // -w: keep the capture here ("" : a temporary file the caller removes)
  std::function<void(const std::string&)> progress;  // one line per step (optional)
  // Fallback without namespace permissions: server and client over loopback in the
  // current namespace, capture on "lo" (needs capture permission only).
  bool loopback = false;
};

struct LabResult {
  std::string pcap_path;
  bool pcap_is_temporary = false;
  std::string capture_interface;  // the server's veth
  std::string server_namespace;
  std::string client_namespace;
  IpAddr client_addr;
  IpAddr server_addr;
  std::uint16_t server_port = 0;
  bool kernel_available = false;
  std::string kernel_unavailable_reason;  // said once by the caller
  std::vector<KernelStateEvent> kernel_events;
  std::vector<std::string> notes;  // program output and scenario remarks, in order
};

// SIGPIPE ignored while it lives (or until restore()): a closed stdout or stderr (`tcpscope
// lab | head`) must not end the process before the lab's namespaces and temporary capture
// are removed. run_lab() holds one while it runs; its caller holds one until the capture is gone.
class IgnoredSigpipe {
 public:
  IgnoredSigpipe();
  ~IgnoredSigpipe() { restore(); }
  // Puts the previous disposition back (once).
  void restore();
  IgnoredSigpipe(const IgnoredSigpipe&) = delete;
  IgnoredSigpipe& operator=(const IgnoredSigpipe&) = delete;

 private:
  struct sigaction previous_ {};
  bool restored_ = false;
};

// Needs CAP_NET_ADMIN (root): the error says so. On Ctrl-C/SIGTERM the run stops,
// cleans up and returns an error saying it was interrupted.
Error run_lab(const LabOptions& options, LabResult& result);

// True when the process may create network namespaces (CAP_NET_ADMIN and CAP_SYS_ADMIN).
bool has_lab_privileges();
// True when the process may capture (CAP_NET_RAW).
bool has_capture_privileges();

// `lab --cleanup`: takes the lock (refuses while a lab runs) and removes leftovers.
Error cleanup_lab(std::vector<std::string>& removed);

// The lock file that keeps two labs apart.
inline constexpr const char* kLabLockPath = "/run/tcpscope-lab.lock";

}  // namespace tcpscope::lab
