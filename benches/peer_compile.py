"""The peer of `tianbao compile` in the scale benchmark: what a savvy office programmer writes
instead. It reads every returned workbook in a folder with python-calamine, takes each
department's rows from its fill-in sheet (found by the 序号 and 自评得分 labels of its header),
scores every item by the lowest of its departments' scores, and writes one consolidated sheet
with xlsxwriter: one row per item and department, then the item scores and the total.

    python3 benches/peer_compile.py INBOX OUT.xlsx

It checks nothing (no signature, no locked cells, no ranges): it is the floor of what a
compile must do, not an equal.
"""

import os
import sys
from decimal import Decimal

from python_calamine import CalamineWorkbook
import xlsxwriter


def rows_of(path):
    book = CalamineWorkbook.from_path(path)
    sheet = book.get_sheet_by_name("填报表").to_python()
    header = next(i for i, row in enumerate(sheet[:30]) if "序号" in row and any(str(c).startswith("自评得分") for c in row))
    labels = [str(c).rstrip("*") for c in sheet[header]]
    id_col, score_col = labels.index("序号"), labels.index("自评得分")
    status_col, progress_col = labels.index("完成情况"), labels.index("工作进展及成效")
    department = str(sheet[1][0]).split("：")[1].split()[0] if sheet[1] else ""
    out = []
    for row in sheet[header + 1:]:
        if not row or str(row[0]).startswith("自评得分合计"):
            break
        if row[id_col] != "":
            out.append((str(row[id_col]), department, row[score_col], (row[status_col], row[progress_col])))
    return out


def main():
    inbox, out = sys.argv[1], sys.argv[2]
    parts = []
    for name in sorted(os.listdir(inbox)):
        if name.endswith(".xlsx"):
            parts.extend(rows_of(os.path.join(inbox, name)))
    scores = {}
    for item, _, score, _ in parts:
        value = Decimal(str(score)) if score != "" else None
        if value is not None:
            scores[item] = min(scores.get(item, value), value)
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("汇总")
    sheet.write_row(0, 0, ["序号", "部门", "自评得分", "完成情况", "工作进展及成效"])
    for r, (item, department, score, row) in enumerate(parts, start=1):
        sheet.write_row(r, 0, [item, department, score, str(row[0]), str(row[1])])
    items = book.add_worksheet("得分")
    total = Decimal(0)
    for r, (item, score) in enumerate(sorted(scores.items()), start=0):
        items.write_row(r, 0, [item, float(score)])
        total += score
    items.write_row(len(scores), 0, ["合计", float(total)])
    book.close()


if __name__ == "__main__":
    main()
