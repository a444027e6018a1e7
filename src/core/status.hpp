// Errors for setup paths (files, options, devices). Per-packet problems are
// DecodeStatus values, never errors or exceptions.
#pragma once
#include <cstdint>
#include <string>

namespace tcpscope {

enum class ErrorCode { ok, usage, io, damaged_file, unsupported, permission, not_found };

struct Error {
  ErrorCode code = ErrorCode::ok;
  std::string message;
  std::uint64_t packet = 0;       // for damaged files: the packet number where reading broke
  std::uint64_t byte_offset = 0;  // and the byte offset in the file
  explicit operator bool() const { return code != ErrorCode::ok; }
};

}  // namespace tcpscope
