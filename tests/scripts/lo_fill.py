"""Fill cells of a workbook through LibreOffice, as a person would, and save it in other formats.

usage: python3 lo_fill.py INPUT OUT_BASE CELLS_JSON
CELLS_JSON maps "A1"-style cells of the first sheet, or "Sheet!A1" cells of a named sheet, to
values (numbers stay numbers).
Writes OUT_BASE.xlsx, OUT_BASE.xls and OUT_BASE.ods.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.append("/usr/lib/libreoffice/program")
import uno  # noqa: E402
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.connection import NoConnectException  # noqa: E402


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main():
    source, out_base, cells = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    pipe = "tianbao%d" % os.getpid()
    office = subprocess.Popen([
        "soffice", "--headless", "--invisible", "--norestore", "--nologo",
        "-env:UserInstallation=file://" + profile,
        "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe,
    ])
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    for _ in range(120):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except NoConnectException:
            time.sleep(0.25)
    if ctx is None:
        office.kill()
        sys.exit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
    first = doc.Sheets.getByIndex(0)
    for ref, value in cells.items():
        sheet = first
        if "!" in ref:
            name, ref = ref.rsplit("!", 1)
            sheet = doc.Sheets.getByName(name)
        cell = sheet.getCellRangeByName(ref)
        if isinstance(value, (int, float)):
            cell.setValue(value)
        else:
            cell.setString(value)
    filters = {"xlsx": "Calc MS Excel 2007 XML", "xls": "MS Excel 97", "ods": "calc8"}
    for ext, name in filters.items():
        doc.storeToURL(uno.systemPathToFileUrl(out_base + "." + ext), (prop("FilterName", name),))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()


main()
