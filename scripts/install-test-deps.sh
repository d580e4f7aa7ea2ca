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

# moto is pinned: its ECR emulation changes between releases (5.2.5 added
# BatchCheckLayerAvailability), and the tests assert what it answers.
moto_version=5.2.5
venv="$here/.venv"
have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)
if [ ! -x "$venv/bin/moto_server" ] || [ "$have" != "$moto_version" ]; then
  echo "install-test-deps: moto[server]==$moto_version into .venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$moto_version"
fi
echo "install-test-deps: ok"
