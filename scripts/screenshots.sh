#!/usr/bin/env bash
# Regenerates the README's TUI screenshots (assets/*.svg) from the program itself: each
# view is drawn into a ratatui TestBackend with a synthetic fleet and a fixed clock, then
# the buffer is written as SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --example screenshots
