//! The documentation kept true by the code: `docs/FINDINGS.md` is generated from
//! [`Code::ALL`] and the built-in spec's messages (with the severity and English meaning of
//! each code written down here), `ARCHITECTURE.md` names every top-level module, and every
//! relative link or picture in the Markdown files points to a file that exists.
//!
//!     cargo test --test docs                    # check
//!     UPDATE_DOCS=1 cargo test --test docs      # rewrite docs/FINDINGS.md

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tianbao::finding::Code;
use tianbao::spec::Spec;

/// Each code's severity and what it means, in English, written by a person: the code knows the
/// severity only where a finding is made (and `item_hidden` is either). A code of
/// [`Code::ALL`] missing here fails [`findings_md_lists_every_code`].
const DESCRIPTIONS: &[(&str, &str, &str)] = &[
    // Reading a master table (`tianbao inspect`, `init`, `generate`).
    (
        "id_malformed",
        "error",
        "an id that is no number (`4-x`, a sentence)",
    ),
    (
        "id_missing",
        "error",
        "a row with a weight or task but no id (in a table with ids)",
    ),
    (
        "id_duplicate",
        "error",
        "an id twice, not explained by sections",
    ),
    ("weight_missing", "error", "the weight cell is empty"),
    ("weight_not_number", "error", "the weight is not a number"),
    ("weight_negative", "error", "the weight is below 0"),
    (
        "departments_missing",
        "error",
        "an item with no responsible department",
    ),
    (
        "department_invalid",
        "warning",
        "a responsible unit that is not a name (empty, only dots or punctuation, as `..` of `../../科室`): no workbook is made for it",
    ),
    (
        "units_defined_twice",
        "error",
        "a token (各县（市、区）) defined by two notes with different lists: both cells named, the first used",
    ),
    (
        "names_repaired",
        "warning",
        "joined department names were split to match the persons",
    ),
    (
        "names_mismatch",
        "warning",
        "departments and persons cannot be paired",
    ),
    (
        "task_empty",
        "warning",
        "an item without 二级指标 where the table has that column",
    ),
    (
        "text_unterminated",
        "warning",
        "a long task written in sentences that ends without punctuation (maybe cut off)",
    ),
    (
        "group_points_mismatch",
        "warning",
        "a group's declared points (end of 一级指标) ≠ its weights",
    ),
    (
        "category_points_mismatch",
        "warning",
        "a category's declared points ≠ its weights",
    ),
    (
        "section_sum_mismatch",
        "warning",
        "a section row's figure (一、产业项目 with 总投资 30000) ≠ the sum of its items'",
    ),
    (
        "subtotal_mismatch",
        "warning",
        "a 合计 row ≠ the weights it adds up",
    ),
    (
        "total_mismatch",
        "warning",
        "a total row ≠ the weights it adds up",
    ),
    (
        "total_unexpected",
        "warning",
        "all weights do not add up to the expected total (100)",
    ),
    (
        "id_assigned",
        "warning",
        "the table has no ids: tianbao numbered its items",
    ),
    (
        "id_qualified",
        "warning",
        "ids restart in each section, or one id is merged over several items: told apart by section or position",
    ),
    (
        "weight_text",
        "warning",
        "a weight written as text (`8分`, `５`, `20%`), read as a number",
    ),
    (
        "weight_percent",
        "warning",
        "percent cells adding up to 1, read as percentages",
    ),
    (
        "weight_merged",
        "error",
        "one weight cell merged over several items",
    ),
    (
        "units_expanded",
        "warning",
        "a name for all units (`各县（市、区）`) expanded to the list given",
    ),
    (
        "units_unknown",
        "error",
        "a name for all units with no list: says how to give one",
    ),
    (
        "row_hidden",
        "warning",
        "an item in a hidden row (read as an item)",
    ),
    // Reading returns (`tianbao validate`, `status`, `compile`).
    (
        "unreadable",
        "error",
        "not a spreadsheet, truncated or damaged",
    ),
    ("encrypted", "error", "password-protected file or zip entry"),
    (
        "too_large",
        "error",
        "over a limit in `[limits]` (file size, unpacked zip size, rows, columns, text length), or a nested zip bomb (a fixed limit, no setting to raise)",
    ),
    (
        "not_a_template",
        "error",
        "no tianbao identity (e.g. the master itself, or another workbook)",
    ),
    (
        "foreign_campaign",
        "error",
        "a workbook of another campaign",
    ),
    (
        "stale_template",
        "error",
        "same campaign, issued from an older master or round: says which and what to do",
    ),
    (
        "period_other",
        "error",
        "a workbook of another period (or issued before the campaign ran in periods): never counted for the current one",
    ),
    (
        "signature_invalid",
        "error",
        "the identity was altered or copied from another department's workbook",
    ),
    (
        "secret_changed",
        "error",
        "no workbook of the campaign verifies: the signing secret in tianbao.toml seems changed",
    ),
    (
        "replacement_unconfirmed",
        "error",
        "a return would replace a valid one of other content: a person confirms with `validate --accept FILE`",
    ),
    (
        "not_validated",
        "error",
        "a file new, changed or gone since the last `validate` run: `compile` names it and writes nothing until it is validated (`--revalidate` does both)",
    ),
    (
        "sheet_missing",
        "error",
        "the fill-in sheet or its header is gone",
    ),
    (
        "locked_cell_changed",
        "error",
        "a master cell (text, weight) differs from what was issued",
    ),
    ("item_missing", "error", "an issued item's row was deleted"),
    ("item_unexpected", "error", "a row was added"),
    ("item_duplicated", "error", "an item's row was copied"),
    (
        "required_missing",
        "error",
        "a required input (or sign-off field) is empty",
    ),
    ("not_a_number", "error", "a score that is not a number"),
    (
        "out_of_range",
        "error",
        "a score below 0 or above the item's weight",
    ),
    (
        "bad_precision",
        "error",
        "more decimals than the spec allows",
    ),
    ("choice_invalid", "error", "a value not among the choices"),
    (
        "required_when",
        "error",
        "扣分原因 empty while 自评得分 < 权重",
    ),
    (
        "date_invalid",
        "error",
        "a date input that is not a date (2024-03-15, 2024年3月15日, 2024/3/15 or a date cell are read)",
    ),
    ("text_too_long", "error", "over the spec's length"),
    (
        "phone_invalid",
        "error",
        "联系电话 does not look like a phone number",
    ),
    (
        "formula_in_input",
        "error",
        "an input cell holds a formula: its cached value is never counted (the message quotes the formula)",
    ),
    (
        "input_column_duplicate",
        "error",
        "a second column (visible or hidden) carries an input's label: both cells named",
    ),
    (
        "input_column_hidden",
        "error",
        "an input column is hidden: its content is not taken",
    ),
    (
        "item_hidden",
        "warning / error",
        "an item row of a return is hidden (in a 核定表: an error where a hidden row holds a review or a 加减分 entry, which is not counted)",
    ),
    (
        "value_coerced",
        "warning",
        "a value read leniently: `1.5分`, `１．５`, surrounding spaces, a near choice",
    ),
    (
        "duplicate_return",
        "warning",
        "a department sent several workbooks: which one is used and why",
    ),
    (
        "missing_return",
        "error",
        "a department with no usable return (with its persons)",
    ),
    (
        "evidence_missing",
        "warning",
        "a file named in 佐证材料 is not beside the return",
    ),
    (
        "signoff_mismatch",
        "error",
        "填报部门（盖章） or 填报人 names another department, or a person only another department has (both named, with the cell)",
    ),
    (
        "submitted_by_other",
        "warning",
        "a department's return came in a folder or zip named after another department (`inbox/执法支队/`, `执法支队（第二次）.zip`)",
    ),
    (
        "sheet_hidden",
        "error",
        "a hidden (or very hidden) sheet holds a fill-in or review form: never read, named",
    ),
    (
        "macros_inside",
        "error",
        "the workbook holds macros (VBA `vbaProject.bin`, whatever its extension; Basic in .ods): refused, the file left as it is",
    ),
    (
        "too_many_returns",
        "error",
        "one folder or zip of the inbox holds more workbooks than `limits.max_per_department` (or the run more than `limits.max_files`): that source is refused whole, the others are read",
    ),
    // The assessment group's review workbook (`tianbao review`).
    (
        "review_reason_missing",
        "error",
        "a 核定得分 that differs from the 自评得分 without a 核定说明",
    ),
    (
        "adjust_over_cap",
        "error",
        "a department's 加减分 entries of one category add up to more than the category's cap per department (the rows named)",
    ),
    (
        "review_stale",
        "error",
        "the 核定表 was made before the master's rows or a department's counted return changed: `compile` refuses it, `tianbao review` issues the next round",
    ),
    (
        "review_misplaced",
        "error",
        "a 核定表 anywhere but review/ (a department's folder, zip or upload): never counted",
    ),
    (
        "entry_outside",
        "error",
        "a 核定得分/核定说明 below the review's rows, or a 加减分 entry past its numbered table: never counted",
    ),
    (
        "sheet_unexpected",
        "error",
        "a 核定表 sheet other than 核定表 and 加减分 holds content (e.g. `加减分(续)`): never read",
    ),
];

const UPDATE_HINT: &str = "run `UPDATE_DOCS=1 cargo test --test docs` to rewrite it";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A table cell: pipes escaped, line breaks as spaces.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// The whole text of `docs/FINDINGS.md`, from the codes and the built-in spec.
fn findings_md() -> String {
    let spec = Spec::builtin();
    let mut problems = Vec::new();
    let known: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    for (code, _, _) in DESCRIPTIONS {
        if !known.contains(code) {
            problems.push(format!(
                "tests/docs.rs describes `{code}`, which is not in Code::ALL: remove it"
            ));
        }
    }
    let mut out = String::from(
        "# Finding codes\n\
         \n\
         <!-- Generated by tests/docs.rs from tianbao::finding::Code::ALL and the built-in spec\n\
         \x20    (templates/default.toml). Do not edit by hand: edit the severities and meanings in\n\
         \x20    tests/docs.rs and run `UPDATE_DOCS=1 cargo test --test docs`. -->\n\
         \n\
         Every finding tianbao reports has a stable code: `--json` gives it as `code` (with\n\
         `variant` where a code has several messages), the report workbook (校验报告.xlsx) lists\n\
         it, and a spec's `[messages]` table is keyed on it (`stale_template`,\n\
         `stale_template.round`). An **error** makes a master unusable for `generate`, or a return\n\
         invalid (it is never compiled); a **warning** is told and stops nothing (`validate\n\
         --max-warnings N` caps how many are shown). Messages are in the spec's language, name the\n\
         file, sheet, cell and item, and say what to do; the Chinese ones below are those of the\n\
         built-in spec, with `{placeholders}` for the arguments of each finding. The English ones\n\
         are in `templates/en.toml`. The codes come in the order of `src/finding.rs`: reading a\n\
         master table, reading returns, the assessment group's review workbook.\n\
         \n\
         | code | severity | meaning | message (built-in Chinese spec) | variants |\n\
         |---|---|---|---|---|\n",
    );
    for code in Code::ALL {
        let name = code.as_str();
        let Some((_, severity, meaning)) = DESCRIPTIONS.iter().find(|(c, ..)| *c == name) else {
            problems.push(format!(
                "`{name}` (Code::ALL) has no severity and English meaning in DESCRIPTIONS of \
                 tests/docs.rs: add one (its English message is in templates/en.toml)"
            ));
            continue;
        };
        let Some(message) = spec.messages.get(name) else {
            problems.push(format!(
                "`{name}` has no message in the built-in spec (templates/default.toml)"
            ));
            continue;
        };
        let prefix = format!("{name}.");
        let variants: Vec<String> = spec
            .messages
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|v| format!("`{v}`"))
            .collect();
        out.push_str(&format!(
            "| `{name}` | {severity} | {} | {} | {} |\n",
            cell(meaning),
            cell(message),
            variants.join(", "),
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    out
}

/// With `UPDATE_DOCS=1`, writes `docs/FINDINGS.md` and says so.
fn update_findings_md() -> bool {
    if std::env::var_os("UPDATE_DOCS").is_none_or(|v| v != "1") {
        return false;
    }
    let path = root().join("docs/FINDINGS.md");
    std::fs::write(&path, findings_md()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    true
}

#[test]
fn findings_md_lists_every_code() {
    if update_findings_md() {
        return;
    }
    let path = root().join("docs/FINDINGS.md");
    let expected = findings_md();
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual != expected {
        let first = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        panic!(
            "docs/FINDINGS.md is not what the codes and the built-in spec make (first difference \
             at line {}: expected {:?}, found {:?}); {UPDATE_HINT}",
            first + 1,
            expected.lines().nth(first).unwrap_or("<end of file>"),
            actual.lines().nth(first).unwrap_or("<end of file>"),
        );
    }
}

/// The modules a file declares at its top level: `pub mod x;`, `mod x;`, `pub(crate) mod x;`.
fn modules(source: &str) -> Vec<String> {
    source
        .lines()
        .map(str::trim)
        .filter_map(|line| {
            let rest = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))
                .or_else(|| line.strip_prefix("pub(crate) mod "))?;
            Some(rest.strip_suffix(';')?.trim().to_string())
        })
        .collect()
}

#[test]
fn architecture_names_every_module() {
    let architecture = read(&root().join("ARCHITECTURE.md"));
    let mut declared = modules(&read(&root().join("src/lib.rs")));
    assert!(
        declared.len() > 10,
        "src/lib.rs declares too few modules ({declared:?}): is the parser right?"
    );
    declared.extend(modules(&read(&root().join("src/main.rs"))));
    let missing: Vec<&String> = declared
        .iter()
        .filter(|m| !architecture.contains(&format!("`{m}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name these modules (as `name`): {missing:?}; add them to its \
         module map"
    );
}

/// The Markdown files whose links are checked: README.md, ARCHITECTURE.md, BENCHMARKS.md and
/// docs/*.md.
fn markdown_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "BENCHMARKS.md"]
        .iter()
        .map(|f| root().join(f))
        .collect();
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ is there")
        .map(|e| e.expect("docs/ is readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// Drops `code spans` from a line, so that `[a](b)` inside one is not taken for a link.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let fence = &rest[start..start + ticks];
        let after = &rest[start + ticks..];
        match after.find(fence) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The targets of the inline links and pictures (`[text](target)`, `![alt](target)`) and of
/// the reference definitions (`[name]: target`) of a Markdown text, outside code blocks and
/// code spans, with the line each is on.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            targets.push((number + 1, after[..end].to_string()));
            rest = &after[end..];
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('[')
            && let Some(close) = trimmed.find("]:")
        {
            targets.push((number + 1, trimmed[close + 2..].to_string()));
        }
    }
    targets
}

#[test]
fn readme_links_resolve() {
    // The generated file may not be there yet when it is being made.
    update_findings_md();
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let text = read(&file);
        let dir = file.parent().expect("a file has a folder");
        for (line, target) in link_targets(&text) {
            // `<path>` and `path "title"` forms; the anchor does not name a file.
            let target = target.trim().trim_start_matches('<');
            let target = target.split_whitespace().next().unwrap_or("");
            let target = target.trim_end_matches('>');
            let path = target.split(['#', '?']).next().unwrap_or("");
            if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let resolved = if let Some(absolute) = path.strip_prefix('/') {
                root().join(absolute)
            } else {
                dir.join(path)
            };
            if !resolved.exists() {
                broken.push(format!(
                    "{}:{line}: {target} (no {})",
                    file.strip_prefix(root()).unwrap_or(&file).display(),
                    resolved.display()
                ));
            }
        }
    }
    assert!(
        checked > 10,
        "only {checked} links found: is the parser right?"
    );
    assert!(
        broken.is_empty(),
        "links to files that do not exist:\n{}",
        broken.join("\n")
    );
}

#[test]
fn link_parser_reads_links_and_skips_code() {
    let text = "see [a](x.md) and ![p](img/p.png \"title\")\n\
                `[not](code.md)` here\n\
                ```\n[not](fenced.md)\n```\n\
                [ref]: ../y.md#part\n";
    let targets: Vec<String> = link_targets(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        targets,
        ["x.md", "img/p.png \"title\"", " ../y.md#part"].map(String::from)
    );
    assert_eq!(
        modules("pub mod a;\n#[cfg(x)]\npub mod b;\nmod c;\nuse d;\n"),
        ["a", "b", "c"]
    );
}
