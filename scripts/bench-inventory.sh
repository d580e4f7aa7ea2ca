#!/usr/bin/env bash
# Inventory benchmark (docs/performance.md, "Inventory crawl"): starts a registry on
# 127.0.0.1:0, seeds REPOS x TAGS distinct images, then times in the same run:
#   regscope images ADDR --json (release build),
#   (a) the raw floor: benches/raw_floor.rs issuing only the catalog/tags/manifest/config requests,
#   (b) skopeo: list-tags plus inspect --raw per tag with xargs -P 16.
# Peak RSS and client CPU (user+sys) come from /usr/bin/time -v; the registry's own CPU
# during each client's run from /proc/PID/stat. The three clients share the machine's cores
# with the registry, so a client's CPU is CPU the registry does not get.
#
# PROFILE picks the registry configuration (docs/decisions.md, "Inventory benchmark"):
#   production (default): what a registry in service runs with: log level warn, access log
#     off, `cache: blobdescriptor: inmemory` (Debian's packaged config has the cache too);
#   info: the first benchmark's configuration (log level info, access log off, no cache).
# Usage: [SWEEP="8 32"] scripts/bench-inventory.sh [REPOS] [TAGS] [ROUNDS] [PROFILE]
set -euo pipefail
cd "$(dirname "$0")/.."
repos=${1:-50} tags=${2:-40} rounds=${3:-3} profile=${4:-production}
case "$profile" in
  production) log_level=warn; cache_yaml=$'  cache:\n    blobdescriptor: inmemory' ;;
  info) log_level=info; cache_yaml="" ;;
  *) echo "PROFILE is production or info, not $profile" >&2; exit 2 ;;
esac
for bin in docker-registry skopeo /usr/bin/time; do
  command -v "$bin" >/dev/null 2>&1 || { echo "missing $bin; run scripts/install-test-deps.sh" >&2; exit 1; }
done

echo "building release binaries..." >&2
cargo build --release --locked --bin regscope >&2
raw=$(cargo bench --locked --bench raw_floor --no-run --message-format=json 2>/dev/null |
  grep -o '"executable":"[^"]*raw_floor[^"]*"' | tail -1 | cut -d'"' -f4)
regscope=$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)/release/regscope
[ -x "$raw" ] && [ -x "$regscope" ] || { echo "build failed: $raw $regscope" >&2; exit 1; }

work=$(mktemp -d)
cleanup() { [ -n "${reg_pid:-}" ] && kill "$reg_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cat >"$work/config.yml" <<YAML
version: 0.1
log:
  level: $log_level
  accesslog:
    disabled: true
storage:
$cache_yaml
  filesystem:
    rootdirectory: $work/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
YAML
sed -i '/^$/d' "$work/config.yml"
docker-registry serve "$work/config.yml" 2>"$work/registry.log" &
reg_pid=$!
# The listening address is logged at info; at warn, find the port from the socket table.
addr=""
for _ in $(seq 100); do
  addr=$(grep -o 'listening on [0-9.:]*' "$work/registry.log" | head -1 | awk '{print $3}') || true
  [ -z "$addr" ] && addr=$(ss -Hltnp 2>/dev/null | grep "pid=$reg_pid," | awk '{print $4}' | head -1) || true
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "registry did not start" >&2; cat "$work/registry.log" >&2; exit 1; }
echo "registry at $addr; seeding $repos x $tags..." >&2
"$raw" seed "$addr" "$repos" "$tags" >&2

# CPU seconds (user+sys) the registry has used so far
registry_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$reg_pid/stat"
}

# wall seconds, peak RSS (KiB), client CPU seconds and registry CPU seconds of one command
measure() {
  local out=$1; shift
  local reg_before
  reg_before=$(registry_cpu)
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$out" 2>>"$work/stderr.log"
  local wall rss cpu reg
  reg=$(echo "$(registry_cpu) - $reg_before" | bc -l)
  wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}' |
    awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/time.txt")
  echo "$wall $rss $cpu $reg"
}

skopeo_crawl() {
  for r in $(seq 0 $((repos - 1))); do printf 'bench/svc-%02d\n' "$r"; done |
    xargs -P 16 -I{} sh -c 'skopeo list-tags --tls-verify=false docker://'"$addr"'/{} |
      grep -o "\"t[0-9]*\"" | tr -d "\"" | sed "s|^|{}:|"' >"$work/refs.txt"
  xargs -P 16 -I{} skopeo inspect --raw --tls-verify=false "docker://$addr/{}" <"$work/refs.txt" >/dev/null
}
export -f skopeo_crawl
export addr repos work

echo "profile $profile (log level $log_level${cache_yaml:+, blobdescriptor cache}); load before: $(uptime | sed 's/.*load average: //')"
printf '%-8s %-10s %10s %12s %10s %13s\n' round tool seconds peak_rss_mib cpu_s registry_cpu_s
for round in $(seq "$rounds"); do
  # The order rotates each round, so no tool always runs first (after the seeding) or
  # always right after skopeo's thousands of processes.
  order=("regscope raw skopeo" "raw skopeo regscope" "skopeo regscope raw")
  for tool in ${order[$(((round - 1) % 3))]}; do
    case $tool in
      regscope) read -r rs_s rs_rss rs_cpu rs_reg < <(measure "$work/inv.json" "$regscope" images "$addr" --json) ;;
      raw) read -r raw_s raw_rss raw_cpu raw_reg < <(measure "$work/raw.json" "$raw" crawl "$addr") ;;
      skopeo) read -r sk_s sk_rss sk_cpu sk_reg < <(measure /dev/null bash -c skopeo_crawl) ;;
    esac
  done
  n=$(grep -c '"repository": ' "$work/inv.json" || true)
  printf '%-8s %-10s %10.2f %12.1f %10.2f %13.2f\n' "$round" regscope "$rs_s" "$(echo "$rs_rss/1024" | bc -l)" "$rs_cpu" "$rs_reg"
  printf '%-8s %-10s %10.2f %12.1f %10.2f %13.2f\n' "$round" raw-floor "$raw_s" "$(echo "$raw_rss/1024" | bc -l)" "$raw_cpu" "$raw_reg"
  # skopeo's RSS is per process (one per tag), so the peak of the shell is meaningless.
  printf '%-8s %-10s %10.2f %12s %10.2f %13.2f\n' "$round" skopeo "$sk_s" "n/a" "$sk_cpu" "$sk_reg"
  echo "  regscope/raw = $(echo "$rs_s/$raw_s" | bc -l | cut -c1-5)x, skopeo/regscope = $(echo "$sk_s/$rs_s" | bc -l | cut -c1-5)x; raw: $(cat "$work/raw.json"); regscope records: $n; skopeo refs: $(wc -l <"$work/refs.txt")"
  echo "  load after round $round: $(uptime | sed 's/.*load average: //')"
done

# Optional: the raw floor at other in-flight levels (SWEEP="8 32 64"), to show whether the
# registry, not the client's concurrency, sets the pace.
for n in ${SWEEP:-}; do
  read -r s _ cpu reg < <(measure "$work/raw.json" "$raw" crawl "$addr" "$n")
  echo "raw floor with $n in flight: ${s} s, client CPU ${cpu} s, registry CPU ${reg} s; $(cat "$work/raw.json")"
done
