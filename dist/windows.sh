#!/usr/bin/env bash
# Builds tianbao.exe for 64-bit Windows (cross-built with MinGW) and packs
# OUT_DIR/tianbao-<version>-windows-x86_64.zip: tianbao.exe, 使用说明.txt, samples/.
#
#   dist/windows.sh [OUT_DIR]        # OUT_DIR defaults to dist/out
#
# Needs: rustup target add x86_64-pc-windows-gnu; apt-get install gcc-mingw-w64-x86-64 python3
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$repo/dist/out}"
target=x86_64-pc-windows-gnu

fail() {
    echo "dist/windows.sh: $*" >&2
    exit 2
}
command -v x86_64-w64-mingw32-gcc >/dev/null ||
    fail "the MinGW linker x86_64-w64-mingw32-gcc is missing: apt-get install -y gcc-mingw-w64-x86-64"
command -v python3 >/dev/null || fail "python3 is missing: apt-get install -y python3"
[ -d "$(rustc --print target-libdir --target "$target" 2>/dev/null)" ] ||
    fail "the Rust target $target is missing: rustup target add $target"

cd "$repo"
version="$(cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["packages"][0]["version"])')"
cargo build --release --locked --target "$target"
exe="$repo/target/$target/release/tianbao.exe"

mkdir -p "$out"
zip="$out/tianbao-$version-windows-x86_64.zip"
python3 "$repo/dist/windows/pack.py" --exe "$exe" --version "$version" --repo "$repo" --out "$zip"
