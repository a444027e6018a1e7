// Cache prefetch hints for hot paths: never fault, never change a result.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tcpscope {

// Asks for every cache line of [p, p + n). Integer addresses: no pointer arithmetic
// past an object (the range may end past a mapping or be a bogus guess). Always
// inlined: GCC 12 treats a plain inline wrapper of __builtin_prefetch as free of side
// effects and deletes the calls.
[[gnu::always_inline]] inline void prefetch_bytes(const void* p, std::size_t n) {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  for (std::uintptr_t line = begin & ~std::uintptr_t{63}; line < begin + n; line += 64)
    __builtin_prefetch(reinterpret_cast<const void*>(line));
}

// The same for memory about to be written (a prefetch for ownership).
[[gnu::always_inline]] inline void prefetch_bytes_for_write(const void* p, std::size_t n) {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  for (std::uintptr_t line = begin & ~std::uintptr_t{63}; line < begin + n; line += 64)
    __builtin_prefetch(reinterpret_cast<const void*>(line), 1);
}

}  // namespace tcpscope
