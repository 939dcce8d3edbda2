#!/usr/bin/env bash
# Installs everything breakwater needs to build and test, from Debian's packages.
# Idempotent, and silent when everything is already installed. --tools adds the programs
# the tests and benchmarks drive (curl, chromium, nginx, haproxy, wrk, h2load) and the
# package test needs.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config python3
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libssl-dev
  libcli11-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format lld
  nftables iproute2 nmap iputils-ping util-linux
  zlib1g-dev libsystemd-dev
)
if [ "${1:-}" = "--tools" ]; then
  # dpkg-dev: dpkg-shlibdeps for the package; systemd and man-db: systemd-analyze verify.
  # miniupnpd-nftables: the router of the NAT e2e (UPnP IGD, NAT-PMP); miniupnpc its client.
  # dnsmasq, snmpd, memcached, chrony: the router's daemons in the UDP e2e (the tests start
  # their own copies with their own files; a system copy is neither needed nor touched);
  # snmp: snmpget, which checks that test bed.
  packages+=(curl openssl chromium nginx haproxy wrk nghttp2-client dpkg-dev systemd man-db
    miniupnpd-nftables miniupnpc dnsmasq snmpd snmp memcached chrony)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
