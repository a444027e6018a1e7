#include "cli/tcpdump_args.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>

namespace tcpscope::cli {
namespace {

// Option codes: short options use their letter; long-only options use codes above 255.
enum LongOnly : int { kVersion = 256, kPrecision, kNano, kMicro, kImmediate, kPrint, kSkip, kQuiet };

struct LongOption {
  std::string_view name;
  bool takes_argument;
  int code;
};

// tcpdump 4.99's long options (plus --skip from later tcpdump releases).
constexpr LongOption kLongOptions[] = {
    {"buffer-size", true, 'B'},
    {"list-interfaces", false, 'D'},
    {"help", false, 'h'},
    {"interface", true, 'i'},
    {"dont-verify-checksums", false, 'K'},
    {"no-promiscuous-mode", false, 'p'},
    {"snapshot-length", true, 's'},
    {"relinquish-privileges", true, 'Z'},
    {"number", false, '#'},
    {"version", false, kVersion},
    {"time-stamp-precision", true, kPrecision},
    {"immediate-mode", false, kImmediate},
    {"nano", false, kNano},
    {"micro", false, kMicro},
    {"print", false, kPrint},
    {"skip", true, kSkip},
    {"no-optimize", false, 'O'},
    {"direction", true, 'Q'},
    {"quiet", false, kQuiet},  // tcpscope's own: no progress line on stderr
};

constexpr std::string_view kShortWithArgument = "BcFiQrswZ";
constexpr std::string_view kShortFlags = "AdDehKlnNOpqStUvxX#";
// tcpdump options tcpscope knows but does not implement.
constexpr std::string_view kShortUnsupported = "abCEfGHIjJLmMTuVWyYz";

constexpr int kMaximumSnaplen = 262144;

std::optional<long long> parse_integer(std::string_view text, int base) {
  const std::string copy(text);
  if (copy.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(copy.c_str(), &end, base);
  if (errno != 0 || end == copy.c_str() || *end != '\0') return std::nullopt;
  return value;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string option_name(int code) {
  if (code < 256) return std::string("-") + static_cast<char>(code);
  for (const auto& option : kLongOptions)
    if (option.code == code) return "--" + std::string(option.name);
  return "?";
}

class ArgsParser {
 public:
  explicit ArgsParser(PrintCommand& command) : cmd_(command) {}

  // Applies one option; returns a usage error or "".
  std::string apply(int code, std::string_view argument) {
    print::PrintOptions& print = cmd_.print;
    SourceOptions& source = cmd_.source;
    switch (code) {
      case 'A':
        print.ascii = true;
        break;
      case 'd':
        ++cmd_.dump_filter_program;
        break;
      case 'D':
        cmd_.list_interfaces = true;
        break;
      case 'N':
        print.strip_domain = true;
        break;
      case 'O':
        source.optimize_filter = false;
        break;
      case 'Q':
        // tcpdump compares without regard to case
        if (equal_ignoring_case(argument, "in"))
          source.live.direction = capture::CaptureDirection::in;
        else if (equal_ignoring_case(argument, "out"))
          source.live.direction = capture::CaptureDirection::out;
        else if (equal_ignoring_case(argument, "inout"))
          source.live.direction = capture::CaptureDirection::inout;
        else
          return "unknown capture direction '" + std::string(argument) + "' (in, out or inout)";
        break;
      case 'e':
        print.link_header = true;
        break;
      case 'h':
        cmd_.show_help = true;
        break;
      case 'K':
        print.no_checksum = true;
        break;
      case 'l':
        cmd_.line_buffered = true;
        break;
      case 'n':
        ++print.numeric;
        break;
      case 'p':
        source.live.promiscuous = false;
        break;
      case 'q':
        print.quiet = true;
        break;
      case 'S':
        print.absolute_seq = true;
        break;
      case 't':
        ++t_count_;
        break;
      case 'U':
        source.write_flush_each = true;
        break;
      case 'v':
        ++print.verbose;
        source.verbose = true;
        break;
      case 'x':
        ++print.hex;
        break;
      case 'X':
        ++print.hex_ascii;
        break;
      case '#':
        print.number = true;
        break;
      case 'B': {
        const auto value = parse_integer(argument, 10);
        if (!value || *value <= 0 || *value > (1 << 21))
          return "invalid packet buffer size " + std::string(argument);
        source.live.buffer_size_kib = static_cast<int>(*value);
        break;
      }
      case 'c': {
        const auto value = parse_integer(argument, 0);
        if (!value || *value <= 0) return "invalid packet count " + std::string(argument);
        source.count = static_cast<std::uint64_t>(*value);
        break;
      }
      case kSkip: {
        const auto value = parse_integer(argument, 0);
        if (!value || *value < 0) return "invalid number of packets to skip " + std::string(argument);
        source.skip = static_cast<std::uint64_t>(*value);
        break;
      }
      case 's': {
        const auto value = parse_integer(argument, 0);
        if (!value || *value < 0 || *value > kMaximumSnaplen)
          return "invalid snaplen " + std::string(argument);
        source.live.snaplen = *value == 0 ? kMaximumSnaplen : static_cast<int>(*value);
        break;
      }
      case 'F':
        cmd_.filter_file = argument;
        break;
      case 'i':
        source.interface = argument;
        break;
      case 'r':
        source.read_file = argument;
        break;
      case 'w':
        source.write_file = argument;
        break;
      case 'Z':
        source.drop_user = argument;
        break;
      case kVersion:
        cmd_.show_version = true;
        break;
      case kQuiet:
        source.quiet = true;
        break;
      case kNano:
        set_nano(true);
        break;
      case kMicro:
        set_nano(false);
        break;
      case kPrecision:
        if (argument == "nano")
          set_nano(true);
        else if (argument == "micro")
          set_nano(false);
        else
          return "unsupported time stamp precision " + std::string(argument) + " (use micro or nano)";
        break;
      case kImmediate:
        source.live.immediate = true;
        break;
      case kPrint:
        cmd_.print_when_writing = true;
        break;
      default:
        return "internal error: unhandled option " + option_name(code);
    }
    return {};
  }

  std::string finish() {
    using print::TimeFormat;
    constexpr TimeFormat kByCount[] = {TimeFormat::local_time, TimeFormat::none,
                                       TimeFormat::epoch,      TimeFormat::delta_previous,
                                       TimeFormat::date_time,  TimeFormat::delta_first};
    if (t_count_ > 5) return "only -t, -tt, -ttt, -tttt and -ttttt are supported";
    cmd_.print.time = kByCount[t_count_];
    if (!cmd_.source.read_file.empty() && !cmd_.source.interface.empty())
      return "-r and -i cannot be used together";
    if (!cmd_.filter_file.empty() && !cmd_.source.filter.empty())
      return "-F and a filter expression on the command line cannot be used together";
    return {};
  }

 private:
  void set_nano(bool nano) {
    cmd_.print.nano = nano;
    cmd_.source.write_nano = nano;
  }

  PrintCommand& cmd_;
  int t_count_ = 0;
};

}  // namespace

ParsedArgs parse_tcpdump_args(std::span<const std::string_view> args) {
  ParsedArgs parsed;
  ArgsParser parser(parsed.command);
  std::string& filter = parsed.command.source.filter;
  auto add_filter_word = [&filter](std::string_view word) {
    if (!filter.empty()) filter += ' ';
    filter += word;
  };
  auto fail = [&parsed](std::string message) {
    parsed.error = std::move(message);
    return parsed;
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--") {
      for (++i; i < args.size(); ++i) add_filter_word(args[i]);
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      add_filter_word(arg);
      continue;
    }
    if (arg[1] == '-') {  // long option, possibly abbreviated, possibly --name=value
      const std::string_view body = arg.substr(2);
      const std::size_t eq = body.find('=');
      const std::string_view name = body.substr(0, eq);
      const LongOption* match = nullptr;
      int prefix_matches = 0;
      for (const auto& option : kLongOptions) {
        if (option.name == name) {
          match = &option;
          prefix_matches = 1;
          break;
        }
        if (option.name.starts_with(name)) {
          match = &option;
          ++prefix_matches;
        }
      }
      if (match == nullptr) return fail("unknown option --" + std::string(name) + " (see tcpscope --help)");
      if (prefix_matches > 1)
        return fail("ambiguous option --" + std::string(name) + " (see tcpscope --help)");
      std::string_view argument;
      if (match->takes_argument) {
        if (eq != std::string_view::npos) {
          argument = body.substr(eq + 1);
        } else if (i + 1 < args.size()) {
          argument = args[++i];
        } else {
          return fail("option --" + std::string(match->name) + " needs an argument");
        }
      } else if (eq != std::string_view::npos) {
        return fail("option --" + std::string(match->name) + " takes no argument");
      }
      if (std::string error = parser.apply(match->code, argument); !error.empty()) return fail(error);
      continue;
    }
    // A cluster of short options: -nnvvS, -c10, -r file.
    for (std::size_t k = 1; k < arg.size(); ++k) {
      const char letter = arg[k];
      if (kShortFlags.find(letter) != std::string_view::npos) {
        if (std::string error = parser.apply(letter, {}); !error.empty()) return fail(error);
        continue;
      }
      if (kShortWithArgument.find(letter) != std::string_view::npos) {
        std::string_view argument;
        if (k + 1 < arg.size()) {
          argument = arg.substr(k + 1);
        } else if (i + 1 < args.size()) {
          argument = args[++i];
        } else {
          return fail(std::string("option -") + letter + " needs an argument");
        }
        if (std::string error = parser.apply(letter, argument); !error.empty()) return fail(error);
        break;
      }
      if (kShortUnsupported.find(letter) != std::string_view::npos)
        return fail(std::string("option -") + letter + " is not supported by tcpscope");
      return fail(std::string("unknown option -") + letter + " (see tcpscope --help)");
    }
  }
  if (std::string error = parser.finish(); !error.empty()) return fail(error);
  return parsed;
}

std::string tcpdump_usage(const std::string& subcommand_usage) {
  std::string text =
      R"(Usage: tcpscope [print] [-AdDehKlnNOpqStUvxX#] [-B size] [-c count] [--skip count] [-F file]
                [-i interface] [--immediate-mode] [-Q in|out|inout] [-r file] [-s snaplen]
                [--time-stamp-precision micro|nano] [--nano] [--micro] [--print]
                [-w file] [-Z user] [--quiet] [--version] [expression]
)";
  text += subcommand_usage;
  text += R"(
print (the default) prints packets as tcpdump 4.99 does. Options follow tcpdump:
 input   -r FILE  read a pcap/pcapng file ("-": standard input);  -i IFACE  capture live on IFACE
         ("any": all interfaces; a number: that entry of -D's list);  -D  list the interfaces
 filter  expression  a BPF filter (pcap-filter(7));  -F FILE  read the expression from FILE
         -d, -dd, -ddd  print the compiled filter program and stop;  -O  without the optimizer
 count   -c N  stop after N packets;  --skip N  ignore the first N packets (-# still counts them)
 names   -n, -nn  numeric addresses, and ports;  -N  host names without domain;  -S  absolute seq
 detail  -v, -vv, -vvv  more detail;  -q  less;  -e  link-level header;  -K  do not verify checksums
 dumps   -x/-xx  hex;  -X/-XX  hex and ASCII;  -A  ASCII
 time    -t .. -ttttt  time-stamp formats;  --nano, --micro, --time-stamp-precision  precision
         -#, --number  packet numbers
 live    -s N  snapshot length;  -B KiB  kernel buffer;  -p  no promiscuous mode;  --immediate-mode
         -Q in|out|inout  only packets received, or sent (default: both)
         -Z USER  as root, become USER once the capture and -w file are open (default: tcpdump;
                  -Z root keeps root)
 output  -w FILE  write a pcap file, not text (--print: text too);  -U  flush -w per packet
         -l  flush stdout per packet;  --quiet  no progress line on stderr for large files
 other   -h, --help  this text;  --version  versions of tcpscope and libpcap
Long forms: --buffer-size --list-interfaces --interface --dont-verify-checksums
  --no-promiscuous-mode --snapshot-length --relinquish-privileges --no-optimize --direction
Subcommands: tcpscope SUBCOMMAND --help. Exit status: 0 ok, 1 runtime error, 2 usage error.
)";
  return text;
}

std::vector<std::string> tcpdump_option_names() {
  std::vector<std::string> names;
  for (const char letter : kShortWithArgument) names.push_back(std::string("-") + letter);
  for (const char letter : kShortFlags) names.push_back(std::string("-") + letter);
  for (const auto& option : kLongOptions) names.push_back("--" + std::string(option.name));
  return names;
}

}  // namespace tcpscope::cli
