//! A campaign with its generated workbooks, and departments that fill them in by editing the
//! sheet XML (see `xlsx`): correctly, or with the mistakes people make.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use tianbao::form::fill_in::{FIRST_ITEM_ROW, FillIn as SheetLayout};
use tianbao::model::{Item, Master};
use tianbao::spec::Spec;
use tianbao::template::file_name;

use super::xlsx::{Cell, Xlsx, s};
use super::{init_campaign, tianbao};

pub struct Campaign {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub master: Master,
    pub spec: Spec,
    pub title: String,
}

impl Campaign {
    /// `init` + `generate` on the sample master.
    pub fn new() -> Campaign {
        let (tmp, dir) = init_campaign();
        Campaign::generated(tmp, dir)
    }

    /// `init` + `generate` on `source` written as the master.
    pub fn of_source(source: &tianbao_kit::source::MasterSource) -> Campaign {
        let tmp = tempfile::tempdir().unwrap();
        let master = super::write_variant(tmp.path(), "master.xlsx", source, &Default::default());
        let run = tianbao(
            tmp.path(),
            &["init", "c", "--master", master.to_str().unwrap()],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let dir = tmp.path().join("c");
        Campaign::generated(tmp, dir)
    }

    fn generated(tmp: tempfile::TempDir, dir: PathBuf) -> Campaign {
        let run = tianbao(&dir, &["generate"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let spec = Spec::builtin();
        let master =
            tianbao::master::read_master(&dir.join("master.xlsx"), &spec, &Default::default())
                .unwrap()
                .master;
        let config = std::fs::read_to_string(dir.join("tianbao.toml")).unwrap();
        let config: toml::Value = toml::from_str(&config).unwrap();
        let title = config["title"].as_str().unwrap().to_string();
        Campaign {
            tmp,
            dir,
            master,
            spec,
            title,
        }
    }

    pub fn items(&self, department: &str) -> Vec<&Item> {
        self.master
            .items()
            .iter()
            .filter(|i| i.departments.iter().any(|d| d == department))
            .collect()
    }

    pub fn outbox_file(&self, department: &str) -> PathBuf {
        self.dir
            .join("outbox")
            .join(file_name(&self.title, department))
    }

    /// The department's generated workbook, opened for editing.
    pub fn template(&self, department: &str) -> Xlsx {
        Xlsx::read(&std::fs::read(self.outbox_file(department)).unwrap())
    }

    fn layout(&self, department: &str) -> SheetLayout {
        let form = tianbao::form::Form::new(&self.master, &self.spec);
        SheetLayout::new(&form, &self.spec, self.items(department).len())
    }

    /// The A1 cell of an input of an item, as issued.
    pub fn cell(&self, department: &str, item: &str, key: &str) -> String {
        let index = self
            .items(department)
            .iter()
            .position(|i| i.id == item)
            .unwrap_or_else(|| panic!("{department} has no item {item}"));
        let col = self.layout(department).input_col(key).unwrap();
        tianbao::workbook::a1(FIRST_ITEM_ROW + index as u32, u32::from(col))
    }

    /// The A1 cell of a master column of an item, as issued.
    pub fn shown_cell(&self, department: &str, item: &str, shown: tianbao::spec::Shown) -> String {
        let index = self
            .items(department)
            .iter()
            .position(|i| i.id == item)
            .unwrap();
        let col = self.layout(department).shown_col(shown).unwrap();
        tianbao::workbook::a1(FIRST_ITEM_ROW + index as u32, u32::from(col))
    }

    /// The 1-based sheet row of an item, as issued.
    pub fn row(&self, department: &str, item: &str) -> u32 {
        let index = self
            .items(department)
            .iter()
            .position(|i| i.id == item)
            .unwrap();
        FIRST_ITEM_ROW + index as u32 + 1
    }

    pub fn signoff_cell(&self, department: &str, key: &str) -> String {
        let layout = self.layout(department);
        let row = layout.signoff.iter().find(|(k, _)| k == key).unwrap().1;
        tianbao::workbook::a1(row, u32::from(layout.signoff_value_col))
    }

    /// Fills every input correctly: full marks unless `scores` says otherwise (then a deduction
    /// reason too), a status, progress text, the sign-off.
    pub fn fill(&self, book: &mut Xlsx, department: &str, scores: &[(&str, f64)]) {
        let sheet = &self.spec.template.sheet;
        for item in self.items(department) {
            let weight: f64 = item
                .weight
                .unwrap_or(Decimal::ZERO)
                .to_string()
                .parse()
                .unwrap();
            let score = scores
                .iter()
                .find(|(id, _)| *id == item.id)
                .map_or(weight, |(_, s)| *s);
            book.set(
                sheet,
                &self.cell(department, &item.id, "score"),
                Cell::Num(score),
            );
            book.set(
                sheet,
                &self.cell(department, &item.id, "status"),
                s("已完成"),
            );
            book.set(
                sheet,
                &self.cell(department, &item.id, "progress"),
                s(&format!("{}：按计划完成，相关材料已归档。", item.id)),
            );
            if score < weight {
                book.set(
                    sheet,
                    &self.cell(department, &item.id, "deduction"),
                    s("部分工作未按时完成。"),
                );
            }
        }
        book.set(sheet, &self.signoff_cell(department, "filler"), s("张三"));
        book.set(
            sheet,
            &self.signoff_cell(department, "phone"),
            s("0595-22345678"),
        );
    }

    /// The department's workbook filled correctly.
    pub fn filled(&self, department: &str) -> Xlsx {
        let mut book = self.template(department);
        self.fill(&mut book, department, &[]);
        book
    }

    /// Puts a return into inbox/ under `name`.
    pub fn put(&self, name: &str, book: &Xlsx) -> PathBuf {
        let path = self.dir.join("inbox").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, book.to_bytes()).unwrap();
        path
    }

    pub fn put_bytes(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.join("inbox").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Puts a returned review workbook into review/, where the office puts it.
    pub fn put_review(&self, name: &str, book: &Xlsx) -> PathBuf {
        self.put_review_bytes(name, &book.to_bytes())
    }

    pub fn put_review_bytes(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.join("review").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Every department returns its workbook filled correctly.
    pub fn everyone_returns(&self) {
        for d in self.master.departments() {
            self.put(&format!("{}.xlsx", d.name), &self.filled(&d.name));
        }
    }

    pub fn run(&self, args: &[&str]) -> super::Run {
        tianbao(&self.dir, args)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }
}

/// The findings of `validate --json` as (file name, code, cell, item).
pub fn findings(json: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for ret in json["returns"].as_array().unwrap() {
        let path = ret["path"].as_str().unwrap();
        let name = Path::new(path.rsplit('!').next().unwrap())
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for f in ret["findings"].as_array().unwrap() {
            out.push((
                name.clone(),
                f["code"].as_str().unwrap().to_string(),
                f["cell"].as_str().unwrap_or("").to_string(),
                f["item"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    out
}
