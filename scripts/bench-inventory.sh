#!/usr/bin/env bash
# Inventory benchmark (docs/performance.md, "Inventory crawl"): starts a registry on
# 127.0.0.1:0, seeds REPOS x TAGS distinct images, then times in the same run:
#   regscope images ADDR --json (release build),
#   (a) the raw floor: benches/raw_floor.rs issuing only the catalog/tags/manifest/config requests,
#   (b) skopeo: list-tags plus inspect --raw per tag with xargs -P 16.
# Peak RSS comes from /usr/bin/time -v. Usage: scripts/bench-inventory.sh [REPOS] [TAGS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
repos=${1:-50} tags=${2:-40} rounds=${3:-3}
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
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
YAML
docker-registry serve "$work/config.yml" 2>"$work/registry.log" &
reg_pid=$!
addr=""
for _ in $(seq 100); do
  addr=$(grep -o 'listening on [0-9.:]*' "$work/registry.log" | head -1 | awk '{print $3}') || true
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "registry did not start" >&2; cat "$work/registry.log" >&2; exit 1; }
echo "registry at $addr; seeding $repos x $tags..." >&2
"$raw" seed "$addr" "$repos" "$tags" >&2

# wall seconds and peak RSS (KiB) of one command, from GNU time
measure() {
  local out=$1; shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$out" 2>>"$work/stderr.log"
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}' |
    awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
  echo "$wall $rss"
}

skopeo_crawl() {
  for r in $(seq 0 $((repos - 1))); do printf 'bench/svc-%02d\n' "$r"; done |
    xargs -P 16 -I{} sh -c 'skopeo list-tags --tls-verify=false docker://'"$addr"'/{} |
      grep -o "\"t[0-9]*\"" | tr -d "\"" | sed "s|^|{}:|"' >"$work/refs.txt"
  xargs -P 16 -I{} skopeo inspect --raw --tls-verify=false "docker://$addr/{}" <"$work/refs.txt" >/dev/null
}
export -f skopeo_crawl
export addr repos work

printf '%-8s %-10s %10s %10s\n' round tool seconds peak_rss_mib
for round in $(seq "$rounds"); do
  read -r rs_s rs_rss < <(measure "$work/inv.json" "$regscope" images "$addr" --json)
  n=$(grep -c '"repository": ' "$work/inv.json" || true)
  read -r raw_s raw_rss < <(measure "$work/raw.json" "$raw" crawl "$addr")
  read -r sk_s sk_rss < <(measure /dev/null bash -c skopeo_crawl)
  printf '%-8s %-10s %10.2f %10.1f\n' "$round" regscope "$rs_s" "$(echo "$rs_rss/1024" | bc -l)"
  printf '%-8s %-10s %10.2f %10.1f\n' "$round" raw-floor "$raw_s" "$(echo "$raw_rss/1024" | bc -l)"
  printf '%-8s %-10s %10.2f %10s\n' "$round" skopeo "$sk_s" "n/a"
  echo "  regscope/raw = $(echo "$rs_s/$raw_s" | bc -l | cut -c1-5)x, skopeo/regscope = $(echo "$sk_s/$rs_s" | bc -l | cut -c1-5)x; raw: $(cat "$work/raw.json"); regscope records: $n; skopeo refs: $(wc -l <"$work/refs.txt")"
done
