#include <pcap/pcap.h>

#include <string>

#include "capture/source.hpp"

namespace tcpscope::capture {

std::string link_type_text(int link_type) {
  const char* name = pcap_datalink_val_to_name(link_type);
  if (name == nullptr) return std::to_string(link_type);
  std::string text = name;
  text += " (";
  text += pcap_datalink_val_to_description_or_dlt(link_type);
  text += ')';
  return text;
}

}  // namespace tcpscope::capture
