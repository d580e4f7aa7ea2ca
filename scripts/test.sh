#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what the tests need, then every unit,
# integration, snapshot and end-to-end test against real servers on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
export PATH="$PWD/.venv/bin:$PATH"
# Servers the tests start are required under CI (a missing one fails, never skips).
cargo build --locked --bins
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
