#!/usr/bin/env bash
# Makes the README's pictures of `tianbao serve` again (docs/serve-*.png): the real-browser test
# (tests/browser.rs, Debian chromium + chromium-driver) photographs each page it visits.
set -euo pipefail
cd "$(dirname "$0")/../.."
TIANBAO_BROWSER=1 TIANBAO_SCREENSHOTS="$PWD/docs" cargo test --test browser
