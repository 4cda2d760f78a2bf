# Shared environment of scripts/serve, scripts/test and scripts/bench (sourced, not run).
# shellcheck shell=bash
GENLAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GENLAB_ROOT
# One cargo target dir per machine, outside the clone, so Burn's build stays warm across clones
# (CI clones afresh every run).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/genlab/target}"
# binaryen's wasm-opt 132 (from npm) must win over any other on PATH: Debian's corrupts modules.
export PATH="$GENLAB_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
