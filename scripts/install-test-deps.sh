#!/usr/bin/env bash
# Installs what regscope's tests need on a fresh Debian machine, skipping what is present:
# the CNCF distribution registry, skopeo (independent checks and the benchmark peer),
# zstd, tmux (the end-to-end TUI test), and moto[server] in a virtualenv (ECR API tests).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

need_apt=()
for pair in docker-registry:docker-registry skopeo:skopeo zstd:zstd tmux:tmux; do
  bin=${pair%%:*} pkg=${pair##*:}
  command -v "$bin" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-test-deps: apt-get install ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${need_apt[@]}" >/dev/null
fi

venv="$here/.venv"
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "install-test-deps: moto[server] into .venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]>=5,<6'
fi
echo "install-test-deps: ok"
