// Decimal digits two at a time, for the text writers of print/ and render/.
#pragma once

#include <cstdint>
#include <cstring>

namespace tcpscope {

// "00".."99": the digits of v at kDigitPairs + 2 * v.
inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the two digits of v (0..99) at p.
inline void two_digits(char* p, std::uint32_t v) { std::memcpy(p, kDigitPairs + 2 * v, 2); }

// Writes the six digits of v (0..999999, leading zeros kept) at p: a microsecond fraction.
inline void six_digits(char* p, std::uint32_t v) {
  two_digits(p, v / 10'000);
  two_digits(p + 2, v / 100 % 100);
  two_digits(p + 4, v % 100);
}

}  // namespace tcpscope
