// The TCP part of tcpdump 4.99.3's line (print-tcp.c of that release), from the
// ports to ", length N" and the trailers the TCP printer itself adds. See
// ../shared/reference/tcp-semantics.md §3.5-3.8 for the rules reproduced here.
//
// tcpdump stops printing in three ways, reproduced as distinct outcomes:
//   - a capture check fails outside the option length checks: " [|proto]";
//   - an option's data is not captured: " [|proto]" and ">" if an option was printed;
//   - an option length is impossible: "[bad opt]" and "]" if an option was printed.
// "proto" is "tcp", or "mptcp" once an MPTCP option has been printed (tcpdump's
// MPTCP printer renames the current protocol and nothing renames it back).
#include "print/tcp_text.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/tcp_flags.hpp"
#include "decode/tcp.hpp"
#include "decode/tcp_options.hpp"
#include "print/host_names.hpp"
#include "print/mptcp_text.hpp"
#include "print/text_writer.hpp"

namespace tcpscope::print {

namespace {

namespace kind = decode::tcp_option_kind;
using decode::kTcpMinHeaderLen;

constexpr std::uint32_t kMaxRstDataLen = 30;
constexpr std::uint32_t kMd5SignatureLen = 16;
// Upper bound of the TCP text: addresses (host names capped at 255), ports (service
// names capped at 64) and the fixed fields take under 1,000 bytes, the at most 40 option bytes under 1,000
// (the longest forms, e.g. a remove-address list or "sackOK[len 38]" repeated, stay below 25 characters per
// option byte), RST data about 100.
constexpr std::size_t kMaxTcpTextLen = 4096;

// tcpdump's tcp_flag_values, in its printing order.
struct FlagLetter {
  std::uint8_t bit;
  char letter;
};
constexpr FlagLetter kFlagLetters[] = {{tcp_flag::fin, 'F'}, {tcp_flag::syn, 'S'}, {tcp_flag::rst, 'R'},
                                       {tcp_flag::psh, 'P'}, {tcp_flag::ack, '.'}, {tcp_flag::urg, 'U'},
                                       {tcp_flag::ece, 'E'}, {tcp_flag::cwr, 'W'}};

// The text between "Flags [" and "]" for each value of the 8 flag bits.
struct FlagsText {
  std::uint8_t len;
  char text[8];
};
constexpr std::array<FlagsText, 256> kFlagsTexts = [] {
  std::array<FlagsText, 256> texts{};
  texts[0] = {4, {'n', 'o', 'n', 'e'}};
  for (unsigned flags = 1; flags < 256; ++flags) {
    FlagsText& t = texts[flags];
    for (const FlagLetter& f : kFlagLetters)
      if (flags & f.bit) t.text[t.len++] = f.letter;
  }
  return texts;
}();

// tcpdump's tcp_option_values (4.99.3: kind 13 has an empty name), indexed by kind;
// a null entry means "unknown-<kind>".
constexpr std::array<std::string_view, 256> kOptionNames = [] {
  std::array<std::string_view, 256> names{};
  names[kind::eol] = "eol";
  names[kind::nop] = "nop";
  names[kind::mss] = "mss";
  names[kind::wscale] = "wscale";
  names[kind::sack_permitted] = "sackOK";
  names[kind::sack] = "sack";
  names[kind::echo] = "echo";
  names[kind::echo_reply] = "echoreply";
  names[kind::timestamps] = "TS";
  names[kind::cc] = "cc";
  names[kind::cc_new] = "ccnew";
  names[kind::cc_echo] = std::string_view("", 0);
  names[kind::md5_signature] = "md5";
  names[kind::scps] = "scps";
  names[kind::user_timeout] = "uto";
  names[kind::tcp_ao] = "tcp-ao";
  names[kind::mptcp] = "mptcp";
  names[kind::fast_open] = "tfo";
  names[kind::experiment2] = "exp";
  return names;
}();

void append_safe_char(TextWriter& w, std::uint8_t c) {
  if (c & 0x80) {
    c &= 0x7f;
    w.text("M-");
  }
  if (c < 0x20 || c == 0x7f) {
    c ^= 0x40;
    w.put('^');
  }
  w.put(static_cast<char>(c));
}

// TCP Fast Open cookie text (RFC 7413), shared by kind 34 and the experimental form.
void append_fast_open(TextWriter& w, const std::uint8_t* data, std::uint32_t len) {
  if (len == 0) {
    w.text(" cookiereq");
  } else if (len % 2 != 0 || len < 4 || len > 16) {
    w.text(" (invalid)");
  } else {
    w.text(" cookie ");
    w.hex_bytes(data, len);
  }
}

// The mixed bits of an IPv4 address pair and its ports, for the printer's per-pair tables
// (each takes the bits it indexes by).
std::uint64_t mix_v4_pair(std::uint32_t first, std::uint32_t second, std::uint32_t ports) {
  return ((std::uint64_t{first} << 32 | second) ^ (std::uint64_t{ports} * 0x9e3779b97f4a7c15ull)) *
         0xff51afd7ed558ccdull;
}

}  // namespace

// tcpdump's relative-sequence tables (tcp_seq_hash4/6), as a member: one entry per
// canonically ordered address/port pair, holding the base for each end. tcpdump never
// forgets an entry (a later segment of the same pair without SYN is numbered from the
// bases already there), so neither can this table: it grows with the conversations of
// the file, and its entries are kept small (IPv4's 20 bytes, in a table at most 3/4 full).
struct TcpPrinter::SeqTables {
  struct Bases {
    std::uint32_t first = 0;   // tcpdump's th->seq: subtracted from the first end's numbers
    std::uint32_t second = 0;  // tcpdump's th->ack
  };
  struct Key4 {
    std::uint32_t first = 0;   // address of the canonical first end (network order)
    std::uint32_t second = 0;  // address of the other end
    std::uint32_t ports = 0;   // first port << 16 | second port
    bool operator==(const Key4&) const = default;
    std::uint64_t hash() const {
      const std::uint64_t h = mix_v4_pair(first, second, ports);
      return h ^ (h >> 29);
    }
  };
  struct Key6 {
    std::array<std::uint8_t, 16> first{};
    std::array<std::uint8_t, 16> second{};
    std::uint32_t ports = 0;
    bool operator==(const Key6&) const = default;
    std::uint64_t hash() const {
      std::uint64_t w[4];
      std::memcpy(w, first.data(), 16);
      std::memcpy(w + 2, second.data(), 16);
      std::uint64_t h = std::uint64_t{ports} * 0x9e3779b97f4a7c15ull;
      for (std::uint64_t v : w) h = (h ^ v) * 0xff51afd7ed558ccdull;
      return h ^ (h >> 29);
    }
  };

  // Open addressing with linear probing, an occupancy bit per slot (every key is a valid
  // one); the slot array doubles at 3/4 load, so memory comes as new conversations appear
  // (like tcpdump's calloc per entry).
  template <class Key>
  class Table {
   public:
    // The entry for `key`, and whether it was just created (zero bases).
    std::pair<Bases*, bool> find_or_insert(const Key& key) {
      if (slots_.empty()) resize(kFirstSlots);
      for (;;) {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = key.hash() & mask;; i = (i + 1) & mask) {
          Slot& slot = slots_[i];
          if (!occupied(i)) {
            if (4 * (used_ + 1) > 3 * slots_.size()) break;  // grow, then look again
            occupy(i);
            slot.key = key;
            slot.bases = Bases{};
            ++used_;
            return {&slot.bases, true};
          }
          if (slot.key == key) return {&slot.bases, false};
        }
        resize(2 * slots_.size());
      }
    }

   private:
    static constexpr std::size_t kFirstSlots = 1024;
    struct Slot {
      Key key;
      Bases bases;
    };
    static bool bit(const std::vector<std::uint64_t>& bits, std::size_t i) {
      return (bits[i >> 6] >> (i & 63)) & 1;
    }
    bool occupied(std::size_t i) const { return bit(occupied_, i); }
    void occupy(std::size_t i) { occupied_[i >> 6] |= std::uint64_t{1} << (i & 63); }
    void resize(std::size_t n) {
      std::vector<Slot> old_slots(n);
      std::vector<std::uint64_t> old_occupied(n / 64);
      old_slots.swap(slots_);
      old_occupied.swap(occupied_);
      const std::size_t mask = n - 1;
      for (std::size_t j = 0; j < old_slots.size(); ++j) {
        if (!bit(old_occupied, j)) continue;
        std::size_t i = old_slots[j].key.hash() & mask;
        while (occupied(i)) i = (i + 1) & mask;
        occupy(i);
        slots_[i] = old_slots[j];
      }
    }
    std::vector<Slot> slots_;
    std::vector<std::uint64_t> occupied_;
    std::size_t used_ = 0;
  };

  Table<Key4> v4;
  Table<Key6> v6;
};

// With -n, an IPv4 segment's "src.sport > dst.dport" text depends on its 4-tuple
// alone: it is kept per 4-tuple in a direct-mapped table (a connection's segments
// reuse it; a collision just writes the text again).
struct TcpPrinter::EndpointTexts {
  static constexpr std::size_t kTextRoom = 51;  // "255.255.255.255.65535 > 255.255.255.255.65535" is 45
  struct Entry {
    std::uint32_t src = 0;
    std::uint32_t dst = 0;
    std::uint32_t ports = 0;
    std::uint8_t len = 0;  // 0: empty
    char text[kTextRoom] = {};
  };
  static_assert(sizeof(Entry) == 64);
  static constexpr std::size_t kEntries = 1024;
  std::vector<Entry> entries = std::vector<Entry>(kEntries);

  Entry& slot(std::uint32_t src, std::uint32_t dst, std::uint32_t ports) {
    return entries[static_cast<std::size_t>(mix_v4_pair(src, dst, ports) >> 54)];
  }
};

// TCP service names for printing without -n, as tcpdump's init_servarray() builds
// them: every "tcp" entry of the services database, the first name of a port winning.
// Loaded once, on first use.
struct TcpPrinter::PortNames {
  std::vector<std::string> names;  // indexed by port; empty: print the number

  PortNames() : names(65536) {
    setservent(0);
    while (const servent* sv = getservent()) {
      if (std::strcmp(sv->s_proto, "tcp") != 0) continue;
      const auto port = static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(sv->s_port)));
      // (Service names are short; the cap keeps the printer's text bound.)
      if (names[port].empty()) names[port] = std::string(sv->s_name).substr(0, 64);
    }
    endservent();
  }
};

void TcpPrinter::append_port(TextWriter& w, const PrintOptions& options, std::uint16_t port) {
  if (options.numeric == 0) {
    if (!port_names_) port_names_ = std::make_unique<PortNames>();
    const std::string& name = port_names_->names[port];
    if (!name.empty()) return w.text(name);
  }
  w.dec32(port);
}

void TcpPrinter::append_host(TextWriter& w, const PrintOptions& options, const IpAddr& addr) {
  if (options.numeric > 0) return w.ip(addr);
  w.text(host_names(options).name(addr));
}

HostNames& TcpPrinter::host_names(const PrintOptions& options) {
  if (!host_names_) host_names_ = std::make_unique<HostNames>(options.strip_domain);
  return *host_names_;
}

TcpPrinter::TcpPrinter() : tables_(std::make_unique<SeqTables>()) {}
TcpPrinter::~TcpPrinter() = default;

void TcpPrinter::print(fmt::memory_buffer& out, const PrintOptions& options, ByteView captured,
                       const TcpPrintContext& ctx) {
  std::string_view proto = "tcp";

  const std::uint32_t length = ctx.segment_len;
  // tcpdump limits the captured data to the IP length (Ethernet padding is not TCP).
  if (captured.size() > length) captured = captured.first(length);

  TextWriter w(out, kMaxTcpTextLen);
  if (captured.size() < 4) {
    append_host(w, options, ctx.src);
    w.text(" > ");
    append_host(w, options, ctx.dst);
    w.text(": [|tcp]");
    return;
  }
  const std::uint16_t sport = load_be16(captured.data());
  const std::uint16_t dport = load_be16(captured.data() + 2);
  if (ctx.print_addresses && options.numeric > 0 && !ctx.src.is_v6() && !ctx.dst.is_v6()) {
    std::uint32_t src;
    std::uint32_t dst;
    std::memcpy(&src, ctx.src.bytes.data(), 4);
    std::memcpy(&dst, ctx.dst.bytes.data(), 4);
    const std::uint32_t ports = std::uint32_t{sport} << 16 | dport;
    if (!endpoint_texts_) endpoint_texts_ = std::make_unique<EndpointTexts>();
    EndpointTexts::Entry& entry = endpoint_texts_->slot(src, dst, ports);
    if (entry.len == 0 || entry.src != src || entry.dst != dst || entry.ports != ports) {
      char* const begin = w.position();
      w.ipv4(ctx.src.bytes.data());
      w.put('.');
      w.dec32(sport);
      w.text(" > ");
      w.ipv4(ctx.dst.bytes.data());
      w.put('.');
      w.dec32(dport);
      entry.src = src;
      entry.dst = dst;
      entry.ports = ports;
      entry.len = static_cast<std::uint8_t>(w.position() - begin);
      std::memcpy(entry.text, begin, entry.len);
    } else {
      w.fixed_copy<EndpointTexts::kTextRoom>(entry.text, entry.len);
    }
  } else if (ctx.print_addresses) {
    append_host(w, options, ctx.src);
    w.put('.');
    append_port(w, options, sport);
    w.text(" > ");
    append_host(w, options, ctx.dst);
    w.put('.');
    append_port(w, options, dport);
  } else {
    append_port(w, options, sport);
    w.text(" > ");
    append_port(w, options, dport);
  }
  w.text(": ");
  auto stop_truncated = [&] {  // tcpdump's longjmp on a failed capture check
    w.text(" [|");
    w.text(proto);
    w.put(']');
  };

  if (!decode::TcpHeaderView::fits(captured)) {
    stop_truncated();
    return;
  }
  const decode::TcpHeaderView h(captured.data());
  const std::uint32_t hlen = h.header_len();
  if (hlen < kTcpMinHeaderLen) {
    w.text(" tcp ");
    w.dec(static_cast<std::uint32_t>(length - hlen));
    w.text(" [bad hdr length ");
    w.dec(hlen);
    w.text(" - too short, < 20]");
    return;
  }
  std::uint32_t seq = h.seq();
  std::uint32_t ack = h.ack();

  if (options.quiet) {
    w.text("tcp ");
    w.dec(static_cast<std::uint32_t>(length - hlen));
    if (hlen > length) {
      w.text(" [bad hdr length ");
      w.dec(hlen);
      w.text(" - too long, > ");
      w.dec(length);
      w.put(']');
    }
    return;
  }

  const std::uint8_t flags = h.flags8();
  w.text("Flags [");
  const FlagsText& flags_text = kFlagsTexts[flags];
  w.fixed_copy<sizeof flags_text.text>(flags_text.text, flags_text.len);
  w.put(']');

  // Relative sequence numbers: only ACK-bearing segments use (and seed) the table.
  bool rev = false;
  std::uint32_t base_first = 0;
  std::uint32_t base_second = 0;
  if (!options.absolute_seq && (flags & tcp_flag::ack)) {
    const std::size_t alen = ctx.src.is_v6() ? 16 : 4;
    if (sport > dport) {
      rev = true;
    } else if (sport == dport) {
      rev = std::memcmp(ctx.src.bytes.data(), ctx.dst.bytes.data(), alen) > 0;
    }
    const IpAddr& first = rev ? ctx.dst : ctx.src;
    const IpAddr& second = rev ? ctx.src : ctx.dst;
    const std::uint32_t ports =
        rev ? (std::uint32_t{dport} << 16 | sport) : (std::uint32_t{sport} << 16 | dport);
    std::pair<SeqTables::Bases*, bool> found;
    if (alen == 4) {
      SeqTables::Key4 key;
      std::memcpy(&key.first, first.bytes.data(), 4);
      std::memcpy(&key.second, second.bytes.data(), 4);
      key.ports = ports;
      found = tables_->v4.find_or_insert(key);
    } else {
      SeqTables::Key6 key;
      std::memcpy(key.first.data(), first.bytes.data(), 16);
      std::memcpy(key.second.data(), second.bytes.data(), 16);
      key.ports = ports;
      found = tables_->v6.find_or_insert(key);
    }
    auto [entry, inserted] = found;
    SeqTables::Bases& bases = *entry;
    if (inserted || (flags & tcp_flag::syn)) {
      if (rev) {
        bases.second = seq;
        bases.first = ack - 1;
      } else {
        bases.first = seq;
        bases.second = ack - 1;
      }
    } else if (rev) {
      seq -= bases.second;
      ack -= bases.first;
    } else {
      seq -= bases.first;
      ack -= bases.second;
    }
    base_first = bases.first;
    base_second = bases.second;
  }

  if (hlen > length) {
    w.text(" [bad hdr length ");
    w.dec(hlen);
    w.text(" - too long, > ");
    w.dec(length);
    w.put(']');
    return;
  }

  if (options.verbose > 0 && !options.no_checksum && !ctx.ip_fragment && captured.size() >= length) {
    const std::uint16_t stored = h.checksum();
    bool correct = true;
    std::uint16_t expected = stored;
    if (ctx.decoded != nullptr && ctx.decoded->checksum != decode::ChecksumStatus::unverifiable) {
      correct = ctx.decoded->checksum == decode::ChecksumStatus::good;
      expected = ctx.decoded->checksum_expected;
    } else if (const std::uint16_t residue =
                   decode::tcp_checksum_residue(ctx.src, ctx.dst, captured.first(length));
               residue != 0) {
      correct = false;
      expected = decode::tcp_checksum_should_be(stored, residue);
    }
    w.text(", cksum 0x");
    w.hex(stored, 4);
    if (correct) {
      w.text(" (correct)");
    } else {
      w.text(" (incorrect -> 0x");
      w.hex(expected, 4);
      w.put(')');
    }
  }

  const std::uint32_t payload_len = length - hlen;
  if (options.verbose > 1 || payload_len > 0 || (flags & (tcp_flag::syn | tcp_flag::fin | tcp_flag::rst))) {
    w.text(", seq ");
    w.dec(seq);
    if (payload_len > 0) {
      w.put(':');
      w.dec(static_cast<std::uint32_t>(seq + payload_len));
    }
  }
  if (flags & tcp_flag::ack) {
    w.text(", ack ");
    w.dec(ack);
  }
  w.text(", win ");
  w.dec(h.window());
  if (flags & tcp_flag::urg) {
    w.text(", urg ");
    w.dec(h.urgent());
  }

  if (hlen > kTcpMinHeaderLen) {
    // The option walk of tcp_print(): `left` counts the announced option bytes not yet
    // consumed, `pos` is the offset of the next byte in `captured`.
    std::uint32_t left = hlen - kTcpMinHeaderLen;
    std::uint32_t pos = kTcpMinHeaderLen;
    bool printed_one = false;
    const std::uint8_t* const base = captured.data();
    auto is_captured = [&](std::uint32_t from, std::uint32_t n) { return from + n <= captured.size(); };
    auto truncated_in_option = [&] {
      stop_truncated();
      if (printed_one) w.put('>');
    };
    auto bad_option = [&] {
      w.text("[bad opt]");
      if (printed_one) w.put(']');
    };
    w.text(", options [");
    // The usual layout (nop, nop, time stamps: Linux's segments after the
    // handshake), all captured: the text the walk below would write.
    if (hlen == kTcpMinHeaderLen + 12 && captured.size() >= hlen &&
        load_be32(base + kTcpMinHeaderLen) == 0x0101080au) {
      w.text("nop,nop,TS val ");
      w.dec32(load_be32(base + kTcpMinHeaderLen + 4));
      w.text(" ecr ");
      w.dec32(load_be32(base + kTcpMinHeaderLen + 8));
      left = 0;
    }
    while (left > 0) {
      if (printed_one) w.put(',');
      if (!is_captured(pos, 1)) return stop_truncated();
      const std::uint8_t opt = base[pos++];
      std::uint32_t len = 1;
      const bool zero_len = opt == kind::eol || opt == kind::nop;
      if (!zero_len) {
        if (!is_captured(pos, 1)) return stop_truncated();
        len = base[pos++];
        if (len < 2 || len > left) return bad_option();
        --left;
      }
      --left;
      std::uint32_t datalen = 0;
      const std::uint8_t* cp = base + pos;
      // tcpdump's LENCHECK: the option must announce `n` data bytes, and they must be captured.
      enum class Check { ok, bad, truncated };
      auto lencheck = [&](std::uint32_t n) {
        if (n > left) return Check::bad;
        if (!is_captured(pos, n)) return Check::truncated;
        return Check::ok;
      };
      auto fail = [&](Check c) {
        if (c == Check::bad)
          bad_option();
        else
          truncated_in_option();
      };

      if (const std::string_view name = kOptionNames[opt]; name.data() != nullptr) {
        w.text(name);
      } else {
        w.text("unknown-");
        w.dec(opt);
      }

      switch (opt) {
        case kind::mss:
        case kind::scps:
        case kind::user_timeout: {
          datalen = 2;
          if (Check c = lencheck(datalen); c != Check::ok) return fail(c);
          const std::uint16_t v = load_be16(cp);
          if (opt == kind::mss) {
            w.put(' ');
            w.dec(v);
          } else if (opt == kind::scps) {
            w.text(" cap ");
            w.hex(cp[0], 2);
            w.text(" id ");
            w.dec(cp[1]);
          } else {
            w.text(" 0x");
            w.hex(v);
            w.put(' ');
            w.dec((v & 1) ? (v >> 1) * 60u : v >> 1);
          }
          break;
        }
        case kind::wscale:
          datalen = 1;
          if (Check c = lencheck(datalen); c != Check::ok) return fail(c);
          w.put(' ');
          w.dec(cp[0]);
          break;
        case kind::sack:
          datalen = len - 2;
          if (datalen % 8 != 0) {
            w.text(" invalid sack");
          } else {
            w.put(' ');
            w.dec(datalen / 8);
            w.put(' ');
            for (std::uint32_t i = 0; i < datalen; i += 8) {
              if (Check c = lencheck(i + 4); c != Check::ok) return fail(c);
              std::uint32_t s = load_be32(cp + i);
              if (Check c = lencheck(i + 8); c != Check::ok) return fail(c);
              std::uint32_t e = load_be32(cp + i + 4);
              const std::uint32_t b = rev ? base_first : base_second;
              s -= b;
              e -= b;
              w.put('{');
              w.dec(s);
              w.put(':');
              w.dec(e);
              w.put('}');
            }
          }
          break;
        case kind::cc:
        case kind::cc_new:
        case kind::cc_echo:
        case kind::echo:
        case kind::echo_reply:
          datalen = 4;
          if (Check c = lencheck(datalen); c != Check::ok) return fail(c);
          w.put(' ');
          w.dec(load_be32(cp));
          break;
        case kind::timestamps:
          datalen = 8;
          if (Check c = lencheck(datalen); c != Check::ok) return fail(c);
          w.text(" val ");
          w.dec(load_be32(cp));
          w.text(" ecr ");
          w.dec(load_be32(cp + 4));
          break;
        case kind::md5_signature:
          datalen = kMd5SignatureLen;
          if (Check c = lencheck(datalen); c != Check::ok) return fail(c);
          // Debian's tcpdump is built with libcrypto; without -M it cannot check.
          if (hlen + payload_len > captured.size())
            w.text(" snaplen too short, ");
          else
            w.text(" shared secret not supplied with -M, ");
          w.text("can't check - ");
          w.hex_bytes(cp, kMd5SignatureLen);
          break;
        case kind::tcp_ao:
          datalen = len - 2;
          if (datalen < 2) {
            w.text(" (invalid)");
          } else {
            if (Check c = lencheck(1); c != Check::ok) return fail(c);
            w.text(" keyid ");
            w.dec(cp[0]);
            if (Check c = lencheck(2); c != Check::ok) return fail(c);
            w.text(" rnextkeyid ");
            w.dec(cp[1]);
            if (datalen > 2) {
              w.text(" mac 0x");
              for (std::uint32_t i = 2; i < datalen; ++i) {
                if (Check c = lencheck(i + 1); c != Check::ok) return fail(c);
                w.hex(cp[i], 2);
              }
            }
          }
          break;
        case kind::eol:
        case kind::nop:
        case kind::sack_permitted:
          break;
        case kind::mptcp: {
          datalen = len - 2;
          if (Check c = lencheck(datalen); c != Check::ok) return fail(c);
          proto = "mptcp";
          HostNames* names = options.numeric == 0 ? &host_names(options) : nullptr;
          if (!append_mptcp_option(w, ByteView(cp - 2, len), flags, names)) return bad_option();
          break;
        }
        case kind::fast_open:
          datalen = len - 2;
          if (Check c = lencheck(datalen); c != Check::ok) return fail(c);
          w.put(' ');
          append_fast_open(w, cp, datalen);
          break;
        case kind::experiment2: {
          datalen = len - 2;
          if (Check c = lencheck(datalen); c != Check::ok) return fail(c);
          if (datalen < 2) return bad_option();
          const std::uint16_t magic = load_be16(cp);
          w.put('-');
          if (magic == 0xf989) {  // TCP Fast Open, RFC 7413 experimental form
            w.text("tfo");
            append_fast_open(w, cp + 2, datalen - 2);
          } else {
            w.hex(magic, 4);
          }
          break;
        }
        default:
          datalen = len - 2;
          if (datalen != 0) w.text(" 0x");
          for (std::uint32_t i = 0; i < datalen; ++i) {
            if (Check c = lencheck(i + 1); c != Check::ok) return fail(c);
            w.hex(cp[i], 2);
          }
          break;
      }

      pos += datalen;
      left -= datalen;
      const std::uint32_t consumed = datalen + (zero_len ? 1 : 2);
      if (consumed != len) {
        w.text("[len ");
        w.dec(len);
        w.put(']');
      }
      printed_one = true;
      if (opt == kind::eol) break;
    }
    w.put(']');
  }

  w.text(", length ");
  w.dec(payload_len);
  if (payload_len == 0) return;

  const std::uint32_t header_len = h.header_len();
  if (captured.size() < header_len) {
    w.text(" [remaining caplen(");
    w.dec(static_cast<std::uint32_t>(captured.size()));
    w.text(") < header length(");
    w.dec(header_len);
    w.text(")]");
    stop_truncated();
    return;
  }
  if ((flags & tcp_flag::rst) && options.verbose > 0) {
    const ByteView data = captured.subspan(header_len);
    w.text(data.size() >= payload_len ? " [RST" : " [!RST");
    std::uint32_t n = payload_len;
    if (n > kMaxRstDataLen) {
      n = kMaxRstDataLen;
      w.put('+');
    }
    w.put(' ');
    for (std::uint32_t i = 0; i < n && i < data.size(); ++i) append_safe_char(w, data[i]);
    w.put(']');
  }
}

}  // namespace tcpscope::print
