#include "render/diagrams.hpp"
#include "render/explain_json.hpp"
#include "render/ladder_layout.hpp"

namespace tcpscope::render {
namespace {

constexpr std::string_view kHead = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tcpscope report</title>
<style>
body{font-family:sans-serif;margin:0;display:flex;height:100vh}
#side{width:360px;border-right:1px solid #ccc;display:flex;flex-direction:column}
#side .controls{padding:8px;border-bottom:1px solid #ddd}
#side input,#side select{width:100%;margin:2px 0;box-sizing:border-box}
#list{overflow:auto;flex:1;margin:0;padding:0;list-style:none}
#list li{padding:4px 8px;border-bottom:1px solid #eee;cursor:pointer;font-size:12px;font-family:monospace}
#list li.sel{background:#dbe9fb}
#list li .bad{color:#c62828}
#main{flex:1;overflow:auto;padding:10px}
#segs{border-collapse:collapse;font-family:monospace;font-size:12px}
#segs td,#segs th{border:1px solid #ddd;padding:2px 6px;text-align:left}
#segs tr.anomaly td{color:#c62828}
#segs tr{cursor:pointer}
#detail{white-space:pre-wrap;font-family:monospace;font-size:12px;background:#f6f6f6;padding:8px}
</style></head><body>
<div id="side"><div class="controls">
<input id="q" placeholder="filter: address, port, close kind">
<select id="kind"><option value="">any close kind</option></select>
<label><input type="checkbox" id="anom" style="width:auto"> with anomalies only</label>
<div id="count"></div></div><ul id="list"></ul></div>
<div id="main"><h3 id="title">select a connection</h3><div id="ladder"></div>
<table id="segs"></table><div id="detail"></div></div>
<script type="application/json" id="data">[)HTML";

constexpr std::string_view kTail = R"HTML(]</script>
<script>
"use strict";
const conns = JSON.parse(document.getElementById("data").textContent);
const list = document.getElementById("list");
const PAGE = 200;
let shown = [], limit = PAGE;
const kinds = [...new Set(conns.map(c => c.kind))].sort();
for (const k of kinds) {
  const o = document.createElement("option");
  o.value = k; o.textContent = k;
  document.getElementById("kind").appendChild(o);
}
function matches(c) {
  const q = document.getElementById("q").value.trim().toLowerCase();
  const k = document.getElementById("kind").value;
  if (k && c.kind !== k) return false;
  if (document.getElementById("anom").checked && c.anomalies === 0) return false;
  return !q || (c.client + " " + c.server + " " + c.kind).toLowerCase().includes(q);
}
function renderList() {
  shown = conns.filter(matches);
  list.textContent = "";
  for (const c of shown.slice(0, limit)) {
    const li = document.createElement("li");
    li.dataset.id = c.id;
    li.textContent = "#" + c.id + " " + c.client + " \u2192 " + c.server + "  " + c.kind + "  " + c.n + " seg";
    if (c.anomalies) {
      const s = document.createElement("span");
      s.className = "bad"; s.textContent = "  \u26a0" + c.anomalies;
      li.appendChild(s);
    }
    li.onclick = () => select(c, li);
    list.appendChild(li);
  }
  if (shown.length > limit) {
    const li = document.createElement("li");
    li.id = "more"; li.textContent = "show more: " + (shown.length - limit);
    li.onclick = () => { limit += PAGE; renderList(); };
    list.appendChild(li);
  }
  document.getElementById("count").textContent = shown.length + " of " + conns.length + " connections";
}
function select(c, li) {
  for (const e of list.querySelectorAll("li.sel")) e.classList.remove("sel");
  if (li) li.classList.add("sel");
  document.getElementById("title").textContent =
      "Connection " + c.id + ": " + c.client + " \u2192 " + c.server + " \u2014 " + c.kind;
  document.getElementById("ladder").innerHTML = c.svg;
  const t = document.getElementById("segs");
  t.textContent = "";
  const h = t.insertRow();
  for (const x of ["#", "frame", "dir", "flags", "seq", "ack", "len", "phase", "client", "server"]) {
    const th = document.createElement("th"); th.textContent = x; h.appendChild(th);
  }
  for (const s of c.segments) {
    const r = t.insertRow();
    if (s.anomaly) r.className = "anomaly";
    for (const x of [s.n, s.frame, s.dir, s.flags, s.seq, s.ack, s.len, s.phase, s.client, s.server])
      r.insertCell().textContent = x;
    r.onclick = () => {
      document.getElementById("detail").textContent = s.tcpdump + "\n\n" + JSON.stringify(s, null, 1);
    };
  }
  document.getElementById("detail").textContent = "";
}
for (const id of ["q", "kind", "anom"])
  document.getElementById(id).addEventListener("input", () => { limit = PAGE; renderList(); });
renderList();
// "#conn=N" in the address selects connection N (links, and the browser test).
const wanted = /^#conn=(\d+)$/.exec(location.hash);
const initial = wanted ? conns.find(c => c.id === Number(wanted[1])) : (conns.length === 1 ? conns[0] : null);
if (initial) select(initial, list.querySelector('li[data-id="' + initial.id + '"]'));
</script></body></html>
)HTML";

std::string endpoint_text(const Endpoint& e) {
  return e.addr.is_v6() ? fmt::format("[{}]:{}", e.addr.to_string(), e.port)
                        : fmt::format("{}:{}", e.addr.to_string(), e.port);
}

}  // namespace

void HtmlReport::add(const track::ConnectionTimeline& tl) {
  const LadderLayout layout = layout_ladder(tl, relative_);
  std::size_t anomalies = 0;
  for (const LadderRow& r : layout.rows) anomalies += r.anomaly ? 1 : 0;
  if (count_) data_.push_back(',');
  ++count_;
  auto o = fmt::appender(data_);
  fmt::format_to(o, "\n{{\"id\":{},\"client\":", tl.id);
  json_string(data_, endpoint_text(tl.client));
  data_.append(std::string_view(",\"server\":"));
  json_string(data_, endpoint_text(tl.server));
  fmt::format_to(o,
                 ",\"kind\":\"{}\",\"n\":{},\"anomalies\":{},\"svg\":", track::close_kind_name(tl.end.kind),
                 tl.segments.size(), anomalies);
  fmt::memory_buffer picture;
  svg(picture, tl, relative_, false);
  json_string(data_, std::string_view(picture.data(), picture.size()));
  data_.append(std::string_view(",\"segments\":["));
  for (std::size_t i = 0; i < layout.rows.size(); ++i) {
    const LadderRow& r = layout.rows[i];
    const track::TimelineSegment& s = tl.segments[r.segment];
    if (i) data_.push_back(',');
    fmt::format_to(o,
                   "{{\"n\":{},\"frame\":{},\"dir\":\"{}\",\"flags\":\"{}\",\"seq\":{},\"ack\":{},\"len\":{},"
                   "\"phase\":\"{}\",\"client\":\"{}\",\"server\":\"{}\",\"anomaly\":{},\"tcpdump\":",
                   r.number, r.frame, r.from_client ? "C→S" : "S→C", flags_token(s.flags),
                   relative_ ? s.rel_seq : static_cast<std::int64_t>(s.seq.raw()),
                   relative_ ? s.rel_ack : static_cast<std::int64_t>(s.ack.raw()), s.payload_len,
                   track::phase_name(s.phase.phase), to_string(s.inference.client.state),
                   to_string(s.inference.server.state), r.anomaly);
    json_string(data_, tl.tcpdump_text(s));
    data_.push_back('}');
  }
  data_.append(std::string_view("]}"));
}

void HtmlReport::write(fmt::memory_buffer& out) const {
  out.append(kHead);
  // "</" inside the JSON would end the <script> element: escape the slash (still the same JSON).
  const std::string_view data(data_.data(), data_.size());
  std::size_t start = 0;
  for (std::size_t pos; (pos = data.find("</", start)) != std::string_view::npos; start = pos + 2) {
    out.append(data.substr(start, pos - start));
    out.append(std::string_view("<\\/"));
  }
  out.append(data.substr(start));
  out.append(kTail);
}

}  // namespace tcpscope::render
