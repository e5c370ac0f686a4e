#!/usr/bin/env python3
"""Packs the Windows zip: tianbao.exe, 使用说明.txt and the samples (dist/windows.sh calls this).

Entry names are UTF-8, and every non-ASCII one carries the UTF-8 flag (bit 11, 0x800; Python's
zipfile sets it for such names), so Windows Explorer, 7-Zip and Bandizip show the Chinese names
rather than decoding them as GBK; ASCII names read the same in every encoding. Text files
get CRLF line endings and a UTF-8 byte order mark: without the mark, Notepad before Windows 10
1903 and other Windows editors may take UTF-8 for the ANSI code page (GBK on Chinese Windows) and
show mojibake, and Notepad before Windows 10 1809 shows LF-only text as one line. tianbao reads a
tianbao.toml with a BOM and CRLF like any other. Only the standard library is used.

usage: pack.py --exe EXE --version VERSION --repo DIR --out ZIP
"""

import argparse
import os
import sys
import time
import zipfile

TEXT_SUFFIXES = (".txt", ".toml")
UTF8_FLAG = 0x800
# Left out of samples/campaign: outputs of earlier runs, lock and temporary files.
SKIP_DIRS = {"out", "outbox"}


def skipped_file(name):
    return (
        name == ".tianbao.lock"
        or name.endswith(".tmp")
        or name.startswith("~$")
        or name.startswith(".~lock.")
    )


def windows_text(data):
    """UTF-8 with BOM and CRLF line endings."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def entries(args):
    """(name in the zip, bytes), in the zip's order."""
    with open(args.exe, "rb") as f:
        yield "tianbao.exe", f.read()
    with open(os.path.join(args.repo, "dist", "windows", "使用说明.txt"), "rb") as f:
        guide = f.read().decode("utf-8").replace("@VERSION@", args.version)
        yield "使用说明.txt", guide.encode("utf-8")
    samples = os.path.join(args.repo, "samples")
    with open(os.path.join(samples, "master.xlsx"), "rb") as f:
        yield "samples/master.xlsx", f.read()
    campaign = os.path.join(samples, "campaign")
    for root, dirs, files in os.walk(campaign):
        if root == campaign:
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        dirs.sort()
        for name in sorted(files):
            if skipped_file(name):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, samples).replace(os.sep, "/")
            with open(path, "rb") as f:
                yield "samples/" + rel, f.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exe", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    # One timestamp for every entry: SOURCE_DATE_EPOCH when given (reproducible zips), else now.
    stamp = time.localtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))
    date_time = tuple(max(v, m) for v, m in zip(stamp[:6], (1980, 1, 1, 0, 0, 0)))

    tmp = args.out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in entries(args):
            if name.endswith(TEXT_SUFFIXES):
                data = windows_text(data)
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            # Made on Unix (as zipfile records by default): unzip and zipinfo translate the names
            # of "MS-DOS" entries from the OEM code page despite the UTF-8 flag; Windows' readers
            # go by the flag. Mode bits for Unix, the archive attribute for Windows.
            mode = 0o100755 if name.endswith(".exe") else 0o100644
            info.create_system = 3
            info.external_attr = (mode << 16) | 0x20
            zf.writestr(info, data, compresslevel=9)
    os.replace(tmp, args.out)

    with zipfile.ZipFile(args.out) as zf:
        for info in zf.infolist():
            assert info.filename.isascii() or info.flag_bits & UTF8_FLAG, info.filename
            print(f"{info.file_size:>10} {info.compress_size:>10}  {info.filename}")
    print(f"{os.path.getsize(args.out):>10} bytes  {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
