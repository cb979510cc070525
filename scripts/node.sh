#!/usr/bin/env bash
# `scripts/node.sh ARGS...` is `node ARGS...` on Node 24 (scripts/use-node.sh): how `npm start`
# runs on a machine whose own Node is older (its npm installs, this runs).
set -euo pipefail
source "$(dirname "$0")/use-node.sh" 24
exec node "$@"
