#!/usr/bin/env bash
# Rebuilds the GraphiQL assets shipped in aggregator/server/static/graphiql/.
# Needs Node 20+ and the npm registry; the gateway itself never needs Node.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node build.mjs
