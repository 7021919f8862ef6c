#!/usr/bin/env bash
# pflow(4): the handbook's routed segment (db01 behind vether0, NATed out
# of em0, and routed over IPv6) with set state-defaults pflow and pflow0
# exporting to a NetFlow v5 collector in the wan namespace, then to an
# IPFIX one (IPv4 and IPv6 flows).  db01 sends a TCP stream and a ping
# to the wan; when the states go (pfctl -F states) and pflow0 is set
# again (which sends what waits), the collector must have both ways of
# each state: the one made in on vether0 with db01's address, the one
# made out on em0 before its translation, with pf's packet and byte
# counts.
T_NAME=pflow
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

WAN=sl$ID-fwan DB=sl$ID-fdb
wan_ns "$WAN" nat && mkns "$DB" || exit 1
etc=$TMP/etc
routed6_etc "$etc" "$WAN"
printf 'net.inet.ip.forwarding=1\nnet.inet6.ip6.forwarding=1\n' \
	>"$etc/sysctl.conf"
printf 'flowsrc 198.51.100.2 flowdst 198.51.100.1:2055\npflowproto 5\n' \
	>"$etc/hostname.pflow0"
cat >"$etc/pf.conf" <<'PF'
set state-defaults pflow
match out on em0 from 10.50.0.0/24 to any nat-to (em0)
pass
PF
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" route add default via 10.50.0.1
ip -n "$DB" addr add 2001:db8:50::20/64 dev vio0 nodad
ip -n "$DB" -6 route add default via 2001:db8:50::1

# The collector: every datagram, decoded, a line per record.
ip netns exec "$WAN" python3 -u -c "
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('198.51.100.1', 2055))
while True:
    d, (a, p) = s.recvfrom(65535)
    v, n, up, sec, nsec, seq, et, ei = struct.unpack('!HHIIIIBB', d[:22])
    print('dgram', a, p, v, n, seq, et, ei, len(d), flush=True)
    for i in range(n):
        r = d[24 + 48 * i:24 + 48 * (i + 1)]
        src, dst = socket.inet_ntoa(r[0:4]), socket.inet_ntoa(r[4:8])
        pk, by, first, last = struct.unpack('!IIII', r[16:32])
        sp, dp = struct.unpack('!HH', r[32:36])
        ifi, ifo = struct.unpack('!HH', r[12:16])
        print('flow', src, sp, dst, dp, r[38], pk, by, last >= first,
            'if', ifi, ifo, flush=True)
" >"$TMP/collector" 2>&1 &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $WAN ss -lun | grep -q ':2055 '"

check "ifconfig pflow0" sh -c "$SLUICECTL -s $SOCK ifconfig pflow0 |
	grep -qx '	pflow: flowsrc 198.51.100.2 flowdst 198.51.100.1:2055 pflowproto 5'"
check "ping the wan through NAT" \
	ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 198.51.100.1
head -c 20000 /dev/urandom >"$TMP/blob"
nc_sink "$WAN" 8000 "$TMP/got"
check "TCP 20 kB db01 -> wan:8000" \
	ip netns exec "$DB" timeout 10 nc -N 198.51.100.1 8000 <"$TMP/blob"
wait_for 5 cmp -s "$TMP/blob" "$TMP/got"
check "nothing exported while the states live" \
	sh -c "! grep -q '^flow' $TMP/collector"
check "pfctl -F states" ctl pfctl -F states
check "ifconfig pflow0 again: what waits goes" \
	ctl ifconfig pflow0 flowdst 198.51.100.1:2055
wait_for 5 grep -q '^flow' "$TMP/collector"
sed 's/^/     /' "$TMP/collector"
check "a NetFlow v5 datagram from 198.51.100.2, engine 42/42" \
	grep -qE '^dgram 198\.51\.100\.2 [0-9]+ 5 [0-9]+ 0 42 42 ' "$TMP/collector"
# in on vether0: db01's own address; out on em0: the stack's, before NAT
check "TCP db01 -> wan, the 20 kB and more, both states" sh -c "
	[ \$(grep -cE '^flow 10\.50\.0\.20 [0-9]+ 198\.51\.100\.1 8000 6 [0-9]+ (2[0-9]{4}|[3-9][0-9]{4}) True' $TMP/collector) = 2 ]"
check "TCP wan -> db01, the other way, both states" sh -c "
	[ \$(grep -cE '^flow 198\.51\.100\.1 8000 10\.50\.0\.20 [0-9]+ 6 [0-9]+ [0-9]+ True' $TMP/collector) = 2 ]"
# if_index_in/out: the state's interface, on the side its packets used
VI=$($SLUICECTL -s $SOCK ifconfig vether0 | sed -n 's/^	index \([0-9]*\) .*/\1/p')
EI=$($SLUICECTL -s $SOCK ifconfig em0 | sed -n 's/^	index \([0-9]*\) .*/\1/p')
check "interface indexes: vether0 ($VI) in, em0 ($EI) out" sh -c "
	[ -n '$VI' ] && [ -n '$EI' ] &&
	grep -qE '^flow 10\.50\.0\.20 .* 6 .* if $VI 0\$' $TMP/collector &&
	grep -qE '^flow 10\.50\.0\.20 .* 6 .* if 0 $EI\$' $TMP/collector &&
	grep -qE '^flow 198\.51\.100\.1 .* 6 .* if 0 $VI\$' $TMP/collector &&
	grep -qE '^flow 198\.51\.100\.1 .* 6 .* if $EI 0\$' $TMP/collector"
check "the pings: ICMP both ways, 2 packets each" sh -c "
	grep -qE '^flow 10\.50\.0\.20 [0-9]+ 198\.51\.100\.1 [0-9]+ 1 2 168 True' $TMP/collector &&
	grep -qE '^flow 198\.51\.100\.1 [0-9]+ 10\.50\.0\.20 [0-9]+ 1 2 168 True' $TMP/collector"
check "stats: pflow-flows and pflow-packets counted" sh -c "
	$SLUICECTL -s $SOCK stats | grep -qE 'pipeline +pflow-flows +[1-9]' &&
	$SLUICECTL -s $SOCK stats | grep -qE 'pipeline +pflow-packets +[1-9]'"
check "pflowproto 9 is refused, pflow0 keeps its settings" sh -c "
	! $SLUICECTL -s $SOCK ifconfig pflow0 pflowproto 9 &&
	$SLUICECTL -s $SOCK ifconfig pflow0 | grep -q 'pflowproto 5'"

# IPFIX: templates read from the message, then IPv4 and IPv6 data sets.
ip netns exec "$WAN" python3 -u -c "
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('198.51.100.1', 2056))
tmpl = {}
while True:
    d, (a, p) = s.recvfrom(65535)
    v, ln, t, seq, dom = struct.unpack('!HHIII', d[:16])
    print('msg', a, v, ln == len(d), seq, dom, flush=True)
    o = 16
    while o + 4 <= len(d):
        sid, sl = struct.unpack('!HH', d[o:o + 4])
        body = d[o + 4:o + sl]
        if sid == 2:
            i = 0
            while i + 4 <= len(body):
                tid, n = struct.unpack('!HH', body[i:i + 4])
                f = [struct.unpack('!HH', body[i + 4 + 4 * k:i + 8 + 4 * k])
                     for k in range(n)]
                tmpl[tid] = f
                i += 4 + 4 * n
        elif sid in tmpl:
            rl = sum(l for _, l in tmpl[sid])
            for i in range(0, len(body) - rl + 1, rl):
                r, k, rec = body[i:i + rl], 0, {}
                for ie, l in tmpl[sid]:
                    rec[ie] = r[k:k + l]
                    k += l
                fam = 4 if 8 in rec else 6
                src = socket.inet_ntop(socket.AF_INET if fam == 4 else
                    socket.AF_INET6, rec[8 if fam == 4 else 27])
                dst = socket.inet_ntop(socket.AF_INET if fam == 4 else
                    socket.AF_INET6, rec[12 if fam == 4 else 28])
                print('ipfix%d' % fam, src, dst, rec[4][0],
                    int.from_bytes(rec[2], 'big'),
                    int.from_bytes(rec[1], 'big'),
                    int.from_bytes(rec[153], 'big') >=
                    int.from_bytes(rec[152], 'big') > 1546300800000,
                    flush=True)
        o += sl
" >"$TMP/ipfix" 2>&1 &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $WAN ss -lun | grep -q ':2056 '"
check "ifconfig pflow0 pflowproto 10 flowdst 198.51.100.1:2056" \
	ctl ifconfig pflow0 pflowproto 10 flowdst 198.51.100.1:2056
check "ping the wan over IPv4 and IPv6" sh -c "
	ip netns exec $DB ping -c 2 -i 0.2 -W 2 198.51.100.1 &&
	ip netns exec $DB ping -6 -c 3 -i 0.2 -W 2 2001:db8:100::1"
check "pfctl -F states" ctl pfctl -F states
check "ifconfig pflow0 up: what waits goes" ctl ifconfig pflow0 up
wait_for 5 grep -q '^ipfix6' "$TMP/ipfix"
sed 's/^/     /' "$TMP/ipfix"
check "an IPFIX message (version 10, its length right)" \
	grep -qE '^msg 198\.51\.100\.2 10 True [0-9]+ 0$' "$TMP/ipfix"
check "IPFIX: the IPv4 pings both ways" sh -c "
	grep -qE '^ipfix4 10\.50\.0\.20 198\.51\.100\.1 1 2 168 True' $TMP/ipfix &&
	grep -qE '^ipfix4 198\.51\.100\.1 10\.50\.0\.20 1 2 168 True' $TMP/ipfix"
check "IPFIX: the IPv6 pings both ways (3 of 104 bytes)" sh -c "
	grep -qE '^ipfix6 2001:db8:50::20 2001:db8:100::1 58 3 312 True' $TMP/ipfix &&
	grep -qE '^ipfix6 2001:db8:100::1 2001:db8:50::20 58 3 312 True' $TMP/ipfix"
finish
