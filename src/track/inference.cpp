#include "track/inference.hpp"

#include <algorithm>

#include "core/tcp_flags.hpp"

namespace tcpscope::track {
namespace {

constexpr std::array<std::string_view, kInferenceNoteCount> kNoteNames = {
    "started_mid_stream",
    "syn_not_captured",
    "syn_ack_not_captured",
    "retransmitted_syn",
    "retransmitted_syn_ack",
    "retransmitted_fin",
    "syn_ack_not_received",
    "final_ack_not_received",
    "simultaneous_open",
    "simultaneous_close",
    "refused",
    "rst_out_of_window",
    "rst_after_fin",
    "ack_of_uncaptured_fin",
    "ack_of_unseen_data",
    "data_after_fin",
    "data_in_half_close",
    "keep_alive",
    "segment_after_close",
    "syn_in_synchronized_state",
    "unexpected_flags",
    "fin_not_acked",
    "syn_unanswered",
};

constexpr bool every_note_named() {
  for (auto n : kNoteNames)
    if (n.empty()) return false;
  return true;
}
static_assert(every_note_named(), "kNoteNames must name every InferenceNote in declaration order");

// The window scale is not part of SegmentEvent; RST acceptance assumes Linux's usual shift
// so that a RST is judged against a plausible window, not against 64 KiB only.
constexpr unsigned kAssumedWindowShift = 7;

// `ack` acknowledges the octet at `s` (i.e. ack >= s + 1 in sequence space).
constexpr bool covers(SeqNum ack, SeqNum s) { return ack.since(s) >= 1; }

constexpr Who who(Side s) { return s == Side::client ? Who::client : Who::server; }

bool has(std::uint16_t flags, std::uint16_t bit) { return (flags & bit) != 0; }

}  // namespace

std::string_view side_name(Side s) { return s == Side::client ? "client" : "server"; }

std::string_view confidence_name(Confidence c) {
  switch (c) {
    case Confidence::observed:
      return "observed";
    case Confidence::inferred:
      return "inferred";
    case Confidence::assumed:
      return "assumed";
  }
  return "?";
}

std::string_view note_name(InferenceNote n) {
  const auto i = static_cast<std::size_t>(n);
  return i < kNoteNames.size() ? kNoteNames[i] : std::string_view("?");
}

// Per-segment scratch: the result being built and what the sender's side decided
// that the receiver's side needs.
struct ConnectionInference::Context {
  SegmentInference& out;
  bool rst_accepted = true;
  bool syn_retransmitted = false;
  bool fin_retransmitted = false;
  bool fins_crossed = false;
  bool refused = false;
  bool acks_peer_syn = false;
  bool acks_peer_fin = false;
  bool data_in_half_close = false;
};

void ConnectionInference::apply(Side side, Transition t, Confidence confidence, Context& cx) {
  Half& h = half(side);
  if (t.rule != Rule::no_state_change && t.rule != Rule::not_applicable &&
      cx.out.rule_count < SegmentInference::kMaxRules) {
    cx.out.rules[cx.out.rule_count++] = AppliedRule{side, h.state(), t.next, t.rule};
  }
  if (t.next != h.state()) {
    h.set_state(t.next);
    h.confidence = confidence;
  }
  if (t.rule == Rule::listen_rcv_syn || t.rule == Rule::syn_received_rcv_rst_passive)
    h.opened_passively = true;
}

// The state before this segment was not what the previous segment reported: evidence in this
// segment shows an assumed delivery had not happened (or a guessed listener was not listening).
void ConnectionInference::revise(Side side, TcpState to, Context& cx) {
  Half& h = half(side);
  h.set_state(to);
  h.confidence = Confidence::inferred;
  const EndpointView v{h.state(), h.confidence};
  if (side == Side::client) {
    cx.out.client_before = v;
    cx.out.client_revised = true;
  } else {
    cx.out.server_before = v;
    cx.out.server_revised = true;
  }
}

EndpointEvent ConnectionInference::arrival_event(Side receiver, const SegmentEvent& seg,
                                                 bool acceptable) const {
  const Half& r = half(receiver);
  const bool ack = has(seg.flags, tcp_flag::ack);
  return EndpointEvent{
      .kind = EndpointEventKind::segment_arrives,
      .flags = seg.flags,
      .acks_our_syn = ack && r.syn_sent && covers(seg.ack, r.isn),
      .acks_our_fin = ack && r.fin_sent && covers(seg.ack, r.fin_seq),
      .acceptable = acceptable,
      .opened_passively = r.opened_passively,
  };
}

// RFC 9293 §3.5.3: a RST is valid if its sequence number is in the receiver's window
// (in SYN-SENT: if it acknowledges the SYN, which the state machine checks).
bool ConnectionInference::rst_acceptable(Side receiver, const SegmentEvent& seg) const {
  const Half& r = half(receiver);
  const Half& s = half(peer_of(receiver));
  // §3.10.7.3: in SYN-SENT a RST counts only if it acknowledges the SYN.
  if (r.state() == TcpState::SynSent) {
    return has(seg.flags, tcp_flag::ack) && r.syn_sent && covers(seg.ack, r.isn) &&
           !covers(seg.ack, r.next_seq);
  }
  if (in(r.state(), TcpState::Closed | TcpState::Listen)) return true;
  if (!r.ack_sent && !s.seq_known) return true;
  // The receiver's RCV.NXT: everything the sender sent is assumed delivered (a FIN included),
  // else what the receiver last acknowledged.
  const SeqNum lower = s.seq_known ? s.next_seq : r.last_ack;
  SeqNum upper = lower;
  if (s.seq_known && s.next_seq > upper) upper = s.next_seq;
  const std::uint32_t span =
      std::max<std::uint32_t>(static_cast<std::uint32_t>(r.window) << kAssumedWindowShift, 65535u);
  upper += span;
  return seg.seq >= lower && seg.seq <= upper;
}

void ConnectionInference::start(const SegmentEvent& seg, Side sender, Context& cx) {
  facts_.started = true;
  Half& a = half(sender);
  Half& b = half(peer_of(sender));
  const bool syn = has(seg.flags, tcp_flag::syn);
  const bool ack = has(seg.flags, tcp_flag::ack);
  if (syn && !ack) {
    // The opener was CLOSED; its peer is taken to be listening (not observable, §4.7).
    a.set_state(TcpState::Closed);
    a.confidence = Confidence::observed;
    b.set_state(TcpState::Listen);
    b.confidence = Confidence::inferred;
  } else if (syn) {
    // A SYN,ACK first: its sender was listening; the SYN it answers was not captured.
    a.set_state(TcpState::Listen);
    a.confidence = Confidence::inferred;
    b.set_state(TcpState::Closed);
    b.confidence = Confidence::inferred;
  } else {
    // No SYN: the connection was open before the capture started.
    a.set_state(TcpState::Established);
    b.set_state(TcpState::Established);
    a.confidence = b.confidence = Confidence::assumed;
    cx.out.notes.add(InferenceNote::started_mid_stream);
    facts_.started_mid_stream = true;
  }
}

void ConnectionInference::sender_side(const SegmentEvent& seg, Side sender, Context& cx) {
  const Side receiver = peer_of(sender);
  Half& a = half(sender);
  Half& b = half(receiver);
  const bool syn = has(seg.flags, tcp_flag::syn);
  const bool ack = has(seg.flags, tcp_flag::ack);
  const bool fin = has(seg.flags, tcp_flag::fin);
  const bool rst = has(seg.flags, tcp_flag::rst);

  cx.acks_peer_syn = ack && b.syn_sent && covers(seg.ack, b.isn);
  cx.acks_peer_fin = ack && b.fin_sent && covers(seg.ack, b.fin_seq);

  // What this segment's ACK shows the sender has received, beyond the captured segments.
  if (ack && !rst && !syn) {
    if (b.own_end_known && !b.fin_sent && seg.ack == b.own_end + 1 && !(b.next_seq > b.own_end) &&
        in(b.state(), TcpState::Established | TcpState::CloseWait | TcpState::SynReceived)) {
      // §5.3: the peer's FIN was lost before the capture point; apply its transitions now.
      cx.out.notes.add(InferenceNote::ack_of_uncaptured_fin);
      apply(receiver, step(b.state(), EndpointEvent{.kind = EndpointEventKind::close}), Confidence::inferred,
            cx);
      b.fin_sent = true;
      b.fin_seq = b.next_seq;
      b.next_seq = b.next_seq + 1;
      if (facts_.first_fin == Who::none) facts_.first_fin = who(receiver);
      if (receiver == Side::client)  // (bit-fields: no conditional lvalue for clang)
        facts_.client_fin = true;
      else
        facts_.server_fin = true;
      const EndpointEvent fin_arrives{
          .kind = EndpointEventKind::segment_arrives,
          .flags = static_cast<std::uint16_t>(tcp_flag::fin | tcp_flag::ack),
          .acks_our_syn = a.syn_sent,
          .acks_our_fin = a.fin_sent && b.ack_sent && covers(b.last_ack, a.fin_seq),
          .opened_passively = a.opened_passively,
      };
      apply(sender, step(a.state(), fin_arrives), Confidence::inferred, cx);
      cx.acks_peer_fin = true;
    } else if (b.sent_anything && b.seq_known && seg.ack > b.next_seq) {
      cx.out.notes.add(InferenceNote::ack_of_unseen_data);
    }
    // The opener (sender) acts as if the SYN,ACK answering its SYN had arrived.
    const auto opener_got_syn_ack = [&] {
      const SegmentEvent syn_ack{.flags = static_cast<std::uint16_t>(tcp_flag::syn | tcp_flag::ack),
                                 .ack = a.isn + 1};
      apply(sender, step(a.state(), arrival_event(sender, syn_ack, true)), Confidence::inferred, cx);
    };
    if (a.state() == TcpState::SynSent && b.state() == TcpState::Listen) {
      // The opener acknowledges a SYN,ACK the capture did not see.
      cx.out.notes.add(InferenceNote::syn_ack_not_captured);
      apply(receiver, step(TcpState::Listen, EndpointEvent{.flags = tcp_flag::syn}), Confidence::inferred,
            cx);
      b.pending_peer_syn = false;
      b.syn_sent = b.syn_ack_sent = true;
      b.isn = seg.ack - 1;
      b.seq_known = true;
      b.next_seq = seg.ack;
      facts_.syn_ack_from_server = facts_.syn_ack_from_server || receiver == Side::server;
      opener_got_syn_ack();
      cx.acks_peer_syn = true;
    } else if (a.state() == TcpState::SynSent && (!b.syn_sent || cx.acks_peer_syn) &&
               !in(b.state(), TcpState::Closed | TcpState::Listen)) {
      // The opener acknowledges the peer's SYN: it got the SYN,ACK (captured out of order, or
      // after a repeated SYN).
      opener_got_syn_ack();
    }
  }

  if (rst) {
    cx.rst_accepted = rst_acceptable(receiver, seg);
    if (!cx.rst_accepted) {
      // Not acceptable to the receiver (§3.5.3): it changes nothing, and may not even come from
      // the endpoint it names (injected).
      cx.out.notes.add(InferenceNote::rst_out_of_window);
    } else if (in(a.state(), TcpState::Closed | TcpState::Listen)) {
      // A RST from an endpoint without a connection (§3.10.7.1): it never had a socket for it.
      if (a.state() == TcpState::Listen) revise(sender, TcpState::Closed, cx);
      apply(sender, Transition{TcpState::Closed, Rule::closed_rcv_segment}, Confidence::observed, cx);
      a.confidence = Confidence::observed;
    } else {
      // §3.10.5 ABORT (or an abort on close): the sender deletes its connection.
      apply(sender, step(a.state(), EndpointEvent{.kind = EndpointEventKind::abort}), Confidence::observed,
            cx);
    }
    if (a.fin_sent || b.fin_sent) cx.out.notes.add(InferenceNote::rst_after_fin);
    return;
  }

  if (syn && !ack) {
    if (a.syn_sent && seg.seq == a.isn) {
      // §5.3: same ISN again: no new transition.
      cx.syn_retransmitted = true;
      cx.out.notes.add(InferenceNote::retransmitted_syn);
      if (a.state() == TcpState::Established && !a.fin_sent && a.next_seq == a.isn + 1) {
        // It would not repeat its SYN had the SYN,ACK arrived.
        cx.out.notes.add(InferenceNote::syn_ack_not_received);
        revise(sender, TcpState::SynSent, cx);
      }
    } else if (in(a.state(), TcpState::Closed | TcpState::Listen)) {
      const bool crossing = a.state() == TcpState::Listen && a.pending_peer_syn;
      // An assumed listener that sends its own SYN was not listening: it was opening too.
      if (a.state() == TcpState::Listen) revise(sender, TcpState::Closed, cx);
      apply(sender, step(TcpState::Closed, EndpointEvent{.kind = EndpointEventKind::active_open}),
            Confidence::observed, cx);
      if (crossing) {
        // The peer's SYN, captured earlier, reaches it now: simultaneous open.
        cx.out.notes.add(InferenceNote::simultaneous_open);
        apply(sender, step(a.state(), EndpointEvent{.flags = tcp_flag::syn}), Confidence::inferred, cx);
        a.pending_peer_syn = false;
      }
    } else if (in(a.state(), TcpState::SynSent | TcpState::SynReceived)) {
      cx.out.notes.add(InferenceNote::retransmitted_syn);
      cx.syn_retransmitted = true;
    } else {
      cx.out.notes.add(InferenceNote::syn_in_synchronized_state);
    }
  } else if (syn) {  // SYN,ACK
    if (a.syn_sent && seg.seq == a.isn) {
      if (a.syn_ack_sent) cx.out.notes.add(InferenceNote::retransmitted_syn_ack);
      if (a.state() == TcpState::Established && a.opened_passively && !a.fin_sent &&
          a.next_seq == a.isn + 1) {
        // It would not repeat its SYN,ACK had the final ACK arrived.
        cx.out.notes.add(InferenceNote::final_ack_not_received);
        revise(sender, TcpState::SynReceived, cx);
      }
    } else if (in(a.state(), TcpState::Listen | TcpState::Closed)) {
      if (!a.pending_peer_syn) {
        cx.out.notes.add(InferenceNote::syn_not_captured);
        if (!b.syn_sent && b.state() == TcpState::Closed) {
          apply(receiver, step(TcpState::Closed, EndpointEvent{.kind = EndpointEventKind::active_open}),
                Confidence::inferred, cx);
          b.syn_sent = true;
          b.isn = seg.ack - 1;
          b.seq_known = true;
          b.next_seq = seg.ack;
          if (receiver == Side::client) facts_.syn_from_client = true;
        }
      }
      if (a.state() == TcpState::Closed) revise(sender, TcpState::Listen, cx);
      // §3.10.7.2 third: the listener got the SYN and answers with this SYN,ACK.
      apply(sender, step(TcpState::Listen, EndpointEvent{.flags = tcp_flag::syn}), Confidence::observed, cx);
      a.pending_peer_syn = false;
    } else if (a.state() == TcpState::SynSent) {
      // A simultaneous open whose crossing SYN was not captured.
      cx.out.notes.add(InferenceNote::syn_not_captured);
      apply(sender, step(a.state(), EndpointEvent{.flags = tcp_flag::syn}), Confidence::inferred, cx);
    } else if (a.state() != TcpState::SynReceived) {
      cx.out.notes.add(InferenceNote::syn_in_synchronized_state);
    }
  }

  // The sender's own segment shows the state the peer's SYN or FIN put it in.
  if (ack && a.confidence == Confidence::inferred && !in(a.state(), TcpState::Listen | TcpState::Closed) &&
      (b.fin_sent ? cx.acks_peer_fin : (!b.syn_sent || cx.acks_peer_syn))) {
    a.confidence = Confidence::observed;
  }

  if (fin) {
    const SeqNum fin_seq = seg.seq + seg.payload_len + (syn ? 1u : 0u);
    if (a.fin_sent && fin_seq == a.fin_seq) {
      cx.fin_retransmitted = true;
      cx.out.notes.add(InferenceNote::retransmitted_fin);
    } else if (a.fin_sent || in(a.state(), TcpState::Closed | TcpState::Listen | TcpState::SynSent)) {
      // A second FIN at another sequence number, or a FIN from an endpoint that has no
      // synchronized connection: not an RFC event.
      cx.out.notes.add(InferenceNote::unexpected_flags);
    } else if (a.state() == TcpState::CloseWait && b.fin_sent && !cx.acks_peer_fin) {
      // §5.3 crossing FINs: this FIN does not acknowledge the peer's, so it left before the
      // peer's FIN arrived. The sender was ESTABLISHED, closed, then got the peer's FIN.
      cx.fins_crossed = true;
      cx.out.notes.add(InferenceNote::simultaneous_close);
      revise(sender, TcpState::Established, cx);
      apply(sender, step(TcpState::Established, EndpointEvent{.kind = EndpointEventKind::close}),
            Confidence::observed, cx);
      const EndpointEvent peer_fin_arrives{
          .kind = EndpointEventKind::segment_arrives,
          .flags = static_cast<std::uint16_t>(tcp_flag::fin | tcp_flag::ack),
          .acks_our_syn = a.syn_sent,
          .acks_our_fin = false,
          .opened_passively = a.opened_passively,
      };
      apply(sender, step(a.state(), peer_fin_arrives), Confidence::inferred, cx);
    } else {
      const Transition t = step(a.state(), EndpointEvent{.kind = EndpointEventKind::close});
      if (t.rule == Rule::not_applicable) {
        cx.out.notes.add(InferenceNote::unexpected_flags);
      } else {
        apply(sender, t, Confidence::observed, cx);
      }
    }
  }

  if (seg.payload_len > 0) {
    if (a.fin_sent && (seg.seq + seg.payload_len) > a.fin_seq)
      cx.out.notes.add(InferenceNote::data_after_fin);
    if (b.fin_sent && cx.acks_peer_fin && !a.fin_sent &&
        (!a.seq_known || (seg.seq + seg.payload_len) > a.next_seq)) {
      cx.data_in_half_close = true;
      cx.out.notes.add(InferenceNote::data_in_half_close);
    }
  }
  if (ack && !syn && !fin && seg.payload_len <= 1 && a.seq_known && !a.fin_sent &&
      seg.seq + 1 == a.next_seq) {
    cx.out.notes.add(InferenceNote::keep_alive);
  }
  if (!syn && a.state() == TcpState::Closed && a.sent_anything)
    cx.out.notes.add(InferenceNote::segment_after_close);
}

void ConnectionInference::receiver_side(const SegmentEvent& seg, Side sender, Context& cx) {
  const Side receiver = peer_of(sender);
  Half& b = half(receiver);
  const bool syn = has(seg.flags, tcp_flag::syn);
  const bool ack = has(seg.flags, tcp_flag::ack);
  const bool rst = has(seg.flags, tcp_flag::rst);

  if (rst) {
    if (!cx.rst_accepted) return;
    const Transition t = step(b.state(), arrival_event(receiver, seg, true));
    if (b.state() == TcpState::SynSent && t.next == TcpState::Closed && !half(sender).syn_sent) {
      cx.refused = true;
      cx.out.notes.add(InferenceNote::refused);
    }
    apply(receiver, t, Confidence::inferred, cx);
    return;
  }
  if (syn && !ack && b.state() == TcpState::Listen) {
    // §5.2: a SYN reaching an assumed listener moves it only once it answers.
    b.pending_peer_syn = true;
    return;
  }
  const Transition t = step(b.state(), arrival_event(receiver, seg, !cx.syn_retransmitted));
  apply(receiver, t, Confidence::inferred, cx);
}

void ConnectionInference::record_facts(const SegmentEvent& seg, Side sender, Context& cx) {
  const Side receiver = peer_of(sender);
  Half& a = half(sender);
  Half& b = half(receiver);
  const bool syn = has(seg.flags, tcp_flag::syn);
  const bool ack = has(seg.flags, tcp_flag::ack);
  const bool fin = has(seg.flags, tcp_flag::fin);
  const bool rst = has(seg.flags, tcp_flag::rst);

  if (syn && !ack && sender == Side::client) facts_.syn_from_client = true;
  if (syn && sender == Side::server) facts_.syn_ack_from_server = true;
  if (sender == Side::server) facts_.server_sent_anything = true;
  if (rst) {
    if (cx.rst_accepted && facts_.first_rst == Who::none) {
      facts_.first_rst = who(sender);
      facts_.rst_after_fin = facts_.client_fin || facts_.server_fin;
      facts_.rst_answered_syn = cx.refused;
    }
  } else if (fin && !cx.fin_retransmitted && !a.fin_sent) {
    if (facts_.first_fin == Who::none) {
      facts_.first_fin = who(sender);
    } else if (b.fin_sent) {
      facts_.fins_crossed = cx.fins_crossed;
      facts_.second_fin_acked_first =
          !cx.fins_crossed && cx.acks_peer_fin && !a.acked_peer_fin_before_own_fin;
    }
    if (sender == Side::client)  // (bit-fields: no conditional lvalue for clang)
      facts_.client_fin = true;
    else
      facts_.server_fin = true;
  }
  if (cx.data_in_half_close && !fin) facts_.data_after_first_fin = true;

  // Sequence bookkeeping (after the transitions, which judged against the previous values).
  a.sent_anything = true;
  a.window = seg.window;
  if (rst) return;
  if (syn && (!a.syn_sent || in(a.state(), TcpState::SynSent | TcpState::SynReceived)) &&
      !cx.syn_retransmitted) {
    a.syn_sent = true;
    a.isn = seg.seq;
    a.syn_ack_sent = ack;
  } else if (syn && ack) {
    a.syn_ack_sent = true;
  }
  const SeqNum end = seg.seq + seg.payload_len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
  if (!a.own_end_known || end > a.own_end) a.own_end = end;
  a.own_end_known = true;
  if (!a.seq_known || end > a.next_seq) a.next_seq = end;
  a.seq_known = true;
  if (fin && !a.fin_sent) {
    a.fin_sent = true;
    a.fin_seq = seg.seq + seg.payload_len + (syn ? 1u : 0u);
  }
  if (ack) {
    if (!a.ack_sent || seg.ack > a.last_ack) a.last_ack = seg.ack;
    a.ack_sent = true;
    if (cx.acks_peer_fin) {
      set_fin_acked(receiver);
      if (!fin && !a.fin_sent) a.acked_peer_fin_before_own_fin = true;
    }
    if (!b.seq_known || seg.ack > b.next_seq) {
      b.next_seq = seg.ack;
      b.seq_known = true;
    }
  }
}

SegmentInference ConnectionInference::on_segment(const SegmentEvent& seg) {
  SegmentInference out;
  Context cx{out};
  const Side sender = sender_of(seg.dir);
  if (!facts_.started) start(seg, sender, cx);
  out.client_before = view(Side::client);
  out.server_before = view(Side::server);
  sender_side(seg, sender, cx);
  receiver_side(seg, sender, cx);
  record_facts(seg, sender, cx);
  out.client = view(Side::client);
  out.server = view(Side::server);
  notes_and_fin_acked_ |= out.notes.bits();
  return out;
}

InferenceEnd ConnectionInference::finish() const {
  InferenceEnd end;
  end.client = view(Side::client);
  end.server = view(Side::server);
  end.client_timer_pending = timer_may_move(end.client.state);
  end.server_timer_pending = timer_may_move(end.server.state);
  end.notes = NoteSet::from_bits(notes_and_fin_acked_ & kNoteBits);
  if ((client_.fin_sent && !fin_acked(Side::client)) || (server_.fin_sent && !fin_acked(Side::server))) {
    // A FIN at the very end whose connection was then reset needs no acknowledgment.
    if (facts_.first_rst == Who::none) end.notes.add(InferenceNote::fin_not_acked);
  }
  end.facts = CloseFacts{.syn_from_client = facts_.syn_from_client,
                         .syn_ack_from_server = facts_.syn_ack_from_server,
                         .started_mid_stream = facts_.started_mid_stream,
                         .server_sent_anything = facts_.server_sent_anything,
                         .client_fin = facts_.client_fin,
                         .server_fin = facts_.server_fin,
                         .fins_crossed = facts_.fins_crossed,
                         .second_fin_acked_first = facts_.second_fin_acked_first,
                         .data_after_first_fin = facts_.data_after_first_fin,
                         .rst_after_fin = facts_.rst_after_fin,
                         .rst_answered_syn = facts_.rst_answered_syn,
                         .first_fin = facts_.first_fin,
                         .first_rst = facts_.first_rst};
  end.facts.final_client = client_.state();
  end.facts.final_server = server_.state();
  end.kind = close_kind(end.facts);
  if (end.kind == CloseKind::syn_unanswered) end.notes.add(InferenceNote::syn_unanswered);
  return end;
}

}  // namespace tcpscope::track
