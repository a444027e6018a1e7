// One captured frame, as a source hands it out. Non-owning: the bytes are valid
// until the source's next read.
#pragma once
#include <cstdint>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace tcpscope {

struct Frame {
  Timestamp ts;
  std::uint32_t caplen = 0;    // bytes captured (== data.size())
  std::uint32_t wire_len = 0;  // original length on the wire
  int link_type = 0;           // libpcap DLT_* value
  ByteView data;
  std::uint64_t number = 0;    // 1-based position in the source (after filtering)
};

}  // namespace tcpscope
