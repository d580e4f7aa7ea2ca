#!/usr/bin/env bash
# The real TUI opening a store of a million images (docs/performance.md, "The store at
# 1,000,000 images"): benches/store.rs `million-write` writes the store through the store's
# own write path for the registry 127.0.0.1:1 (nothing listens there, so the background
# refresh fails at once and the screen keeps what the store had); then the release
# `regscope 127.0.0.1:1` starts in tmux on it, and this prints the times the TUI logs
# ("stored tree drawn", "stored inventory drawn", from the start of its loop), the
# process's peak resident memory (VmHWM) once every row is loaded, and the size on disk.
# Usage: scripts/bench-store-tui.sh [REPOS] [IMAGES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
repos=${1:-1000} images=${2:-1000000} rounds=${3:-3}
command -v tmux >/dev/null || { echo "missing tmux" >&2; exit 1; }
if [ -z "${REGSCOPE_BIN:-}" ]; then
  cargo build --release --locked --bin regscope >&2
fi
bench_exe() {
  cargo bench --locked --bench "$1" --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*'"$1"'[^"]*"' | tail -1 | cut -d'"' -f4
}
storeb=${STORE_BENCH_BIN:-$(bench_exe store)}
regscope=${REGSCOPE_BIN:-target/release/regscope}
work=$(mktemp -d)
sock="regscope-bench-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/cache/regscope/regscope.db"
mkdir -p "$(dirname "$db")"
"$storeb" million-write "$db" "$repos" "$images" 127.0.0.1:1
echo "size on disk: $(du -sb "$(dirname "$db")" | awk '{printf "%.1f MB", $1/1e6}')"
load() { sed 's/ .*//' /proc/loadavg; }
for round in $(seq "$rounds"); do
  log="$work/state/regscope/regscope.log"
  rm -f "$log"
  l=$(load)
  tmux -L "$sock" -f /dev/null new-session -d -s b -x 200 -y 50 \
    -e "XDG_CACHE_HOME=$work/cache" -e "XDG_STATE_HOME=$work/state" \
    -e "XDG_CONFIG_HOME=$work/config" -e "XDG_DATA_HOME=$work/data" -e TERM=xterm-256color \
    "$regscope 127.0.0.1:1"
  for _ in $(seq 1200); do
    grep -q 'stored inventory drawn' "$log" 2>/dev/null && break
    sleep 0.1
  done
  pid=$(pgrep -f "^$regscope 127.0.0.1:1" | head -1)
  hwm=$(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status")
  rss=$(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status")
  tree=$(grep -o 'stored tree drawn ms=[0-9.]*' "$log" | head -1 | cut -d= -f2)
  all=$(grep -o 'stored inventory drawn ms=[0-9.]*' "$log" | head -1 | cut -d= -f2)
  first=$(grep -o 'first_frame_ms=[0-9.]*' "$log" | head -1 | cut -d= -f2)
  printf 'round %s: first frame %.1f ms, whole tree %.1f ms, every row %.1f ms; peak RSS %s (now %s); load %s\n' \
    "$round" "$first" "$tree" "$all" "$hwm" "$rss" "$l"
  tmux -L "$sock" send-keys -t b q
  for _ in $(seq 100); do tmux -L "$sock" has-session -t b 2>/dev/null || break; sleep 0.1; done
done
