// Live capture on an interface through libpcap (pcap_create + pcap_activate),
// with nanosecond time stamps when the platform offers them.
#include <pcap/pcap.h>

#include <atomic>
#include <cstring>

#include "capture/bpf_text.hpp"
#include "capture/source.hpp"

namespace tcpscope::capture {
namespace {

constexpr const char* kPermissionHint = "capturing needs root or the CAP_NET_RAW capability";

class LiveSource final : public FrameSource {
 public:
  LiveSource(pcap_t* handle, std::string interface, bool nano)
      : handle_(handle), interface_(std::move(interface)), nano_(nano) {}
  ~LiveSource() override {
    if (has_filter_) pcap_freecode(&filter_);
    pcap_close(handle_);
  }
  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;

  NextResult next(Frame& frame) override {
    if (stop_requested_.load(std::memory_order_relaxed)) return NextResult::end;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(handle_, &header, &data);
    if (rc == 0)
      return stop_requested_.load(std::memory_order_relaxed) ? NextResult::end : NextResult::timeout;
    if (rc == PCAP_ERROR_BREAK) return NextResult::end;
    if (rc != 1) {
      error_ = Error{ErrorCode::io, interface_ + ": " + pcap_geterr(handle_)};
      return NextResult::error;
    }
    frame.ts.sec = header->ts.tv_sec;
    frame.ts.nsec = nano_ ? header->ts.tv_usec : std::int64_t{header->ts.tv_usec} * 1000;
    frame.caplen = header->caplen;
    frame.wire_len = header->len;
    frame.link_type = link_type_;
    frame.data = ByteView(data, header->caplen);
    return NextResult::frame;
  }

  const Error& error() const override { return error_; }

  Error set_filter(const std::string& expression, bool optimize) override {
    if (expression.empty()) return {};
    if (has_filter_) pcap_freecode(&filter_);
    has_filter_ = false;
    if (Error e = compile_filter(handle_, expression, optimize, filter_)) return e;
    has_filter_ = true;
    if (pcap_setfilter(handle_, &filter_) != 0)
      return Error{ErrorCode::io, interface_ + ": cannot set the filter: " + pcap_geterr(handle_)};
    return {};
  }

  Error filter_program_text(const std::string& expression, bool optimize, int level,
                            std::string& text) override {
    return capture::filter_program_text(handle_, expression, optimize, level, text);
  }

  int link_type() const override { return link_type_; }
  int snaplen() const override { return pcap_snapshot(handle_); }
  bool is_live() const override { return true; }
  std::optional<CaptureStats> stats() const override {
    pcap_stat counters{};
    if (pcap_stats(handle_, &counters) != 0) return std::nullopt;
    return CaptureStats{counters.ps_recv, counters.ps_drop, counters.ps_ifdrop};
  }
  void request_stop() override {
    stop_requested_.store(true, std::memory_order_relaxed);
    pcap_breakloop(handle_);
  }

 private:
  pcap_t* handle_;
  std::string interface_;
  bool nano_;
  int link_type_ = pcap_datalink(handle_);
  bool has_filter_ = false;
  bpf_program filter_{};
  std::atomic<bool> stop_requested_{false};
  Error error_;
};

Error activation_error(pcap_t* handle, const std::string& interface, int rc) {
  std::string detail = pcap_geterr(handle);
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return Error{ErrorCode::not_found, interface + ": no such capture interface (" +
                                             (detail.empty() ? "No such device exists" : detail) +
                                             "); tcpscope -D lists the interfaces"};
    case PCAP_ERROR_PERM_DENIED:
      return Error{ErrorCode::permission,
                   interface + ": permission denied (" + detail + "); " + kPermissionHint};
    case PCAP_ERROR_IFACE_NOT_UP:
      return Error{ErrorCode::io, interface + ": the interface is not up"};
    default:
      break;
  }
  if (detail.find("Operation not permitted") != std::string::npos ||
      detail.find("Permission denied") != std::string::npos)
    return Error{ErrorCode::permission, interface + ": " + detail + "; " + kPermissionHint};
  if (detail.empty()) detail = pcap_statustostr(rc);
  return Error{ErrorCode::io, interface + ": " + detail};
}

}  // namespace

OpenedSource open_live(const LiveOptions& options) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_create(options.interface.c_str(), errbuf);
  if (handle == nullptr) return {nullptr, Error{ErrorCode::io, options.interface + ": " + errbuf}};
  pcap_set_snaplen(handle, options.snaplen);
  pcap_set_promisc(handle, options.promiscuous ? 1 : 0);
  pcap_set_timeout(handle, options.timeout_ms);
  if (options.immediate) pcap_set_immediate_mode(handle, 1);
  if (options.buffer_size_kib > 0) pcap_set_buffer_size(handle, options.buffer_size_kib * 1024);
  const bool nano = pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO) == 0;
  const int rc = pcap_activate(handle);
  if (rc < 0) {
    Error error = activation_error(handle, options.interface, rc);
    pcap_close(handle);
    return {nullptr, std::move(error)};
  }
  // As tcpdump 4.99 does, "any" captures with Linux cooked v2 headers (they carry the interface index).
  if (options.interface == "any") (void)pcap_set_datalink(handle, DLT_LINUX_SLL2);
  if (options.direction != CaptureDirection::inout &&
      pcap_setdirection(handle, options.direction == CaptureDirection::in ? PCAP_D_IN : PCAP_D_OUT) != 0) {
    Error error{ErrorCode::io,
                options.interface + ": cannot capture in one direction only: " + pcap_geterr(handle)};
    pcap_close(handle);
    return {nullptr, std::move(error)};
  }
  // rc > 0 is a warning (e.g. promiscuous mode not supported): capture goes on.
  std::string warning;
  if (rc > 0) {
    warning = options.interface + ": " + pcap_statustostr(rc);
    if (const char* detail = pcap_geterr(handle); detail != nullptr && *detail != '\0')
      warning += std::string(" (") + detail + ")";
  }
  return {std::make_unique<LiveSource>(handle, options.interface, nano), {}, std::move(warning)};
}

}  // namespace tcpscope::capture
