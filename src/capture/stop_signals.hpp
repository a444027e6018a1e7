// Ctrl-C, SIGTERM and SIGHUP stop a capture cleanly: the handler only asks the
// source to stop, and the normal exit path flushes output and closes the -w file.
#pragma once
#include "capture/source.hpp"

namespace tcpscope::capture {

// While alive, SIGINT/SIGTERM/SIGHUP call source.request_stop(). The previous
// handlers come back on destruction. One guard at a time per process.
class StopOnSignals {
 public:
  explicit StopOnSignals(FrameSource& source);
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  // The signal that stopped the capture, or 0.
  static int received_signal();
};

}  // namespace tcpscope::capture
