#!/usr/bin/env python3
"""Regenerates tests/unit/print/tcp_text_fixtures.inc: hand-built TCP segments
(every option kind, malformed lengths, truncation at every byte, flags, RST data,
checksums, relative sequence numbers) together with the text the installed
tcpdump 4.99.3 prints for them. Each segment is wrapped in a raw-IP (DLT_RAW)
pcap record whose wire length is the full datagram and whose caplen is the
captured part, tcpdump is run with `-t` plus the fixture's options, and the TCP
part of its output (after "IP "/"IP6 " or the -v header line) is stored.

usage: tests/tools/gen_tcp_text_fixtures.py > tests/unit/print/tcp_text_fixtures.inc
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

V4_SRC, V4_DST = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
V6_SRC = bytes.fromhex('20010db8000000000000000000000001')
V6_DST = bytes.fromhex('20010db8000000000000000000000002')

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE = 1, 2, 4, 8, 16, 32, 64, 128, 256


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def tcp(sport=1234, dport=5001, seq=1000, ack=0, flags=SYN, win=512, urg=0, opts=b'', payload=b'',
        doff=None, v6=False, bad_cksum=False, src=None, dst=None):
    if doff is None:
        assert len(opts) % 4 == 0, opts
        doff = 5 + len(opts) // 4
    hdr = struct.pack('!HHIIHHHH', sport, dport, seq, ack, (doff << 12) | flags, win, 0, urg)
    seg = hdr + opts + payload
    src = src or (V6_SRC if v6 else V4_SRC)
    dst = dst or (V6_DST if v6 else V4_DST)
    if v6:
        pseudo = src + dst + struct.pack('!IxxxB', len(seg), 6)
    else:
        pseudo = src + dst + struct.pack('!xBH', 6, len(seg))
    c = csum(pseudo + seg)
    if bad_cksum:
        c ^= 0x1234
    return seg[:16] + struct.pack('!H', c) + seg[18:], src, dst


def ip_packet(seg, src, dst):
    if len(src) == 16:
        return struct.pack('!IHBB', 0x60000000, len(seg), 6, 64) + src + dst + seg
    hdr = struct.pack('!BBHHHBBH', 0x45, 0, 20 + len(seg), 1, 0x4000, 64, 6, 0) + src + dst
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return hdr + seg


def pcap(records):
    out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)]
    for i, (pkt, caplen) in enumerate(records):
        out.append(struct.pack('<IIII', 1000 + i, 0, caplen, len(pkt)) + pkt[:caplen])
    return b''.join(out)


def tcpdump_tcp_part(records, options):
    with tempfile.NamedTemporaryFile(suffix='.pcap', delete=False) as f:
        f.write(pcap(records))
        path = f.name
    try:
        res = subprocess.run(['tcpdump', '-t', '-r', path] + options.split(), capture_output=True,
                             env=dict(os.environ, TZ='UTC', LC_ALL='C'))
    finally:
        os.unlink(path)
    text = res.stdout.decode('latin-1')
    packets = []
    for line in text.split('\n'):
        if line.startswith('IP ') or line.startswith('IP6 '):
            body = line.split(' ', 1)[1]
            if body.startswith('('):  # -v: the TCP part is on the next line (IPv4) or after ") "
                if line.startswith('IP6 '):
                    body = re.split(r'payload length: [0-9]+\) ', body, maxsplit=1)[1]
                else:
                    packets.append(None)
                    continue
            packets.append(body)
        elif line.startswith('    ') and packets and packets[-1] is None:
            packets[-1] = line[4:]
        elif line.startswith('\t') or line == '':
            continue
        else:
            raise SystemExit('unexpected tcpdump line: %r' % line)
    assert len(packets) == len(records), (packets, options)
    return packets


def c_string(s):
    out = []
    for ch in s:
        if ch in '"\\':
            out.append('\\' + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append('\\x%02x""' % ord(ch))
    return '"' + ''.join(out) + '"'


def opt(kind, data=b''):
    return bytes([kind, 2 + len(data)]) + data


def pad(b):
    return b + b'\x01' * (-len(b) % 4)


TS = opt(8, struct.pack('!II', 123456, 654321))
SYN_OPTS = opt(2, b'\x05\xb4') + b'\x04\x02' + TS + b'\x01' + opt(3, b'\x07')

# (name, options, segment args, caplen of the TCP part or None for all)
SINGLE = []


def add(name, options, caplen=None, **seg):
    SINGLE.append((name, options, seg, caplen))


# Options, one kind at a time.
add('syn_options', '-n -S', opts=SYN_OPTS)
add('syn_options_v', '-n -v', opts=SYN_OPTS)
add('mss_wscale_sackok', '-n -S', opts=pad(opt(2, b'\x02\x18') + opt(3, b'\x0e') + b'\x04\x02'))
add('echo', '-n -S', opts=pad(opt(6, b'\x00\x00\x01\x02')))
add('echoreply', '-n -S', opts=pad(opt(7, b'\xff\xff\xff\xff')))
add('cc', '-n -S', opts=pad(opt(11, b'\x00\x00\x00\x07')))
add('ccnew', '-n -S', opts=pad(opt(12, b'\x00\x00\x00\x08')))
add('ccecho_empty_name', '-n -S', opts=pad(opt(13, b'\x00\x00\x00\x09')))
add('md5', '-n -S', flags=ACK | PSH, ack=5, opts=pad(opt(19, bytes(range(16)))), payload=b'hello')
add('md5_snaplen_short', '-n -S', flags=ACK | PSH, ack=5, opts=pad(opt(19, bytes(range(16)))),
    payload=b'hello', caplen=40 + 2)
add('scps', '-n -S', opts=pad(opt(20, b'\xa5\x07')))
add('uto_seconds', '-n -S', opts=pad(opt(28, b'\x01\x2c')))
add('uto_minutes', '-n -S', opts=pad(opt(28, b'\x00\x0b')))
add('tcp_ao', '-n -S', flags=ACK, ack=1, opts=pad(opt(29, b'\x05\x06' + bytes(range(0xa0, 0xa8)))))
add('tcp_ao_no_mac', '-n -S', flags=ACK, ack=1, opts=pad(opt(29, b'\x05\x06')))
add('tcp_ao_invalid', '-n -S', flags=ACK, ack=1, opts=pad(opt(29, b'\x05')))
add('tfo_cookiereq', '-n -S', opts=pad(opt(34)))
add('tfo_cookie', '-n -S', opts=pad(opt(34, bytes.fromhex('0102030405060708'))))
add('tfo_invalid', '-n -S', opts=pad(opt(34, b'\x01\x02\x03')))
add('exp_tfo_cookiereq', '-n -S', opts=pad(opt(254, b'\xf9\x89')))
add('exp_tfo_cookie', '-n -S', opts=pad(opt(254, b'\xf9\x89' + bytes.fromhex('a1a2a3a4'))))
add('exp_other_magic', '-n -S', opts=pad(opt(254, b'\x12\x34\x56')))
add('exp_too_short', '-n -S', opts=pad(opt(254, b'\x12')))
add('exp1_unknown', '-n -S', opts=pad(opt(253, b'\xde\xad')))
add('unknown_no_data', '-n -S', opts=pad(opt(99)))
add('unknown_data', '-n -S', opts=pad(opt(200, b'\x00\xff\x10')))
add('sack_one', '-n -S', flags=ACK, ack=1, opts=pad(b'\x01\x01' + opt(5, struct.pack('!II', 100, 200))))
add('sack_three', '-n -S', flags=ACK, ack=1,
    opts=pad(b'\x01\x01' + opt(5, struct.pack('!IIIIII', 100, 200, 300, 400, 4294967295, 7))))
add('sack_invalid', '-n -S', flags=ACK, ack=1, opts=pad(opt(5, b'\x00' * 7)))
add('mss_len5_then_more', '-n -S', opts=b'\x02\x05\x05\xb4\x00\x01\x00\x00')
add('sackok_len4', '-n -S', opts=b'\x04\x04\x01\x01')
add('mss_len3_at_end', '-n -S', opts=b'\x01\x01\x02\x03')
add('bad_len_first', '-n -S', opts=b'\x02\x01\x00\x00')
add('bad_len_after_nop', '-n -S', opts=b'\x01\x02\x01\x00')
add('len_beyond_header', '-n -S', opts=b'\x01\x08\x0a\x00')
add('eol_stops', '-n -S', opts=b'\x01\x00\x02\x04')
add('kind_is_last_byte', '-n -S', opts=b'\x01\x01\x01\x02')
# MPTCP (RFC 8684), as the 4.99.3 sub-printer shows it.
add('mptcp_capable_v0_syn', '-n -S', opts=opt(30, b'\x00\x81' + bytes.fromhex('0102030405060708')))
add('mptcp_capable_v1_syn', '-n -S', opts=opt(30, b'\x01\x01'))
add('mptcp_capable_v1_ack', '-n -S', flags=ACK, ack=1,
    opts=pad(opt(30, b'\x01\x01' + bytes.fromhex('0102030405060708a1a2a3a4a5a6a7a8'))))
add('mptcp_capable_bad_len', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x01\x01\x00\x00')))
add('mptcp_capable_version7', '-n -S', opts=opt(30, b'\x07\x01'))
add('mptcp_join_syn', '-n -S', opts=opt(30, b'\x11\x03' + bytes.fromhex('0000beef12345678')))
add('mptcp_join_synack', '-n -S', flags=SYN | ACK, ack=1,
    opts=pad(opt(30, b'\x10\x03' + bytes.fromhex('1122334455667788aabbccdd'))))
add('mptcp_join_ack', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x10\x00' + bytes(range(20)))))
add('mptcp_dss_ack4', '-n -S', flags=ACK, ack=1, opts=opt(30, b'\x20\x01' + b'\x00\x00\x10\x00'))
add('mptcp_dss_full8_csum', '-n -S', flags=ACK, ack=1,
    opts=pad(opt(30, b'\x20\x1f' + bytes(range(1, 9)) + bytes(range(9, 17)) + b'\x00\x00\x00\x05\x00\x10\xab\xcd')))
add('mptcp_dss_map4', '-n -S', flags=ACK, ack=1,
    opts=pad(opt(30, b'\x20\x04' + b'\x00\x00\x00\x09' + b'\x00\x00\x00\x01' + b'\x00\x04')))
add('mptcp_dss_short', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x20\x01\x00')))
add('mptcp_dss_len3', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x20')))
add('mptcp_dss_on_syn', '-n -S', opts=opt(30, b'\x20\x00'))
add('mptcp_add_addr_v4', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x30\x05' + bytes([192, 0, 2, 7]))))
add('mptcp_add_addr_v4_port', '-n -S', flags=ACK, ack=1,
    opts=pad(opt(30, b'\x34\x05' + bytes([192, 0, 2, 7]) + b'\x1f\x90')))
add('mptcp_add_addr_v4_hmac', '-n -S', flags=ACK, ack=1,
    opts=pad(opt(30, b'\x30\x05' + bytes([192, 0, 2, 7]) + bytes.fromhex('0102030405060708'))))
add('mptcp_add_addr_v4_port_hmac', '-n -S', flags=ACK, ack=1,
    opts=pad(opt(30, b'\x31\x05' + bytes([192, 0, 2, 7]) + b'\x1f\x90' + bytes.fromhex('0102030405060708'))))
add('mptcp_add_addr_v6', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x36\x02' + V6_DST)))
add('mptcp_add_addr_v6_port_hmac', '-n -S', flags=ACK, ack=1,
    opts=pad(opt(30, b'\x30\x02' + V6_DST + b'\x00\x50' + bytes.fromhex('a0a1a2a3a4a5a6a7'))))
add('mptcp_add_addr_bad_echo', '-n -S', flags=ACK, ack=1,
    opts=pad(opt(30, b'\x3f\x05' + bytes([192, 0, 2, 7]))))
add('mptcp_add_addr_bad_len', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x30\x05\x01')))
add('mptcp_rem_addr', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x40\x03\x04\x09')))
add('mptcp_prio_len3', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x51')))
add('mptcp_prio_len4', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x50\x06')))
add('mptcp_fail', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x60\x00' + bytes(range(1, 9)))))
add('mptcp_fast_close', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\x70\x00' + bytes(range(1, 9)))))
add('mptcp_tcprst_unknown', '-n -S', flags=ACK | RST, ack=1, opts=pad(opt(30, b'\x81\x02')))
add('mptcp_subtype_15', '-n -S', flags=ACK, ack=1, opts=pad(opt(30, b'\xf0\x00')))
add('mptcp_len2', '-n -S', flags=ACK, ack=1, opts=pad(opt(30)))
add('mptcp_then_truncated', '-n -S', flags=ACK, ack=1,
    opts=opt(30, b'\x20\x01' + b'\x00\x00\x10\x00') + TS + b'\x01\x01', caplen=20 + 8 + 6)
add('mptcp_then_remaining_caplen', '-n -S', flags=ACK, ack=1,
    opts=opt(30, b'\x20\x01' + b'\x00\x00\x10\x00') + b'\x00\x00\x00\x00', payload=b'data', caplen=20 + 8 + 1)
# Flags, urgent pointer, window, seq/ack rules.
add('flags_none', '-n -S', flags=0)
add('flags_all_eight', '-n -S', flags=0xff, ack=77, urg=9)
add('flags_ae_not_shown', '-n -S', flags=AE | SYN | ECE | CWR)
add('flags_fin_ack', '-n -S', flags=FIN | ACK, ack=5)
add('pure_ack_no_seq', '-n -S', flags=ACK, ack=5)
add('pure_ack_vv_seq', '-n -S -vv', flags=ACK, ack=5)
add('ack_field_without_flag', '-n -S', flags=PSH, ack=99, payload=b'abc')
add('urgent', '-n -S', flags=ACK | URG | PSH, ack=5, urg=3, payload=b'xyz')
add('seq_wraps', '-n -S', flags=ACK | PSH, seq=0xfffffffe, ack=5, payload=b'abcd')
add('quiet', '-n -q', flags=ACK | PSH, ack=5, payload=b'abcd', opts=TS + b'\x01\x01')
# Header length problems.
add('hdr_too_short', '-n -S', doff=4, payload=b'abcdefgh')
add('hdr_too_short_q', '-n -q', doff=3)
add('hdr_too_long', '-n -S', flags=ACK, ack=1, doff=15, payload=b'\x01' * 8)
add('hdr_too_long_q', '-n -q', flags=ACK, ack=1, doff=15, payload=b'\x01' * 8)
# Checksums.
add('cksum_correct', '-n -v', flags=ACK | PSH, ack=5, payload=b'ping')
add('cksum_incorrect', '-n -v', flags=ACK | PSH, ack=5, payload=b'ping', bad_cksum=True)
add('cksum_odd_length', '-n -vvv', flags=ACK | PSH, ack=5, payload=b'pong!')
add('cksum_not_captured', '-n -v', flags=ACK | PSH, ack=5, payload=b'ping', caplen=22)
add('cksum_K', '-n -v -K', flags=ACK | PSH, ack=5, payload=b'ping', bad_cksum=True)
add('cksum_v6_correct', '-n -v', flags=ACK | PSH, ack=5, payload=b'ping', v6=True)
add('cksum_v6_incorrect', '-n -v', flags=ACK | PSH, ack=5, payload=b'ping', v6=True, bad_cksum=True)
add('v6_syn', '-n -S', opts=SYN_OPTS, v6=True)
# RST data.
add('rst_data', '-n -v', flags=RST | ACK, ack=5, payload=b'connection reset')
add('rst_data_long', '-n -v', flags=RST, payload=b'0123456789abcdefghijklmnopqrstuvwxyz')
add('rst_data_control_chars', '-n -v', flags=RST, payload=b'a\x00\x01\x1b\x7f\x80\xc1\xffz')
add('rst_data_truncated', '-n -v', flags=RST, payload=b'0123456789', caplen=25)
add('rst_data_not_verbose', '-n', flags=RST, payload=b'0123456789')
# Truncation inside the fixed header and at the ports.
for cut in (0, 2, 3, 4, 5, 12, 19):
    add('cut_fixed_header_%d' % cut, '-n -S', caplen=cut, opts=SYN_OPTS)
# A header with options cut at every byte of the option area.
for cut in range(20, 20 + len(SYN_OPTS) + 1):
    add('cut_syn_options_%d' % cut, '-n -S', caplen=cut, opts=SYN_OPTS)
SACK_OPTS = b'\x01\x01' + TS + b'\x01\x01' + opt(5, struct.pack('!IIII', 1, 2, 3, 4))
for cut in range(20, 20 + len(SACK_OPTS) + 1):
    add('cut_sack_options_%d' % cut, '-n -S', caplen=cut, flags=ACK, ack=9, opts=SACK_OPTS)
add('cut_tcp_ao_mac', '-n -S', caplen=20 + 6, flags=ACK, ack=1, opts=pad(opt(29, b'\x05\x06' + bytes(6))))
add('cut_unknown_data', '-n -S', caplen=20 + 4, opts=pad(opt(200, b'\x00\xff\x10\x11')))
add('remaining_caplen', '-n -S', caplen=20 + 2, flags=ACK | PSH, ack=1, opts=b'\x00\x00\x00\x00',
    payload=b'hello')

# Sequences through one printer: tcpdump's relative sequence numbers.
C, S = dict(sport=40000, dport=5001), dict(sport=5001, dport=40000, src=V4_DST, dst=V4_SRC)
SEQUENCES = [
    ('handshake_data_teardown', '-n', [
        dict(C, seq=100, flags=SYN, opts=SYN_OPTS),
        dict(S, seq=5000, ack=101, flags=SYN | ACK, opts=SYN_OPTS),
        dict(C, seq=101, ack=5001, flags=ACK),
        dict(C, seq=101, ack=5001, flags=ACK | PSH, payload=b'ping'),
        dict(S, seq=5001, ack=105, flags=ACK | PSH, payload=b'pong'),
        dict(S, seq=5005, ack=105, flags=ACK, opts=b'\x01\x01' + opt(5, struct.pack('!II', 101, 105))),
        dict(C, seq=105, ack=5005, flags=ACK, opts=b'\x01\x01' + opt(5, struct.pack('!II', 5001, 5005))),
        dict(C, seq=105, ack=5005, flags=FIN | ACK),
        dict(S, seq=5005, ack=106, flags=FIN | ACK),
        dict(C, seq=106, ack=5006, flags=ACK),
    ]),
    ('midstream_first_segment_absolute', '-n', [
        dict(S, seq=7000, ack=300, flags=ACK | PSH, payload=b'abcdef'),
        dict(C, seq=300, ack=7006, flags=ACK),
        dict(S, seq=7000, ack=300, flags=ACK | PSH, payload=b'abcdef'),
        dict(S, seq=7006, ack=300, flags=ACK | PSH, payload=b'gh'),
    ]),
    ('port_reuse_reseeded_by_syn_ack', '-n', [
        dict(C, seq=100, flags=SYN),
        dict(S, seq=5000, ack=101, flags=SYN | ACK),
        dict(C, seq=101, ack=5001, flags=ACK | PSH, payload=b'one'),
        dict(C, seq=90000, flags=SYN),
        dict(C, seq=90000, ack=5004, flags=ACK | PSH, payload=b'old base'),
        dict(S, seq=123456, ack=90001, flags=SYN | ACK),
        dict(C, seq=90001, ack=123457, flags=ACK | PSH, payload=b'two'),
    ]),
    ('bare_rst_and_syn_absolute', '-n', [
        dict(C, seq=100, flags=SYN),
        dict(S, seq=0, ack=101, flags=RST | ACK),
        dict(C, seq=100, flags=RST),
        dict(C, seq=555, ack=777, flags=ACK | PSH, payload=b'x'),
        dict(S, seq=777, ack=556, flags=ACK),
    ]),
    ('equal_ports_ordered_by_address', '-n', [
        dict(sport=5000, dport=5000, src=V4_DST, dst=V4_SRC, seq=10, ack=20, flags=ACK | PSH, payload=b'a'),
        dict(sport=5000, dport=5000, src=V4_SRC, dst=V4_DST, seq=20, ack=11, flags=ACK | PSH, payload=b'b'),
        dict(sport=5000, dport=5000, src=V4_DST, dst=V4_SRC, seq=11, ack=21, flags=ACK),
    ]),
    ('ipv6_and_ipv4_tables', '-n', [
        dict(C, seq=100, ack=200, flags=ACK | PSH, payload=b'v4'),
        dict(C, seq=100, ack=200, flags=ACK | PSH, payload=b'v6', v6=True),
        dict(C, seq=102, ack=200, flags=ACK | PSH, payload=b'v4'),
        dict(C, seq=102, ack=200, flags=ACK | PSH, payload=b'v6', v6=True),
    ]),
    ('absolute_with_S', '-n -S', [
        dict(C, seq=100, flags=SYN),
        dict(S, seq=5000, ack=101, flags=SYN | ACK),
        dict(C, seq=101, ack=5001, flags=ACK, opts=b'\x01\x01' + opt(5, struct.pack('!II', 5001, 5005))),
    ]),
]


def build(seg):
    seg = dict(seg)
    t, src, dst = tcp(**seg)
    return t, src, dst


def main():
    out = ['// Generated by tests/tools/gen_tcp_text_fixtures.py: hand-built segments and the',
           '// text tcpdump 4.99.3 (Debian 12) printed for them with `-t` and the given options,',
           '// from the ports on. Do not edit; rerun the generator.', '']
    out.append('inline const TcpTextFixture kTcpTextFixtures[] = {')
    for name, options, seg, caplen in SINGLE:
        t, src, dst = build(seg)
        cap = len(t) if caplen is None else caplen
        pkt = ip_packet(t, src, dst)
        hdr = 40 if len(src) == 16 else 20
        text = tcpdump_tcp_part([(pkt, hdr + cap)], options)[0]
        out.append('    {%s, %s, %s, %s, %d, %s},' % (c_string(name), c_string(options),
                                                   'true' if len(src) == 16 else 'false',
                                                   c_string(t.hex()), cap, c_string(text)))
    out.append('};')
    out.append('')
    out.append('inline const TcpTextSequence kTcpTextSequences[] = {')
    for name, options, segs in SEQUENCES:
        records, built = [], []
        for seg in segs:
            v6 = seg.get('v6', False)
            if v6 and 'src' in seg:
                seg = dict(seg, src=V6_DST if seg['src'] == V4_DST else V6_SRC,
                           dst=V6_SRC if seg['dst'] == V4_SRC else V6_DST)
            t, src, dst = build(seg)
            records.append((ip_packet(t, src, dst), (40 if v6 else 20) + len(t)))
            built.append((t, src, dst))
        texts = tcpdump_tcp_part(records, options)
        out.append('    {%s, %s, {' % (c_string(name), c_string(options)))
        for (t, src, dst), text in zip(built, texts):
            out.append('        {%s, %s, %s, %s},' % ('true' if len(src) == 16 else 'false',
                                                  'true' if src in (V4_DST, V6_DST) else 'false',
                                                  c_string(t.hex()), c_string(text)))
        out.append('    }},')
    out.append('};')
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
