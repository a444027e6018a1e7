// MPTCP option text, reproducing tcpdump 4.99.3 (print-mptcp.c of that release):
// subtypes capable, join, dss, add-addr, rem-addr, prio, fail, fast-close; every
// other subtype (MP_TCPRST included) prints as "unknown". 4.99.3 prints no
// MP_CAPABLE flags and no data_len.
#include "print/mptcp_text.hpp"

#include <algorithm>
#include <string_view>

#include "core/tcp_flags.hpp"
#include "print/host_names.hpp"
#include "print/text_writer.hpp"

namespace tcpscope::print {

namespace {

constexpr std::uint8_t kSyn = tcp_flag::syn;
constexpr std::uint8_t kAck = tcp_flag::ack;

std::uint64_t load_be64(const std::uint8_t* p) {
  return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}

// MP_CAPABLE (subtype 0).
bool capable(TextWriter& out, const std::uint8_t* opt, std::uint32_t len, std::uint8_t flags) {
  if (!((len == 12 || len == 4) && (flags & kSyn)) &&
      !((len == 20 || len == 22) && (flags & (kSyn | kAck)) == kAck))
    return false;
  const unsigned version = opt[2] & 0xf;
  if (version > 1) {
    out.text(" Unknown Version (");
    out.dec(version);
    out.text(")");
    return true;
  }
  out.text(" v");
  out.dec(version);
  if (opt[3] & 0x80) out.text(" csum");
  if (len == 12 || len >= 20) {
    out.text(" {0x");
    out.hex(load_be64(opt + 4));
    if (len >= 20) {
      out.text(",0x");
      out.hex(load_be64(opt + 12));
    }
    out.text("}");
  }
  return true;
}

// MP_JOIN (subtype 1).
bool join(TextWriter& out, const std::uint8_t* opt, std::uint32_t len, std::uint8_t flags) {
  if (!(len == 12 && (flags & kSyn)) && !(len == 16 && (flags & (kSyn | kAck)) == (kSyn | kAck)) &&
      !(len == 24 && (flags & kAck)))
    return false;
  if (len != 24) {
    if (opt[2] & 0x01) out.text(" backup");
    out.text(" id ");
    out.dec(opt[3]);
  }
  if (len == 12) {
    out.text(" token 0x");
    out.hex(load_be32(opt + 4));
    out.text(" nonce 0x");
    out.hex(load_be32(opt + 8));
  } else if (len == 16) {
    out.text(" hmac 0x");
    out.hex(load_be64(opt + 4));
    out.text(" nonce 0x");
    out.hex(load_be32(opt + 12));
  } else {
    out.text(" hmac 0x");
    out.hex_bytes(opt + 4, 20);
  }
  return true;
}

// DSS (subtype 2): data ack, data sequence mapping, optional checksum.
bool dss(TextWriter& out, const std::uint8_t* opt, std::uint32_t len, std::uint8_t flags) {
  if (len < 4) return false;
  if (flags & kSyn) return false;
  const std::uint8_t dss_flags = opt[3];
  if (dss_flags & 0x10) out.text(" fin");
  const std::uint8_t* p = opt + 4;
  std::uint32_t left = len - 4;
  if (dss_flags & 0x01) {  // A: data ack present; a: 8 bytes
    out.text(" ack ");
    if (dss_flags & 0x02) {
      if (left < 8) return false;
      out.dec(load_be64(p));
      p += 8;
      left -= 8;
    } else {
      if (left < 4) return false;
      out.dec(load_be32(p));
      p += 4;
      left -= 4;
    }
  }
  if (dss_flags & 0x04) {  // M: mapping present; m: 8-byte DSN
    out.text(" seq ");
    if (dss_flags & 0x08) {
      if (left < 8) return false;
      out.dec(load_be64(p));
      p += 8;
      left -= 8;
    } else {
      if (left < 4) return false;
      out.dec(load_be32(p));
      p += 4;
      left -= 4;
    }
    if (left < 4) return false;
    out.text(" subseq ");
    out.dec(load_be32(p));
    p += 4;
    left -= 4;
    if (left < 2) return false;
    out.text(" len ");
    out.dec(load_be16(p));
    p += 2;
    left -= 2;
    if (left >= 2) {
      out.text(" csum 0x");
      out.hex(load_be16(p));
      left -= 2;
    }
  }
  return left == 0;
}

// ADD_ADDR (subtype 3): v0 and v1 forms, with or without port and HMAC.
bool add_addr(TextWriter& out, const std::uint8_t* opt, std::uint32_t len, detail::HostNames* names) {
  if (!(len == 8 || len == 10 || len == 16 || len == 18 || len == 20 || len == 22 || len == 28 || len == 30))
    return false;
  std::string_view version;
  switch (opt[2] & 0xf) {
    case 0x6:
      version = "v0-ip6";
      break;
    case 0x4:
      version = "v0-ip4";
      break;
    case 0x1:
      version = "v1-echo";
      break;
    case 0x0:
      version = "v1";
      break;
    default:
      version = "[bad version/echo]";
      break;
  }
  out.text(" ");
  out.text(version);
  out.text(" id ");
  out.dec(opt[3]);
  if (len == 8 || len == 10 || len == 16 || len == 18) {
    out.text(" ");
    if (names != nullptr)
      out.text(names->name(IpAddr::v4(opt + 4)));
    else
      out.ipv4(opt + 4);
    if (len == 10 || len == 18) {
      out.text(":");
      out.dec(load_be16(opt + 8));
    }
    if (len == 16) {
      out.text(" hmac 0x");
      out.hex(load_be64(opt + 8));
    }
    if (len == 18) {
      out.text(" hmac 0x");
      out.hex(load_be64(opt + 10));
    }
  } else {
    out.text(" ");
    if (names != nullptr)
      out.text(names->name(IpAddr::v6(opt + 4)));
    else
      out.ipv6(opt + 4);
    if (len == 22 || len == 30) {
      out.text(":");
      out.dec(load_be16(opt + 20));
    }
    if (len == 28) {
      out.text(" hmac 0x");
      out.hex(load_be64(opt + 20));
    }
    if (len == 30) {
      out.text(" hmac 0x");
      out.hex(load_be64(opt + 22));
    }
  }
  return true;
}

// REMOVE_ADDR (subtype 4): a list of address ids.
bool remove_addr(TextWriter& out, const std::uint8_t* opt, std::uint32_t len) {
  if (len < 4) return false;
  out.text(" id");
  for (std::uint32_t i = 3; i < len; ++i) {
    out.text(" ");
    out.dec(opt[i]);
  }
  return true;
}

// MP_PRIO (subtype 5).
bool prio(TextWriter& out, const std::uint8_t* opt, std::uint32_t len) {
  if (len != 3 && len != 4) return false;
  out.text((opt[2] & 0x01) ? " backup" : " non-backup");
  if (len == 4) {
    out.text(" id ");
    out.dec(opt[3]);
  }
  return true;
}

// MP_FAIL (subtype 6) and MP_FASTCLOSE (subtype 7): one 64-bit field at offset 4.
bool fail(TextWriter& out, const std::uint8_t* opt, std::uint32_t len) {
  if (len != 12) return false;
  out.text(" seq ");
  out.dec(load_be64(opt + 4));
  return true;
}

bool fast_close(TextWriter& out, const std::uint8_t* opt, std::uint32_t len) {
  if (len != 12) return false;
  out.text(" key 0x");
  out.hex(load_be64(opt + 4));
  return true;
}

}  // namespace

bool append_mptcp_option(TextWriter& out, ByteView option, std::uint8_t tcp_flags, detail::HostNames* names) {
  const auto len = static_cast<std::uint32_t>(option.size());
  if (len < 3) return false;
  const std::uint8_t* opt = option.data();
  static constexpr std::string_view kSubtypeNames[] = {
      "capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown"};
  const unsigned subtype = std::min<unsigned>(opt[2] >> 4, 8);
  out.text(" ");
  out.dec(len);
  out.text(" ");
  out.text(kSubtypeNames[subtype]);
  switch (subtype) {
    case 0:
      return capable(out, opt, len, tcp_flags);
    case 1:
      return join(out, opt, len, tcp_flags);
    case 2:
      return dss(out, opt, len, tcp_flags);
    case 3:
      return add_addr(out, opt, len, names);
    case 4:
      return remove_addr(out, opt, len);
    case 5:
      return prio(out, opt, len);
    case 6:
      return fail(out, opt, len);
    case 7:
      return fast_close(out, opt, len);
    default:
      return true;
  }
}

}  // namespace tcpscope::print
