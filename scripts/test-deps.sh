#!/usr/bin/env bash
# Makes sure the Debian packages the tests need are present: Chromium for the webview and end-to-end
# tests, and a C/C++ toolchain with Kerberos headers for code-server's native modules (test/e2e).
# On this kind of machine we are root and apt works; elsewhere it prints the command to run.
set -euo pipefail
packages=(chromium fonts-dejavu-core libkrb5-dev build-essential python3 pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
echo "test-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  echo "test-deps: not root; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
