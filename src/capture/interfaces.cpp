#include "capture/interfaces.hpp"

#include <pcap/pcap.h>

namespace tcpscope::capture {
namespace {

void append_flag(std::string& text, const char* flag) {
  if (!text.empty()) text += ", ";
  text += flag;
}

std::string flags_text(bpf_u_int32 flags) {
  std::string text;
  const bool wireless = (flags & PCAP_IF_WIRELESS) != 0;
  if (flags & PCAP_IF_UP) append_flag(text, "Up");
  if (flags & PCAP_IF_RUNNING) append_flag(text, "Running");
  if (flags & PCAP_IF_LOOPBACK) append_flag(text, "Loopback");
  if (wireless) append_flag(text, "Wireless");
  switch (flags & PCAP_IF_CONNECTION_STATUS) {
    case PCAP_IF_CONNECTION_STATUS_UNKNOWN:
      append_flag(text, wireless ? "Association status unknown" : "Connection status unknown");
      break;
    case PCAP_IF_CONNECTION_STATUS_CONNECTED:
      append_flag(text, wireless ? "Associated" : "Connected");
      break;
    case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
      append_flag(text, wireless ? "Not associated" : "Disconnected");
      break;
    default:
      break;
  }
  if (text.empty()) text = "none";
  return text;
}

}  // namespace

std::vector<InterfaceInfo> list_interfaces(Error& error) {
  std::vector<InterfaceInfo> result;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* devices = nullptr;
  if (pcap_findalldevs(&devices, errbuf) != 0) {
    error = Error{ErrorCode::io, std::string("cannot list interfaces: ") + errbuf};
    return result;
  }
  for (const pcap_if_t* d = devices; d != nullptr; d = d->next)
    result.push_back({d->name, d->description ? d->description : "", flags_text(d->flags)});
  pcap_freealldevs(devices);
  return result;
}

std::string resolve_interface(const std::string& name_or_number, Error& error) {
  if (name_or_number.empty() || name_or_number.size() > 6 ||
      name_or_number.find_first_not_of("0123456789") != std::string::npos)
    return name_or_number;
  const auto interfaces = list_interfaces(error);
  if (error) return {};
  for (const auto& iface : interfaces)
    if (iface.name == name_or_number) return name_or_number;
  const unsigned long index = std::stoul(name_or_number);
  if (index == 0 || index > interfaces.size()) {
    error = Error{ErrorCode::not_found, "interface number " + name_or_number +
                                            " does not exist (tcpscope -D lists " +
                                            std::to_string(interfaces.size()) + ")"};
    return {};
  }
  return interfaces[index - 1].name;
}

}  // namespace tcpscope::capture
