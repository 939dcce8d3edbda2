#!/usr/bin/env bash
# Builds the libFuzzer targets (in the asan preset's clang tree) and runs each for SECONDS
# (default 60) on its seed corpus. New inputs go to build/asan/corpus-<target>, never into
# the tree. `fuzz.sh --build-only` builds them and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
cmake --preset asan >/dev/null
targets=(fuzz_iana_csv fuzz_entry_toml fuzz_search_query fuzz_port_set fuzz_ssdp_reply fuzz_raw_packet
  fuzz_icmp_history fuzz_echo_packet fuzz_http_session fuzz_proxy_protocol fuzz_forwarded
  fuzz_scan_form fuzz_selfcheck_baseline fuzz_json_object fuzz_igd_description fuzz_igd_soap
  fuzz_nat_pmp fuzz_reach_packet
  fuzz_udp_dns fuzz_udp_ntp fuzz_udp_snmp fuzz_udp_cldap fuzz_udp_memcached fuzz_udp_mssql
  fuzz_udp_discovery fuzz_udp_nat_traversal fuzz_udp_sip fuzz_udp_vpn fuzz_udp_games
  fuzz_udp_simple)
cmake --build --preset asan --target "${targets[@]}"
[ "$seconds" = --build-only ] && exit 0
for target in "${targets[@]}"; do
  work=build/asan/corpus-$target
  mkdir -p "$work"
  echo "fuzz: $target for ${seconds}s"
  build/asan/fuzz/$target -max_total_time="$seconds" -print_final_stats=1 \
    "$work" fuzz/corpus/$target 2>&1 | tail -n 3
done
