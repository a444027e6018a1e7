// A connection's 4-tuple in 14 bytes instead of 40: an IPv4 tuple keeps its two
// addresses inline; any other tuple (IPv6, or anything not a plain IPv4 address)
// is kept whole in a heap block the tuple owns, so IPv4 connections do not pay
// for 16-byte addresses. get() gives back exactly the FourTuple stored.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/addr.hpp"

namespace tcpscope::track {

class CompactTuple {
 public:
  CompactTuple() = default;
  explicit CompactTuple(const FourTuple& t) { assign(t); }
  CompactTuple(const CompactTuple& o) { copy_from(o); }
  CompactTuple& operator=(const CompactTuple& o) {
    if (this != &o) {
      release();
      copy_from(o);
    }
    return *this;
  }
  CompactTuple(CompactTuple&& o) noexcept : CompactTuple() { swap(o); }
  CompactTuple& operator=(CompactTuple&& o) noexcept {
    CompactTuple moved(static_cast<CompactTuple&&>(o));
    swap(moved);
    return *this;
  }
  ~CompactTuple() { release(); }

  CompactTuple& operator=(const FourTuple& t) {
    release();
    assign(t);
    return *this;
  }

  FourTuple get() const {
    if (kind_ == Kind::wide) return *wide();
    FourTuple t;
    if (kind_ == Kind::v4) {
      t.a.addr = IpAddr::v4(store_.data());
      t.b.addr = IpAddr::v4(store_.data() + 4);
    }
    t.a.port = port_a_;
    t.b.port = port_b_;
    return t;
  }
  Endpoint endpoint(int side) const {
    const FourTuple t = get();
    return side == 0 ? t.a : t.b;
  }
  bool is_wide() const { return kind_ == Kind::wide; }
  // Whether it holds exactly t (the tracker's lookup: no FourTuple built for IPv4).
  bool equals(const FourTuple& t) const {
    if (kind_ == Kind::wide) return *wide() == t;
    if (kind_ != Kind::v4 || t.a.port != port_a_ || t.b.port != port_b_) return false;
    return plain_v4(t.a.addr) && plain_v4(t.b.addr) &&
           std::memcmp(store_.data(), t.a.addr.bytes.data(), 4) == 0 &&
           std::memcmp(store_.data() + 4, t.b.addr.bytes.data(), 4) == 0;
  }

 private:
  enum class Kind : std::uint8_t { unset, v4, wide };

  static bool plain_v4(const IpAddr& a) {  // family 4 and nothing after the 4 address bytes
    if (a.family != 4) return false;
    std::uint64_t w1, w2;
    std::memcpy(&w1, a.bytes.data() + 4, 8);
    std::memcpy(&w2, a.bytes.data() + 8, 8);
    return (w1 | w2) == 0;
  }
  void assign(const FourTuple& t) {
    port_a_ = t.a.port;
    port_b_ = t.b.port;
    if (plain_v4(t.a.addr) && plain_v4(t.b.addr)) {
      std::memcpy(store_.data(), t.a.addr.bytes.data(), 4);
      std::memcpy(store_.data() + 4, t.b.addr.bytes.data(), 4);
      kind_ = Kind::v4;
    } else {
      set_wide(new FourTuple(t));
      kind_ = Kind::wide;
    }
  }
  void copy_from(const CompactTuple& o) {
    if (o.kind_ == Kind::wide) {
      assign(*o.wide());
    } else {
      store_ = o.store_;
      port_a_ = o.port_a_;
      port_b_ = o.port_b_;
      kind_ = o.kind_;
    }
  }
  void release() {
    if (kind_ == Kind::wide) delete wide();
    kind_ = Kind::unset;
    store_ = {};
  }
  void swap(CompactTuple& o) noexcept {
    std::swap(store_, o.store_);
    std::swap(port_a_, o.port_a_);
    std::swap(port_b_, o.port_b_);
    std::swap(kind_, o.kind_);
  }

  // The owned FourTuple of a wide tuple (its pointer's bytes are store_'s).
  FourTuple* wide() const {
    FourTuple* p;
    std::memcpy(&p, store_.data(), sizeof p);
    return p;
  }
  void set_wide(FourTuple* p) { std::memcpy(store_.data(), &p, sizeof p); }
  static_assert(sizeof(FourTuple*) <= 8);

  // Kind v4: a's and b's address bytes, as in IpAddr; kind wide: the owned FourTuple's
  // pointer. Bytes, not a union with a pointer: the tuple is 2-byte aligned, so a
  // Connection packs it right after its 2-byte-aligned members (14 bytes, 13 of data).
  std::array<std::uint8_t, 8> store_{};
  std::uint16_t port_a_ = 0;
  std::uint16_t port_b_ = 0;
  Kind kind_ = Kind::unset;
};

}  // namespace tcpscope::track
