// tracefs reader for sock/inet_sock_set_state.
#include "lab/kernel_states.hpp"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lab/netns.hpp"

namespace tcpscope::lab {
namespace {

constexpr const char* kEventPath = "events/sock/inet_sock_set_state";

bool is_dir(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Error write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) return Error{ErrorCode::io, "cannot open " + path + ": " + std::strerror(errno)};
  f << text;
  f.flush();
  if (!f) return Error{ErrorCode::io, "cannot write '" + text + "' to " + path + ": " + std::strerror(errno)};
  return {};
}

// "name=0x1f (31)": the number in parentheses after `name=`; the hex form for pointers.
std::optional<std::int64_t> field_value(std::string_view line, std::string_view name, bool hex = false) {
  std::size_t pos = 0;
  for (;;) {
    pos = line.find(name, pos);
    if (pos == std::string_view::npos) return std::nullopt;
    if ((pos == 0 || line[pos - 1] == ' ') && pos + name.size() < line.size() &&
        line[pos + name.size()] == '=')
      break;
    pos += name.size();
  }
  std::string_view rest = line.substr(pos + name.size() + 1);
  if (hex) {
    if (!rest.starts_with("0x")) return std::nullopt;
    rest.remove_prefix(2);
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v, 16);
    if (ec != std::errc()) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  const std::size_t open = rest.find(" (");
  const std::size_t space = rest.find(' ');
  std::int64_t v = 0;
  if (open != std::string_view::npos && open == space) {
    const std::string_view num = rest.substr(open + 2);
    const auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec != std::errc()) return std::nullopt;
    return v;
  }
  // Plain value without the parenthesised decimal
  if (rest.starts_with("0x")) {
    std::uint64_t u = 0;
    const auto [p, ec] = std::from_chars(rest.data() + 2, rest.data() + rest.size(), u, 16);
    if (ec != std::errc()) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

// "  3289.843835: inet_sock_set_state:" -> ns of the time stamp before the event name.
std::optional<std::int64_t> trace_time_ns(std::string_view line) {
  const std::size_t ev = line.find(": inet_sock_set_state:");
  if (ev == std::string_view::npos) return std::nullopt;
  std::size_t start = line.rfind(' ', ev);
  if (start == std::string_view::npos) return std::nullopt;
  const std::string_view ts = line.substr(start + 1, ev - start - 1);
  const std::size_t dot = ts.find('.');
  std::int64_t sec = 0;
  std::int64_t frac = 0;
  const std::string_view sec_text = ts.substr(0, dot);
  if (std::from_chars(sec_text.data(), sec_text.data() + sec_text.size(), sec).ec != std::errc())
    return std::nullopt;
  if (dot != std::string_view::npos) {
    std::string_view f = ts.substr(dot + 1);
    if (f.size() > 9) f = f.substr(0, 9);
    if (std::from_chars(f.data(), f.data() + f.size(), frac).ec != std::errc()) return std::nullopt;
    for (std::size_t i = f.size(); i < 9; ++i) frac *= 10;
  }
  return sec * 1'000'000'000 + frac;
}

IpAddr v4_from_field(std::int64_t value) {
  // The 4 address bytes, read by the kernel as a host-order (little-endian) integer.
  const auto u = static_cast<std::uint32_t>(value);
  const std::uint8_t bytes[4] = {static_cast<std::uint8_t>(u), static_cast<std::uint8_t>(u >> 8),
                                 static_cast<std::uint8_t>(u >> 16), static_cast<std::uint8_t>(u >> 24)};
  return IpAddr::v4(bytes);
}

}  // namespace

std::int64_t mono_to_realtime_offset_ns() {
  timespec m1{}, r{}, m2{};
  clock_gettime(CLOCK_MONOTONIC, &m1);
  clock_gettime(CLOCK_REALTIME, &r);
  clock_gettime(CLOCK_MONOTONIC, &m2);
  const std::int64_t mono = (std::int64_t{m1.tv_sec} * 1'000'000'000 + m1.tv_nsec +
                             std::int64_t{m2.tv_sec} * 1'000'000'000 + m2.tv_nsec) /
                            2;
  return std::int64_t{r.tv_sec} * 1'000'000'000 + r.tv_nsec - mono;
}

std::optional<KernelStateEvent> parse_trace_line(std::string_view line, std::int64_t offset_ns) {
  const auto t = trace_time_ns(line);
  if (!t) return std::nullopt;
  const auto skaddr = field_value(line, "skaddr", true);
  const auto old_state = field_value(line, "oldstate");
  const auto new_state = field_value(line, "newstate");
  const auto sport = field_value(line, "sport");
  const auto dport = field_value(line, "dport");
  const auto family = field_value(line, "family");
  if (!skaddr || !old_state || !new_state || !sport || !dport) return std::nullopt;
  KernelStateEvent e;
  const std::int64_t ns = *t + offset_ns;
  e.ts = Timestamp{ns / 1'000'000'000, ns % 1'000'000'000};
  e.skaddr = static_cast<std::uint64_t>(*skaddr);
  e.old_state = linux_state_from_number(*old_state);
  e.new_state = linux_state_from_number(*new_state);
  e.local.port = static_cast<std::uint16_t>(*sport);
  e.remote.port = static_cast<std::uint16_t>(*dport);
  // The fields format prints IPv4 addresses as numbers and cannot print the IPv6 arrays:
  // IPv6 sockets keep their addresses unset (the lab knows them from its topology).
  if (family && *family == 2) {
    if (const auto s = field_value(line, "saddr")) e.local.addr = v4_from_field(*s);
    if (const auto d = field_value(line, "daddr")) e.remote.addr = v4_from_field(*d);
  }
  return e;
}

std::string tracefs_root() {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    if (is_dir(std::string(root) + "/instances")) return root;
  }
  const std::string root = "/sys/kernel/tracing";
  if (is_dir(root) && mount("nodev", root.c_str(), "tracefs", 0, nullptr) == 0 && is_dir(root + "/instances"))
    return root;
  return "";
}

std::unique_ptr<TraceSession> TraceSession::start(const std::string& name, std::uint16_t port_lo,
                                                  std::uint16_t port_hi, Error& error) {
  const std::string root = tracefs_root();
  if (root.empty()) {
    error = Error{ErrorCode::unsupported, "tracefs is not available (not mounted and cannot be mounted)"};
    return nullptr;
  }
  if (!is_dir(root + "/" + kEventPath)) {
    error = Error{ErrorCode::unsupported, "the tracefs event sock/inet_sock_set_state does not exist"};
    return nullptr;
  }
  std::unique_ptr<TraceSession> s(new TraceSession());
  const std::string dir = root + "/instances/" + name;
  if (mkdir(dir.c_str(), 0755) != 0) {
    error = Error{ErrorCode::io, "cannot create trace instance " + dir + ": " + std::strerror(errno)};
    return nullptr;
  }
  s->dir_ = dir;
  const std::string filter =
      "protocol == 6 && ((sport >= " + std::to_string(port_lo) + " && sport <= " + std::to_string(port_hi) +
      ") || (dport >= " + std::to_string(port_lo) + " && dport <= " + std::to_string(port_hi) + "))";
  if ((error = write_file(dir + "/options/fields", "1"))) return nullptr;
  if ((error = write_file(dir + "/trace_clock", "mono"))) return nullptr;
  if ((error = write_file(dir + "/" + kEventPath + "/filter", filter))) return nullptr;
  s->mono_to_realtime_ns_ = mono_to_realtime_offset_ns();
  if ((error = write_file(dir + "/" + kEventPath + "/enable", "1"))) return nullptr;
  return s;
}

TraceSession::~TraceSession() { stop(); }

void TraceSession::stop() {
  if (dir_.empty()) return;
  const std::string name = dir_.substr(dir_.rfind('/') + 1);
  (void)remove_trace_instance(name);
  dir_.clear();
}

std::vector<KernelStateEvent> TraceSession::read_events(Error& error) const {
  std::vector<KernelStateEvent> events;
  std::ifstream f(dir_ + "/trace");
  if (!f) {
    error = Error{ErrorCode::io, "cannot read " + dir_ + "/trace"};
    return events;
  }
  std::string line;
  while (std::getline(f, line)) {
    if (auto e = parse_trace_line(line, mono_to_realtime_ns_)) events.push_back(*e);
  }
  std::stable_sort(events.begin(), events.end(), [](const KernelStateEvent& a, const KernelStateEvent& b) {
    return a.ts.ns() < b.ts.ns();
  });
  return events;
}

std::vector<std::string> lab_trace_instances() {
  std::vector<std::string> names;
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    const std::string dir = std::string(root) + "/instances";
    if (DIR* d = opendir(dir.c_str())) {
      while (dirent* e = readdir(d)) {
        const std::string n = e->d_name;
        if (n.rfind(std::string(kLabPrefix) + "_", 0) == 0) names.push_back(n);
      }
      closedir(d);
      break;  // the same instances appear under both paths
    }
  }
  return names;
}

Error remove_trace_instance(const std::string& name) {
  const std::string root = tracefs_root();
  if (root.empty()) return Error{ErrorCode::unsupported, "tracefs is not available"};
  const std::string dir = root + "/instances/" + name;
  (void)write_file(dir + "/" + kEventPath + "/enable", "0");
  for (int attempt = 0; attempt < 20; ++attempt) {  // rmdir fails while a reader holds the buffer
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    usleep(50'000);
  }
  return Error{ErrorCode::io, "cannot remove " + dir + ": " + std::strerror(errno)};
}

}  // namespace tcpscope::lab
