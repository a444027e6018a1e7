// Cache prefetch hints for hot paths: never fault, never change a result.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tcpscope {

// Asks for every cache line of [p, p + n); `kForWrite`: for memory about to be
// written (a prefetch for ownership). Integer addresses: no pointer arithmetic
// past an object (the range may end past a mapping or be a bogus guess). Always
// inlined: GCC 12 treats a plain inline wrapper of __builtin_prefetch as free of side
// effects and deletes the calls.
template <bool kForWrite = false>
[[gnu::always_inline]] inline void prefetch_lines(const void* p, std::size_t n) {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  for (std::uintptr_t line = begin & ~std::uintptr_t{63}; line < begin + n; line += 64)
    __builtin_prefetch(reinterpret_cast<const void*>(line), kForWrite ? 1 : 0);
}

[[gnu::always_inline]] inline void prefetch_bytes(const void* p, std::size_t n) { prefetch_lines(p, n); }
[[gnu::always_inline]] inline void prefetch_bytes_for_write(const void* p, std::size_t n) {
  prefetch_lines<true>(p, n);
}

}  // namespace tcpscope
