// explain's malloc settings for file input: the main heap is grown ahead in one step, marked
// for transparent huge pages, and kept (not trimmed back) once the block that grew it is freed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "cli/explain_session.hpp"

namespace tcpscope::cli {
namespace {

// Whether a VMA of the [heap] in /proc/self/smaps has the "hg" (MADV_HUGEPAGE) flag.
bool heap_has_huge_page_advice() {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_heap = false;
  while (std::getline(smaps, line)) {
    if (line.substr(0, line.find(' ')).find('-') != std::string::npos) {  // "start-end perms ... [heap]"
      in_heap = line.find("[heap]") != std::string::npos;
      continue;
    }
    if (in_heap && line.rfind("VmFlags:", 0) == 0 && line.find(" hg") != std::string::npos) return true;
  }
  return false;
}

TEST(KeepFreedMemory, GrowsTheHeapAheadWithHugePageAdviceAndKeepsIt) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces glibc's malloc: keep_freed_memory() does nothing there";
#endif
  const auto before = reinterpret_cast<std::uintptr_t>(sbrk(0));
  keep_freed_memory();
  const auto after = reinterpret_cast<std::uintptr_t>(sbrk(0));
  EXPECT_GE(after - before, std::uintptr_t{500} << 20);  // grown, and not trimmed back by the free
  if (std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good()) {
    EXPECT_TRUE(heap_has_huge_page_advice());
  }
  // The heap still serves allocations, large ones too.
  void* small = std::malloc(100);
  void* large = std::malloc(std::size_t{40} << 20);
  EXPECT_NE(small, nullptr);
  EXPECT_NE(large, nullptr);
  std::free(large);
  std::free(small);
}

}  // namespace
}  // namespace tcpscope::cli
