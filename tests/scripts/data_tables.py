#!/usr/bin/env python3
"""Writes the data and progress tables of tests/data_tables.rs with openpyxl, as an office's
own program would make them (not through tianbao or rust_xlsxwriter).

    pip install openpyxl && python3 tests/scripts/data_tables.py tests/fixtures/data

Each table is one shape issue 21 names: the master's own fill-in columns (numbers with the unit
in the label, a percent formula, a status with its dropdown), targets with a direction, section
rows holding subtotals, units defined in a note, English unit names with spaces and a
Supporting units column, and the common labels of 督办 and 为民办实事 tables.
"""

import os
import sys

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.datavalidation import DataValidation

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def table(title, header, rows, widths=None, notes=(), sheet="Sheet1"):
    """A workbook: title merged over the header, the header, `rows`, then `notes`."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for row in rows:
        ws.append(row)
    for r in ws.iter_rows(min_row=2, max_row=ws.max_row):
        for c in r:
            c.border = BOX
            c.alignment = Alignment(wrap_text=True, vertical="center")
    for note in notes:
        ws.append([note])
    for i, w in enumerate(widths or [], start=1):
        ws.column_dimensions[chr(64 + i)].width = w
    return wb, ws


def investment(out):
    """项目投资月报: sections with subtotals (formulas with cached values are not written by
    openpyxl, so the sums are numbers as many offices type them), the office's own input
    columns 本月完成投资（万元）, 累计完成投资（万元）, a live 完成率（%） formula and 办理情况."""
    header = ["序号", "项目名称", "建设内容", "总投资（万元）", "年度计划（万元）", "责任单位",
              "本月完成投资（万元）", "累计完成投资（万元）", "完成率（%）", "办理情况"]
    rows = [
        ["一、产业项目", None, None, 30000, 12000, None, None, None, None, None],
        [1, "晋江纺织园扩建", "新建厂房5万平方米", 18000, 7000, "发改局", None, None, None, None],
        [2, "石狮服装城改造", "改造商铺1200间", 12000, 5000, "商务局", None, None, None, None],
        ["二、基础设施项目", None, None, 9500, 4200, None, None, None, None, None],
        [1, "城东污水处理厂", "日处理能力5万吨", 6000, 3000, "住建局", None, None, None, None],
        [2, "环城绿道", "建设绿道12公里", 3500, 1200, "住建局", None, None, None, None],
    ]
    wb, ws = table("2024年重点项目投资月报", header, rows, [6, 18, 20, 10, 10, 10, 12, 12, 10, 20])
    for r in (4, 5, 7, 8):
        ws.cell(row=r, column=9).value = f"=IF(E{r}=0,\"\",H{r}/E{r})"
        ws.cell(row=r, column=9).number_format = "0.0%"
    wb.save(os.path.join(out, "investment.xlsx"))


def supervision(out):
    """督办台账: 督办事项, 交办领导, a 办理状态 column with the office's own dropdown."""
    header = ["序号", "督办事项", "交办领导", "责任单位", "完成时限", "办理状态", "办理情况"]
    rows = [
        [1, "推进老旧小区改造", "王副市长", "住建局", "2024年6月", None, None],
        [2, "解决城区停车难问题", "李副市长", "交通局", "2024年9月", None, None],
        [3, "整治内河黑臭水体", "王副市长", "生态环境局", "2024年12月", None, None],
    ]
    wb, ws = table("市政府督办事项台账", header, rows, [6, 26, 10, 12, 12, 10, 24])
    dv = DataValidation(type="list", formula1='"已办结,正在办理,未启动"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("F3:F5")
    wb.save(os.path.join(out, "supervision.xlsx"))


def targets(out):
    """环境质量目标统计表: targets by their usual names, each with a direction."""
    header = ["序号", "指标名称", "单位", "年度目标值", "责任单位", "备注"]
    rows = [
        [1, "PM2.5年均浓度", "微克/立方米", "≤22", "大气科", None],
        [2, "PM10年均浓度", "微克/立方米", "不高于40", "大气科", None],
        [3, "空气质量优良天数比例", "%", "≥96%", "大气科", None],
        [4, "地表水优良水质比例", "%", "不低于95%", "水科", None],
        [5, "化学需氧量排放量", "吨", "下降3%", "水科", "较上年"],
        [6, "臭氧浓度", "微克/立方米", "≤21", "大气科", None],
    ]
    wb, _ = table("2024年环境质量目标统计表", header, rows, [6, 24, 12, 12, 10, 10])
    wb.save(os.path.join(out, "targets.xlsx"))


def counties(out):
    """各县（市、区）指标分解表 whose units are defined in a note with 包括 and quotes."""
    header = ["序号", "工作任务", "目标值", "责任单位", "完成时限"]
    rows = [
        [1, "完成造林绿化面积", "1000亩", "各县（市、区）", "2024年11月"],
        [2, "建成生活垃圾分类示范小区", "5个", "各县（市、区）", "2024年12月"],
        [3, "编制全市国土空间规划", "完成报批", "自然资源局", "2024年10月"],
    ]
    notes = ["注：“各县（市、区）”包括鲤城区、丰泽区、洛江区。"]
    wb, _ = table("2024年市级指标分解表", header, rows, [6, 30, 12, 16, 12], notes)
    wb.save(os.path.join(out, "counties.xlsx"))


def english(out):
    """An English task list: unit names with spaces, a Supporting units column."""
    header = ["No.", "Action", "Lead", "Supporting units", "Deadline"]
    rows = [
        [1, "Publish the annual air quality report", "Bureau of Ecology and Environment",
         "Bureau of Statistics", "June 2024"],
        [2, "Fund the river clean-up", "Bureau of Finance",
         "Bureau of Ecology and Environment; Water Resources Bureau", "September 2024"],
        [3, "Open two new monitoring stations", "Bureau of Ecology and Environment", None,
         "December 2024"],
    ]
    wb, _ = table("2024 Environment Task List", header, rows, [6, 40, 30, 40, 14])
    wb.save(os.path.join(out, "english.xlsx"))


def livelihood(out):
    """为民办实事项目表: 具体举措 and 分管市领导, lead and cooperating units."""
    header = ["序号", "项目名称", "具体举措", "分管市领导", "牵头单位", "配合单位", "完成时限"]
    rows = [
        [1, "老年助餐服务", "新建社区老年助餐点50个", "张副市长", "民政局", "财政局、商务局", "2024年10月"],
        [2, "城市书房建设", "建成城市书房10个", "陈副市长", "文旅局", "财政局", "2024年11月"],
        [3, "口袋公园", "新建口袋公园20个", "王副市长", "住建局", None, "2024年12月"],
    ]
    wb, _ = table("2024年为民办实事项目表", header, rows, [6, 16, 26, 12, 10, 16, 12])
    wb.save(os.path.join(out, "livelihood.xlsx"))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/data"
    os.makedirs(out, exist_ok=True)
    for make in (investment, supervision, targets, counties, english, livelihood):
        make(out)


if __name__ == "__main__":
    main()
