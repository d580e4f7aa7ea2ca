#!/usr/bin/env bash
# Store and latency benchmark (docs/performance.md, "The store and adaptive concurrency").
# Starts a production-configured registry on 127.0.0.1:0, seeds REPOS x TAGS distinct images,
# puts two counting proxies in front of it (benches/proxy: one forwarding at once, one
# adding DELAY_MS to every answer), then in the same run:
#   1. per round, with a fresh store: a cold `regscope images` (fills the store), a refresh
#      with nothing changed, and the first full tree from the store (benches/store.rs
#      `reopen`: open, read the last inventory, the TUI's tables, one frame);
#   2. 1% of the tags moved onto new images, then a refresh: manifest GETs vs new digests;
#   3. per round, through the DELAY_MS proxy: a cold crawl by regscope (adaptive in-flight
#      limit) beside the raw client (benches/raw_floor.rs) at 16 and at 64 in flight;
#      requests per image from the proxy's counts.
# Every figure is printed with the load average beside it (the machine is shared).
# Usage: scripts/bench-store.sh [REPOS] [TAGS] [ROUNDS] [DELAY_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
repos=${1:-50} tags=${2:-40} rounds=${3:-3} delay=${4:-50}
command -v docker-registry >/dev/null || { echo "missing docker-registry; run scripts/install-test-deps.sh" >&2; exit 1; }

# REGSCOPE_BIN, RAW_FLOOR_BIN and STORE_BENCH_BIN skip the release build (a dry run of
# this script with debug binaries; its figures are not the benchmark's).
if [ -z "${REGSCOPE_BIN:-}" ]; then
  echo "building release binaries..." >&2
  cargo build --release --locked --bin regscope >&2
fi
bench_exe() {
  cargo bench --locked --bench "$1" --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*'"$1"'[^"]*"' | tail -1 | cut -d'"' -f4
}
raw=${RAW_FLOOR_BIN:-$(bench_exe raw_floor)}
storeb=${STORE_BENCH_BIN:-$(bench_exe store)}
regscope=${REGSCOPE_BIN:-$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)/release/regscope}
[ -x "$raw" ] && [ -x "$storeb" ] && [ -x "$regscope" ] || { echo "build failed" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cat >"$work/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $work/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
YAML
docker-registry serve "$work/config.yml" 2>"$work/registry.log" &
reg_pid=$!
pids+=("$reg_pid")
addr=""
for _ in $(seq 100); do
  addr=$(ss -Hltnp 2>/dev/null | grep "pid=$reg_pid," | awk '{print $4}' | head -1) || true
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "registry did not start" >&2; cat "$work/registry.log" >&2; exit 1; }
echo "registry at $addr; seeding $repos x $tags..." >&2
"$raw" seed "$addr" "$repos" "$tags" >&2

start_proxy() { # DELAY_MS -> prints the proxy's address
  "$raw" proxy "$addr" "$1" >"$work/proxy-$1.addr" 2>>"$work/proxy.log" &
  pids+=("$!")
  for _ in $(seq 100); do [ -s "$work/proxy-$1.addr" ] && break; sleep 0.05; done
  head -1 "$work/proxy-$1.addr"
}
near=$(start_proxy 0)
far=$(start_proxy "$delay")
reset() { curl -s -X DELETE "http://$1/_counts" >/dev/null; }
# count PROXY "GET manifest" -> how many such requests the proxy forwarded since its reset
count() {
  curl -s "http://$1/_counts" | python3 -c "import json,sys; c=json.load(sys.stdin); print(c.get('$2', 0) if '$2' != 'all' else sum(c.values()))"
}
load() { sed 's/ .*//' /proc/loadavg; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | awk '{printf "%.2f", $1}'; }
images() { # DATA TARGET [extra args]: runs regscope images, prints wall seconds
  local data=$1 target=$2; shift 2
  local t0 t1
  t0=$(now)
  REGSCOPE_DATA=$data REGSCOPE_NO_CACHE='' "$regscope" images "$target" --json "$@" >"$work/inv.json" 2>"$work/err.log"
  t1=$(now)
  secs "$t0" "$t1"
}
manifests=$((repos * tags))
echo "store bench: $repos x $tags = $manifests manifests, $rounds rounds; load before: $(load)"

echo
echo "== reopen and refresh (proxy adds nothing) =="
printf '%-6s %8s %8s %8s %8s %9s %10s %10s %11s %6s\n' round cold_s warm_s ratio man_GET man_HEAD blob_GET tree_ms store_MB load
for round in $(seq "$rounds"); do
  data="$work/data-$round"
  mkdir -p "$data"
  l=$(load)
  reset "$near"; cold=$(images "$data" "$near")
  cold_get=$(count "$near" "GET manifest")
  reset "$near"; warm=$(images "$data" "$near")
  warm_get=$(count "$near" "GET manifest"); warm_head=$(count "$near" "HEAD manifest"); warm_blob=$(count "$near" "GET blob")
  tree=$("$storeb" reopen "$data/cache/regscope.db" "$near")
  tree_ms=$(echo "$tree" | python3 -c "import json,sys; print(json.load(sys.stdin)['tree_ms'])")
  size=$(du -sb "$data/cache" | awk '{printf "%.1f", $1/1e6}')
  printf '%-6s %8s %8s %8s %8s %9s %10s %10s %11s %6s\n' "$round" "$cold" "$warm" \
    "$(echo "$warm / $cold" | bc -l | cut -c1-4)" "$warm_get" "$warm_head" "$warm_blob" "$tree_ms" "$size" "$l"
  echo "  cold manifest GETs $cold_get; first tree: $tree"
done

echo
echo "== 1% of the tags moved, then a refresh =="
moved=$((manifests / 100))
"$raw" move "$addr" "$repos" "$tags" "$moved"
data="$work/data-$rounds"
reset "$near"; t=$(images "$data" "$near")
echo "moved $moved tags onto $moved new digests; refresh ${t} s: manifest GETs $(count "$near" "GET manifest"), manifest HEADs $(count "$near" "HEAD manifest"), blob GETs $(count "$near" "GET blob"); load $(load)"

echo
echo "== cold crawl, ${delay} ms added to every answer =="
printf '%-6s %-22s %8s %9s %9s %6s\n' round client seconds requests req/image load
for round in $(seq "$rounds"); do
  for client in regscope raw16 raw64; do
    l=$(load)
    reset "$far"
    case $client in
      regscope)
        data="$work/far-$round"; mkdir -p "$data"
        s=$(images "$data" "$far" --verbose)
        n=$(grep -c '"repository": ' "$work/inv.json" || true)
        flight=$(grep -o 'in flight: [^)]*)' "$work/err.log" | head -1) ;;
      raw16|raw64)
        t0=$(now); "$raw" crawl "$far" "${client#raw}" >"$work/raw.json"; t1=$(now)
        s=$(secs "$t0" "$t1"); n=$manifests; flight="" ;;
    esac
    r=$(count "$far" all)
    printf '%-6s %-22s %8s %9s %9s %6s\n' "$round" "$client" "$s" "$r" "$(echo "$r / $n" | bc -l | cut -c1-4)" "$l"
    [ -n "$flight" ] && echo "       regscope $flight"
  done
done
echo "load after: $(load)"
