// A signal handler can only reach the program through globals: this file holds
// the one pointer the handler needs (the source to stop) and the signal number.
// Neither is touched on the packet path.
#include "capture/stop_signals.hpp"

#include <atomic>
#include <csignal>

namespace tcpscope::capture {
namespace {

std::atomic<FrameSource*> g_source_to_stop{nullptr};
volatile std::sig_atomic_t g_received_signal = 0;
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[3];

extern "C" void on_stop_signal(int signo) {
  g_received_signal = signo;
  if (FrameSource* source = g_source_to_stop.load()) source->request_stop();
}

}  // namespace

StopOnSignals::StopOnSignals(FrameSource& source) {
  g_received_signal = 0;
  g_source_to_stop.store(&source);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking read returns so the loop sees the stop
  for (int i = 0; i < 3; ++i) sigaction(kStopSignals[i], &action, &g_previous[i]);
}

StopOnSignals::~StopOnSignals() {
  for (int i = 0; i < 3; ++i) sigaction(kStopSignals[i], &g_previous[i], nullptr);
  g_source_to_stop.store(nullptr);
}

int StopOnSignals::received_signal() { return g_received_signal; }

}  // namespace tcpscope::capture
