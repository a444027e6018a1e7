// The Multipath TCP option (RFC 8684, kind 30) as tcpdump 4.99.3 prints it after
// the option name: " <len> <subtype>[ details]".
#pragma once
#include <cstdint>

#include "core/bytes.hpp"
#include "print/text_writer.hpp"

namespace tcpscope::print {

namespace detail {
class HostNames;
}

// `option` is the whole option from its kind byte on, exactly its length byte long
// and fully captured. Addresses are printed as names through `names` when it is
// given (printing without -n), numerically otherwise. Returns false where tcpdump's MPTCP printer rejects the
// option (the caller then prints "[bad opt]"); text may already have been appended.
bool append_mptcp_option(TextWriter& out, ByteView option, std::uint8_t tcp_flags,
                         detail::HostNames* names = nullptr);

}  // namespace tcpscope::print
