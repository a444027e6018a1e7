// fork/exec with a bounded wait: the lab never blocks on a helper forever.
#include "lab/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tcpscope::lab {
namespace {

std::int64_t now_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1000 + t.tv_nsec / 1'000'000;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, int timeout_ms,
                          const std::string& stdin_text) {
  CommandResult result;
  if (argv.empty()) return result;
  int out_pipe[2];
  int in_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (pipe2(in_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(out_pipe[1], 2);
    signal(SIGINT, SIG_IGN);  // Ctrl-C reaches the lab, which cleans up; helpers finish their step
    execvp(args[0], args.data());
    const char* msg = "cannot execute ";
    (void)!write(2, msg, std::strlen(msg));
    (void)!write(2, args[0], std::strlen(args[0]));
    _exit(127);
  }
  close(out_pipe[1]);
  close(in_pipe[0]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(in_pipe[1]);
    result.output = std::string("fork: ") + std::strerror(errno);
    return result;
  }
  if (!stdin_text.empty()) (void)!write(in_pipe[1], stdin_text.data(), stdin_text.size());
  close(in_pipe[1]);
  const std::int64_t deadline = now_ms() + timeout_ms;
  char buf[4096];
  for (;;) {
    const std::int64_t left = deadline - now_ms();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd p{out_pipe[0], POLLIN, 0};
    const int rc = poll(&p, 1, static_cast<int>(left));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    const ssize_t n = read(out_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  close(out_pipe[0]);
  if (result.timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out && WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  return result;
}

Error run_checked(const std::vector<std::string>& argv, int timeout_ms, const std::string& stdin_text) {
  const CommandResult r = run_command(argv, timeout_ms, stdin_text);
  if (r.ok()) return {};
  std::string out = r.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return Error{ErrorCode::io, "'" + joined(argv) + "' " +
                                  (r.timed_out ? "did not finish within " + std::to_string(timeout_ms) + " ms"
                                               : "failed (exit " + std::to_string(r.exit_status) + ")") +
                                  (out.empty() ? "" : ": " + out)};
}

}  // namespace tcpscope::lab
