#include "cli/progress.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace tcpscope::cli {
namespace {

std::int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// 1234567 -> "1.23 MB" (decimal units, as disk sizes are usually given).
std::string human_bytes(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.2f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.1f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.1f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

std::string human_count(std::uint64_t n) {
  if (n >= 1'000'000) return fmt::format("{:.2f} M", static_cast<double>(n) / 1e6);
  if (n >= 10'000) return fmt::format("{:.1f} k", static_cast<double>(n) / 1e3);
  return fmt::format("{}", n);
}

}  // namespace

ProgressMeter::ProgressMeter(const std::string& read_file, bool quiet) {
  // With stdout on the same terminal the results would scroll through the line.
  if (quiet || read_file.empty() || read_file == "-" || isatty(STDERR_FILENO) == 0 ||
      isatty(STDOUT_FILENO) != 0)
    return;
  struct stat info {};
  if (stat(read_file.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return;
  if (static_cast<std::uint64_t>(info.st_size) <= kMinimumFileBytes) return;
  total_bytes_ = static_cast<std::uint64_t>(info.st_size);
  enabled_ = true;
  start_ns_ = monotonic_ns();
  last_draw_ns_ = start_ns_ - kRedrawIntervalNs;  // the first check draws: the line shows up at once
}

std::string ProgressMeter::format_line(std::uint64_t bytes, std::uint64_t total_bytes, std::uint64_t packets,
                                       std::uint64_t connections, double elapsed_seconds) {
  if (bytes > total_bytes) bytes = total_bytes;
  const double percent =
      total_bytes ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total_bytes) : 0;
  std::string line =
      fmt::format("tcpscope: {} of {} ({:.0f}%), {} packets", human_bytes(static_cast<double>(bytes)),
                  human_bytes(static_cast<double>(total_bytes)), percent, human_count(packets));
  if (connections != 0) line += fmt::format(", {} connections", human_count(connections));
  if (elapsed_seconds > 0 && bytes > 0) {
    const double rate = static_cast<double>(bytes) / elapsed_seconds;
    const auto eta = static_cast<std::uint64_t>(static_cast<double>(total_bytes - bytes) / rate + 0.5);
    line += fmt::format(", {}/s, ETA {}:{:02}", human_bytes(rate), eta / 60, eta % 60);
  }
  return line;
}

void ProgressMeter::maybe_redraw(const capture::FrameSource& source, std::uint64_t connections) {
  const std::int64_t now = monotonic_ns();
  if (now - last_draw_ns_ < kRedrawIntervalNs) return;
  last_draw_ns_ = now;
  const std::string line = format_line(source.bytes_read(), total_bytes_, packets_, connections,
                                       static_cast<double>(now - start_ns_) / 1e9);
  // "\r" back to the start of the line, "\033[K" erases what a longer line left.
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressMeter::clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace tcpscope::cli
