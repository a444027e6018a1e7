// The kernel's own TCP state changes: tracefs event sock/inet_sock_set_state
// (tcp-semantics.md §4.1) recorded in a dedicated trace instance, filtered on
// TCP and the lab's port, with the "fields" output option so that each line
// carries skaddr (events are correlated by socket, not by ports: the connect()
// event has sport 0). The instance uses the "mono" trace clock; its times are
// moved onto CLOCK_REALTIME, the clock of pcap time stamps.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/kernel_event.hpp"
#include "core/status.hpp"

namespace tcpscope::lab {

class TraceSession {
 public:
  // Mounts tracefs when needed, creates instance `name` (it must start with the
  // lab prefix) and enables the event for ports [port_lo, port_hi].
  static std::unique_ptr<TraceSession> start(const std::string& name, std::uint16_t port_lo,
                                             std::uint16_t port_hi, Error& error);
  ~TraceSession();
  TraceSession(const TraceSession&) = delete;
  TraceSession& operator=(const TraceSession&) = delete;

  // All events recorded so far, in time order.
  std::vector<KernelStateEvent> read_events(Error& error) const;
  // Disables the event and removes the instance (idempotent).
  void stop();

 private:
  TraceSession() = default;
  std::string dir_;
  std::int64_t mono_to_realtime_ns_ = 0;
};

// Parses one line of the instance's trace file ("fields" format). Lines that are
// not inet_sock_set_state events give nullopt. `mono_to_realtime_ns` is added to
// the trace time stamp.
std::optional<KernelStateEvent> parse_trace_line(std::string_view line, std::int64_t mono_to_realtime_ns);

// CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns.
std::int64_t mono_to_realtime_offset_ns();

// Names of trace instances that carry the lab prefix (leftovers of killed runs).
std::vector<std::string> lab_trace_instances();
Error remove_trace_instance(const std::string& name);

// Where tracefs is (mounted on demand), or "" when it is not available.
std::string tracefs_root();

}  // namespace tcpscope::lab
