// `tcpscope lab [SCENARIO] [-w OUT.pcap] [--lang en|zh] [--list] [--cleanup]`: the
// article's experiment on one machine. lab/ runs it (namespaces, capture, kernel
// states); this file prints the capture and the explanation (lab_report.cpp).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/lab_report.hpp"
#include "lab/netns.hpp"
#include "lab/runner.hpp"
#include "lab/scenarios.hpp"

namespace tcpscope::cli {

struct LabCommandOptions {
  std::string scenario = "article";
  std::string write_file;
  std::string lang = "en";
  bool list = false;
  bool cleanup = false;
  bool quiet = false;
};

namespace {

constexpr int kExitDisagree = 4;

void print_list(std::FILE* to, LabLang lang) {
  std::fprintf(to, "scenarios:\n");
  for (const auto& s : lab::all_scenarios()) {
    const std::string_view summary = lang == LabLang::zh ? s.summary_zh : s.summary_en;
    std::fprintf(to, "  %-19s %.*s%s\n", std::string(s.name).c_str(), static_cast<int>(summary.size()),
                 summary.data(), s.name == "article" ? " (default)" : "");
  }
}

void write_out(const fmt::memory_buffer& out) {
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

// The bundled article capture, next to the binary's source tree or installed data.
std::string find_bundled_article_pcap() {
  if (const char* env = std::getenv("TCPSCOPE_EXAMPLES")) {
    const std::string p = std::string(env) + "/article.pcap";
    if (access(p.c_str(), R_OK) == 0) return p;
  }
  char exe[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<std::size_t>(n));
    dir = dir.substr(0, dir.rfind('/'));
    for (const char* rel : {"/../examples/article.pcap", "/../share/tcpscope/examples/article.pcap",
                            "/../../examples/article.pcap"}) {
      const std::string p = dir + rel;
      if (access(p.c_str(), R_OK) == 0) return p;
    }
  }
  return "";
}

int fallback_to_bundled(const std::string& why, LabLang lang) {
  const std::string pcap = find_bundled_article_pcap();
  std::fprintf(stderr, "tcpscope: lab: %s\n", why.c_str());
  if (pcap.empty()) {
    std::fprintf(stderr,
                 "tcpscope: lab: and the bundled examples/article.pcap was not found: nothing to show\n");
    return 1;
  }
  std::fprintf(stderr,
               "tcpscope: lab: falling back to explaining the bundled capture %s (no kernel column)\n",
               pcap.c_str());
  fmt::memory_buffer out;
  if (!print_capture_tcpdump_style(pcap, out)) return 1;
  lab::LabResult result;
  result.pcap_path = pcap;
  result.kernel_unavailable_reason = "no lab run: the bundled capture is explained instead";
  print_lab_explanation(result, lang, out);
  write_out(out);
  return 0;
}

}  // namespace

int run_lab_command(const LabCommandOptions& o) {
  LabLang lang = LabLang::en;
  if (o.lang == "zh")
    lang = LabLang::zh;
  else if (o.lang != "en") {
    std::fprintf(stderr, "tcpscope: lab: unknown --lang '%s' (en, zh)\n", o.lang.c_str());
    return 2;
  }
  if (o.list) {
    print_list(stdout, lang);
    return 0;
  }
  if (o.cleanup) {
    std::vector<std::string> removed;
    if (const Error e = lab::cleanup_lab(removed)) {
      std::fprintf(stderr, "tcpscope: lab: %s\n", e.message.c_str());
      return 1;
    }
    for (const auto& line : removed) std::printf("%s\n", line.c_str());
    if (removed.empty()) std::printf("nothing left behind by earlier labs\n");
    return 0;
  }
  const lab::Scenario* scenario = lab::find_scenario(o.scenario);
  if (scenario == nullptr) {
    std::fprintf(stderr, "tcpscope: lab: unknown scenario '%s'\n", o.scenario.c_str());
    print_list(stderr, lang);
    return 2;
  }
  lab::LabOptions lo;
  if (!lab::has_lab_privileges()) {
    constexpr const char* kMissing =
        "the lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces, a veth pair and "
        "nftables rules, and to read tracefs; run it with sudo";
    if (!lab::has_capture_privileges() || scenario->drop != lab::DropRule::none)
      return fallback_to_bundled(kMissing, lang);
    std::fprintf(stderr, "tcpscope lab: %s\n", kMissing);
    std::fprintf(stderr,
                 "tcpscope lab: capture is allowed: running the scenario over loopback in the current "
                 "namespace instead\n");
    lo.loopback = true;
  }
  lo.scenario = scenario;
  lo.write_path = o.write_file;
  if (!o.quiet)
    lo.progress = [](const std::string& line) { std::fprintf(stderr, "tcpscope: lab: %s\n", line.c_str()); };
  lab::LabResult result;
  // The temporary capture goes as soon as it has been read, before the output is written.
  // Until then a closed stderr or stdout must not end the process (SIGPIPE) with the file
  // still there: SIGPIPE stays ignored up to that point (run_lab ignores it too while it runs).
  struct TempRemover {
    const lab::LabResult& r;
    void remove() const {
      if (r.pcap_is_temporary && !r.pcap_path.empty()) unlink(r.pcap_path.c_str());
    }
    ~TempRemover() { remove(); }
  } remover{result};
  lab::IgnoredSigpipe ignored_sigpipe;
  const Error error = lab::run_lab(lo, result);
  if (error) {
    std::fprintf(stderr, "tcpscope: lab: %s\n", error.message.c_str());
    return 1;
  }
  if (!o.quiet)
    std::fprintf(stderr, "tcpscope: lab: done; %s\n",
                 lo.loopback ? "the capture and the trace instance were removed"
                             : "namespaces, veth pair, nftables table and trace instance removed");

  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  const std::string_view summary = lang == LabLang::zh ? scenario->summary_zh : scenario->summary_en;
  fmt::format_to(it, "Scenario {}: {}\n", scenario->name, summary);
  fmt::format_to(it, "client host {} ({}), server host {} ({}), port {}\n", result.client_addr.to_string(),
                 result.client_namespace, result.server_addr.to_string(), result.server_namespace,
                 result.server_port);
  fmt::format_to(it, "\n# tcpdump -S -nn -vvv -i {} port {}   (libpcap, in {})\n", result.capture_interface,
                 result.server_port, result.server_namespace);
  if (!print_capture_tcpdump_style(result.pcap_path, out)) return 1;
  fmt::format_to(it, "\nPrograms:\n");
  for (const auto& line : result.notes) fmt::format_to(it, "  {}\n", line);
  const LabVerdict verdict = print_lab_explanation(result, lang, out);
  if (scenario->close_together && !verdict.simultaneous_close)
    fmt::format_to(it, "{}\n", fins_not_crossed_text(lang));
  if (!o.write_file.empty()) fmt::format_to(it, "capture written to {}\n", o.write_file);
  remover.remove();
  ignored_sigpipe.restore();  // `tcpscope lab | head` ends quietly, as tcpdump does
  write_out(out);
  return verdict.disagreements > 0 ? kExitDisagree : 0;
}

void add_lab_command(CLI::App& app, int& exit_status) {
  auto o = std::make_shared<LabCommandOptions>();
  auto* cmd = app.add_subcommand(
      "lab", "the article's experiment on one machine: two namespaces, capture, kernel states, explanation");
  cmd->add_option("scenario", o->scenario, "scenario name (--list shows them)")->capture_default_str();
  cmd->add_option("-w", o->write_file, "keep the capture in this pcap file");
  cmd->add_option("--lang", o->lang, "en | zh")->capture_default_str();
  cmd->add_flag("--list", o->list, "list the scenarios");
  cmd->add_flag(
      "--cleanup", o->cleanup,
      "remove what a killed lab left behind (tslab-* namespaces, trace instances, its capture in /tmp)");
  cmd->add_flag("-q,--quiet", o->quiet, "no progress lines on stderr");
  cmd->callback([o, &exit_status] { exit_status = run_lab_command(*o); });
}

}  // namespace tcpscope::cli
