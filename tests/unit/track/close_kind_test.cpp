// close_kind() is a pure function of the final facts: one row per kind, plus the
// precedence between them (a refusal beats a reset, a reset beats the FINs).
#include "track/close_kind.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tcpscope::track {
namespace {

struct Row {
  std::string name;
  CloseFacts facts;
  CloseKind want;
};

class CloseKindTable : public ::testing::TestWithParam<Row> {};

TEST_P(CloseKindTable, Classifies) {
  EXPECT_EQ(close_kind_name(close_kind(GetParam().facts)), close_kind_name(GetParam().want));
}

constexpr CloseFacts kOpened{
    .syn_from_client = true, .syn_ack_from_server = true, .server_sent_anything = true};

CloseFacts with(CloseFacts base, auto&& change) {
  change(base);
  return base;
}

const Row kRows[] = {
    {"client_first",
     with(kOpened, [](auto& f) { f.first_fin = Who::client, f.client_fin = f.server_fin = true; }),
     CloseKind::four_way_client_first},
    {"server_first",
     with(kOpened, [](auto& f) { f.first_fin = Who::server, f.client_fin = f.server_fin = true; }),
     CloseKind::four_way_server_first},
    {"three_segment",
     with(kOpened,
          [](auto& f) {
            f.first_fin = Who::client, f.client_fin = f.server_fin = true, f.second_fin_acked_first = true;
          }),
     CloseKind::three_segment},
    {"simultaneous",
     with(kOpened,
          [](auto& f) {
            f.first_fin = Who::client, f.client_fin = f.server_fin = true, f.fins_crossed = true;
          }),
     CloseKind::simultaneous_close},
    {"half_close",
     with(kOpened,
          [](auto& f) {
            f.first_fin = Who::client, f.client_fin = f.server_fin = true, f.data_after_first_fin = true;
            f.second_fin_acked_first = true;
          }),
     CloseKind::half_close_then_close},
    {"reset_by_client", with(kOpened, [](auto& f) { f.first_rst = Who::client; }),
     CloseKind::reset_by_client},
    {"reset_by_server", with(kOpened, [](auto& f) { f.first_rst = Who::server; }),
     CloseKind::reset_by_server},
    {"reset_by_client_after_fin",
     with(kOpened,
          [](auto& f) {
            f.first_rst = Who::client, f.rst_after_fin = true, f.client_fin = true, f.first_fin = Who::client;
          }),
     CloseKind::reset_by_client_after_fin},
    {"reset_by_server_after_fin",
     with(kOpened,
          [](auto& f) {
            f.first_rst = Who::server, f.rst_after_fin = true, f.server_fin = f.client_fin = true;
          }),
     CloseKind::reset_by_server_after_fin},
    {"refused",
     CloseFacts{.syn_from_client = true,
                .server_sent_anything = true,
                .rst_answered_syn = true,
                .first_rst = Who::server},
     CloseKind::refused},
    {"syn_unanswered", CloseFacts{.syn_from_client = true}, CloseKind::syn_unanswered},
    {"teardown_incomplete", with(kOpened, [](auto& f) { f.first_fin = Who::server, f.server_fin = true; }),
     CloseKind::teardown_incomplete},
    {"still_open", kOpened, CloseKind::still_open},
    {"started_before_capture", CloseFacts{.started_mid_stream = true, .server_sent_anything = true},
     CloseKind::started_before_capture},
    {"mid_stream_then_four_way",
     CloseFacts{.started_mid_stream = true,
                .server_sent_anything = true,
                .client_fin = true,
                .server_fin = true,
                .first_fin = Who::server},
     CloseKind::four_way_server_first},
};

INSTANTIATE_TEST_SUITE_P(Facts, CloseKindTable, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& param_info) {
                           return param_info.param.name;
                         });

TEST(CloseKindNames, UniqueStableIds) {
  std::set<std::string_view> ids;
  for (std::size_t i = 0; i < kCloseKindCount; ++i) {
    ids.insert(close_kind_name(static_cast<CloseKind>(i)));
    EXPECT_NE(close_kind_meaning(static_cast<CloseKind>(i)), "?");
  }
  EXPECT_EQ(ids.size(), kCloseKindCount);
  EXPECT_EQ(close_kind_name(CloseKind::four_way_client_first), "four_way_client_first");
  EXPECT_EQ(close_kind_name(CloseKind::refused), "refused");
}

}  // namespace
}  // namespace tcpscope::track
