#!/usr/bin/env bash
# Regenerates the man pages in docs/man from the clap definitions (one page per command).
# tests/it/cli_docs.rs fails when they are stale; run this after changing a command.
set -euo pipefail
cd "$(dirname "$0")/.."
REGSCOPE_UPDATE_MAN=1 cargo test --locked --test it cli_docs::man_pages_are_current -- --exact
ls docs/man
