//! The stamp: whom a return's sign-off names. Its 填报部门（盖章） and 填报人 are read against the
//! master's departments and their persons the way people really write them — the organisation
//! before the department (`泉州市生态环境局大气科`), spaces and full-width forms, `（盖章）` left in,
//! several names in one cell — and a return whose sign-off names another department, or a person
//! only another department has, is an error naming both (`signoff_mismatch`). The [`Roster`] of
//! names also tells which department a folder or zip is named after (see [`super::sender`]).

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::finding::{Code, Finding};
use crate::model::{Department, Master};

use super::CellValue;

/// The sign-off fields read for whom they name: the seal and the person who filled it in.
pub const CHECKED: [&str; 2] = ["seal", "filler"];

/// Words people write beside the names: the labels' own, the stamp's, titles (`陈曦科长`).
const NOISE: [&str; 21] = [
    "填报部门",
    "填报人",
    "经办人",
    "联系人",
    "负责人",
    "盖章",
    "公章",
    "印章",
    "签字",
    "签名",
    "副科长",
    "科长",
    "副主任",
    "主任",
    "副队长",
    "队长",
    "副局长",
    "局长",
    "科员",
    "同志",
    "代填",
];

/// The dots written inside names transcribed from other languages.
const MIDDLE_DOTS: [char; 4] = ['·', '•', '・', '‧'];

/// A text as names are compared in: half-width, ASCII in lower case, letters and digits only
/// (white space, punctuation, brackets and invisible characters dropped), so that
/// `大 气 科`, `大气科（盖章）` and `大气科。` all hold `大气科`.
pub fn squash(text: &str) -> String {
    crate::cell_text::to_halfwidth(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The master's departments and persons by the names people write.
#[derive(Debug)]
pub struct Roster<'m> {
    /// Each squashed department name and the departments of that name (one, unless two of the
    /// master's names squash alike), longest name first.
    departments: Vec<(String, Vec<&'m str>)>,
    /// Each squashed person name: the name as the master spells it, and the departments that
    /// have the person.
    persons: HashMap<String, (&'m str, Vec<&'m str>)>,
    /// Finds every department name in a text at once (pattern `i` is `departments[i]`), so
    /// that a text is read once however many departments there are.
    names: Option<aho_corasick::AhoCorasick>,
}

/// A department a text names: by its name, or by a person only it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention<'m> {
    pub department: &'m str,
    /// The person, as the master spells the name, when the department is named through one.
    pub person: Option<&'m str>,
}

impl<'m> Roster<'m> {
    pub fn new(master: &'m Master) -> Roster<'m> {
        Roster::of(master.departments())
    }

    /// The roster of these departments.
    pub fn of(list: &'m [Department]) -> Roster<'m> {
        let mut departments: IndexMap<String, Vec<&'m str>> = IndexMap::new();
        let mut persons: HashMap<String, (&'m str, Vec<&'m str>)> = HashMap::new();
        for dept in list {
            let name = squash(&dept.name);
            if !name.is_empty() {
                departments.entry(name).or_default().push(&dept.name);
            }
            for person in &dept.persons {
                let key = squash(person);
                if key.is_empty() {
                    continue;
                }
                let (_, of) = persons.entry(key).or_insert((person, Vec::new()));
                if !of.contains(&dept.name.as_str()) {
                    of.push(&dept.name);
                }
            }
        }
        let mut departments: Vec<(String, Vec<&'m str>)> = departments.into_iter().collect();
        departments.sort_by_key(|(name, _)| std::cmp::Reverse(name.chars().count()));
        let names = aho_corasick::AhoCorasick::new(departments.iter().map(|(n, _)| n)).ok();
        Roster {
            departments,
            persons,
            names,
        }
    }

    /// Every place a department name stands in `text`, overlapping ones too: (start, end,
    /// index into `departments`), by index and then start.
    fn occurrences(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let Some(names) = &self.names else {
            return Vec::new();
        };
        let mut all: Vec<(usize, usize, usize)> = names
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        all.sort_by_key(|&(start, _, index)| (index, start));
        all
    }

    /// Where department names stand in a squashed text: (start, end, index into
    /// `departments`), the longest match winning where one name lies inside another
    /// (`水生态科` is not also `生态科`).
    fn spans(&self, squashed: &str) -> Vec<(usize, usize, usize)> {
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for (start, end, index) in self.occurrences(squashed) {
            // Longer names come first: a span inside one already found is part of it.
            if !found.iter().any(|&(s, e, _)| s <= start && end <= e) {
                found.push((start, end, index));
            }
        }
        found.sort();
        found
    }

    /// The departments `text` names, by name or through a person, each once, in the order
    /// they appear (by name before through a person). A person two departments have is
    /// nobody's in particular and names neither.
    pub fn mentions(&self, text: &str) -> Vec<Mention<'m>> {
        let mut out: Vec<Mention<'m>> = Vec::new();
        let mut add = |mention: Mention<'m>| {
            if !out.iter().any(|m| m.department == mention.department) {
                out.push(mention);
            }
        };
        for (_, _, index) in self.spans(&squash(text)) {
            if let [department] = self.departments[index].1.as_slice() {
                add(Mention {
                    department,
                    person: None,
                });
            }
        }
        for token in self.person_tokens(text) {
            if let Some((person, [department])) =
                self.persons.get(&token).map(|(p, of)| (*p, of.as_slice()))
            {
                add(Mention {
                    department,
                    person: Some(person),
                });
            }
        }
        out
    }

    /// The words of `text` that may be persons' names, squashed: parts between separators
    /// (anything but letters, digits and spaces: 、，/ brackets colons …), a part spaced out
    /// one character at a time (`王 聪 坤`) read as one word, other spaced parts split, and what
    /// department names and noise words (`盖章`) stand in each word cut out of it
    /// (`大气科王聪坤` holds `王聪坤`).
    fn person_tokens(&self, text: &str) -> Vec<String> {
        let half = crate::cell_text::to_halfwidth(text);
        let mut words: Vec<String> = Vec::new();
        // A middle dot belongs to the name it stands in (`阿依古丽·买买提`).
        let separator =
            |c: char| !(c.is_alphanumeric() || c.is_whitespace() || MIDDLE_DOTS.contains(&c));
        for part in half.split(separator) {
            let pieces: Vec<&str> = part.split_whitespace().collect();
            if pieces.len() > 1 && pieces.iter().all(|p| p.chars().count() == 1) {
                words.push(pieces.concat());
            } else {
                words.extend(pieces.into_iter().map(str::to_string));
            }
        }
        let mut tokens = Vec::new();
        for word in words {
            let word = squash(&word);
            let mut cuts: Vec<(usize, usize)> = self
                .spans(&word)
                .into_iter()
                .map(|(s, e, _)| (s, e))
                .collect();
            for noise in NOISE {
                cuts.extend(word.match_indices(noise).map(|(s, n)| (s, s + n.len())));
            }
            cuts.sort();
            let mut at = 0;
            for (start, end) in cuts {
                if start > at {
                    tokens.push(word[at..start].to_string());
                }
                at = at.max(end);
            }
            if at < word.len() {
                tokens.push(word[at..].to_string());
            }
        }
        tokens.retain(|t| !t.is_empty());
        tokens
    }

    /// The one department a folder or zip name is named after: the name itself, or a name that
    /// starts or ends with it (`大气科-回传`, `回传大气科`, `大气科（第二次）`), the longest winning;
    /// none when it names none, or two that neither holds the other.
    pub fn department_named(&self, name: &str) -> Option<&'m str> {
        let name = squash(name);
        let mut at_an_end: Vec<usize> = self
            .occurrences(&name)
            .into_iter()
            .filter(|&(start, end, _)| start == 0 || end == name.len())
            .map(|(_, _, index)| index)
            .collect();
        at_an_end.dedup();
        let mut found: Vec<&(String, Vec<&'m str>)> =
            at_an_end.iter().map(|&i| &self.departments[i]).collect();
        // The longest first: drop the names inside a longer one found.
        let mut kept: Vec<&(String, Vec<&'m str>)> = Vec::new();
        for candidate in found.drain(..) {
            if !kept.iter().any(|(k, _)| k.contains(candidate.0.as_str())) {
                kept.push(candidate);
            }
        }
        match kept.as_slice() {
            [(_, departments)] if departments.len() == 1 => Some(departments[0]),
            _ => None,
        }
    }
}

/// The errors of a return of `department` whose seal or filler names another department or a
/// person only another department has: one per field and department named.
pub fn signoff_findings(
    roster: &Roster,
    department: &str,
    signoff: &IndexMap<String, CellValue>,
    file: &str,
    sheet: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for key in CHECKED {
        let Some(value) = signoff.get(key) else {
            continue;
        };
        if value.text.trim().is_empty() {
            continue;
        }
        let mentions = roster.mentions(&value.text);
        for mention in mentions.iter().filter(|m| m.department != department) {
            let mut f = Finding::error(Code::SignoffMismatch)
                .arg("department", department)
                .arg("other", mention.department);
            if let Some(person) = &mention.person {
                f.variant = Some("signoff_mismatch.person".into());
                f = f.arg("person", *person);
            }
            f.file = Some(file.to_string());
            f.sheet = sheet.map(str::to_string);
            f.cell = Some(value.cell.clone());
            f.key = Some(key.to_string());
            f.value = Some(value.text.clone());
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spans as first written: each name searched on its own, longest first.
    fn naive_spans(r: &Roster, squashed: &str) -> Vec<(usize, usize, usize)> {
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for (index, (name, _)) in r.departments.iter().enumerate() {
            for (start, _) in squashed.match_indices(name.as_str()) {
                let end = start + name.len();
                if !found.iter().any(|&(s, e, _)| s <= start && end <= e) {
                    found.push((start, end, index));
                }
            }
        }
        found.sort();
        found
    }

    /// Regression: the roster searched every department's name in every text on its own, so
    /// validating 10,000 departments' returns took 68 s instead of 3; one automaton finds the
    /// same spans.
    #[test]
    fn one_search_finds_the_spans_each_name_found_alone() {
        let names = [
            "生态科",
            "水生态科",
            "大气科",
            "大气",
            "科",
            "办公室",
            "办",
            "执法支队",
            "支队",
            "法规科财科",
        ];
        let list: Vec<Department> = names.iter().map(|n| dept(n, &[])).collect();
        let r = Roster::of(&list);
        let texts = [
            "水生态科大气科",
            "办公室（盖章）生态科",
            "法规科财科执法支队办",
            "科科科大气大气科",
            "",
            "无关的文字",
        ];
        for text in texts {
            let text = squash(text);
            assert_eq!(r.spans(&text), naive_spans(&r, &text), "{text}");
        }
        assert_eq!(r.department_named("大气科-回传"), Some("大气科"));
        assert_eq!(r.department_named("回传水生态科"), Some("水生态科"));
    }

    fn dept(name: &str, persons: &[&str]) -> Department {
        Department {
            name: name.into(),
            persons: persons.iter().map(|p| p.to_string()).collect(),
            items: 1,
            weight: Default::default(),
            lead: 1,
            cooperating: 0,
        }
    }

    fn bureau() -> Vec<Department> {
        vec![
            dept("大气科", &["王聪坤"]),
            dept("执法支队", &["陈曦"]),
            dept("水科", &["林青峰"]),
            dept("水生态科", &["周晓"]),
            dept("监测科", &["李煌伟"]),
            dept("环境监测科", &["黄海"]),
            dept("办公室", &["刘涛", "张伟"]),
            dept("人事科", &["张伟"]),
        ]
    }

    /// The departments `text` names, with the person where named through one.
    fn named(r: &Roster, text: &str) -> Vec<(String, Option<String>)> {
        r.mentions(text)
            .into_iter()
            .map(|m| (m.department.to_string(), m.person.map(str::to_string)))
            .collect()
    }

    fn only(department: &str) -> Vec<(String, Option<String>)> {
        vec![(department.to_string(), None)]
    }

    fn through(department: &str, person: &str) -> Vec<(String, Option<String>)> {
        vec![(department.to_string(), Some(person.to_string()))]
    }

    #[test]
    fn seals_as_people_write_them() {
        let b = bureau();
        let r = Roster::of(&b);
        for text in [
            "大气科",
            "泉州市生态环境局大气科",
            "泉州市生态环境局 大气科（盖章）",
            "大 气 科",
            "大　气　科",
            "大气科盖章",
            "大气科(盖章)",
            "填报部门（盖章）：大气科",
            "大气科。",
            "\u{200b}大气\u{2060}科",
        ] {
            assert_eq!(named(&r, text), only("大气科"), "{text}");
        }
        assert_eq!(named(&r, "ＡＢＣ"), vec![]);
        assert_eq!(named(&r, ""), vec![]);
        assert_eq!(named(&r, "（盖章）"), vec![]);
    }

    #[test]
    fn the_longest_name_wins() {
        let b = bureau();
        let r = Roster::of(&b);
        assert_eq!(named(&r, "水生态科"), only("水生态科"));
        assert_eq!(named(&r, "水科"), only("水科"));
        assert_eq!(named(&r, "泉州市环境监测科"), only("环境监测科"));
        assert_eq!(named(&r, "监测科"), only("监测科"));
        assert_eq!(
            named(&r, "环境监测科、监测科"),
            vec![("环境监测科".into(), None), ("监测科".into(), None)]
        );
    }

    #[test]
    fn the_own_department_and_another() {
        let b = bureau();
        let r = Roster::of(&b);
        assert_eq!(
            named(&r, "大气科、执法支队"),
            vec![("大气科".into(), None), ("执法支队".into(), None)]
        );
        assert_eq!(
            named(&r, "大气科（执法支队代填）"),
            vec![("大气科".into(), None), ("执法支队".into(), None)]
        );
    }

    #[test]
    fn persons_as_people_write_them() {
        let b = bureau();
        let r = Roster::of(&b);
        for text in [
            "陈曦",
            "陈 曦",
            "陈　曦",
            " 陈曦 ",
            "陈曦（盖章）",
            "陈曦（科员）",
            "填报人：陈曦",
            "陈曦科长",
            "陈曦代填",
            "经办人陈曦",
        ] {
            assert_eq!(named(&r, text), through("执法支队", "陈曦"), "{text}");
        }
        for text in ["王聪坤、陈曦", "王聪坤，陈曦", "王聪坤/陈曦", "王聪坤 陈曦"]
        {
            assert_eq!(
                named(&r, text),
                vec![
                    ("大气科".into(), Some("王聪坤".into())),
                    ("执法支队".into(), Some("陈曦".into()))
                ],
                "{text}"
            );
        }
        // A person written after the department's name.
        assert_eq!(
            named(&r, "大气科陈曦"),
            vec![
                ("大气科".into(), None),
                ("执法支队".into(), Some("陈曦".into()))
            ]
        );
        // Named by the department and its person: said once.
        assert_eq!(named(&r, "执法支队 陈曦"), only("执法支队"));
        // A name with a middle dot, however the dot is written: named as the master spells it.
        let b = vec![dept("大气科", &[]), dept("执法支队", &["阿依古丽·买买提"])];
        let r = Roster::of(&b);
        for text in ["阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽买买提"]
        {
            assert_eq!(
                named(&r, text),
                through("执法支队", "阿依古丽·买买提"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_name_is_matched_whole() {
        let b = bureau();
        let r = Roster::of(&b);
        // Someone else whose name holds a listed person's.
        assert_eq!(named(&r, "陈曦文"), vec![]);
        assert_eq!(named(&r, "张三"), vec![]);
    }

    #[test]
    fn a_person_two_departments_have_names_neither() {
        let b = bureau();
        let r = Roster::of(&b);
        assert_eq!(named(&r, "张伟"), vec![]);
        assert_eq!(named(&r, "张伟、刘涛"), through("办公室", "刘涛"));
    }

    #[test]
    fn folders_named_after_a_department() {
        let b = bureau();
        let r = Roster::of(&b);
        for name in [
            "大气科",
            "大气科-回传",
            "回传-大气科",
            "大气科（第二次）",
            "大气科(第二次)",
            " 大 气 科 ",
            "泉州市生态环境局大气科",
        ] {
            assert_eq!(r.department_named(name), Some("大气科"), "{name}");
        }
        assert_eq!(r.department_named("水生态科"), Some("水生态科"));
        assert_eq!(r.department_named("水科-回传"), Some("水科"));
        assert_eq!(r.department_named("环境监测科"), Some("环境监测科"));
        assert_eq!(r.department_named("inbox"), None);
        assert_eq!(r.department_named("回传"), None);
        assert_eq!(r.department_named("各科室大气科汇总"), None);
        // Two departments neither of which holds the other: named after neither.
        assert_eq!(r.department_named("大气科-执法支队"), None);
    }

    fn signoff(seal: &str, filler: &str) -> IndexMap<String, CellValue> {
        let mut map = IndexMap::new();
        for (key, text, cell) in [("seal", seal, "C40"), ("filler", filler, "C42")] {
            map.insert(
                key.to_string(),
                CellValue {
                    cell: cell.into(),
                    text: text.into(),
                },
            );
        }
        map
    }

    #[test]
    fn findings_name_both_departments_at_the_cell() {
        let b = bureau();
        let r = Roster::of(&b);
        let f = signoff_findings(
            &r,
            "大气科",
            &signoff("执法支队", "张三"),
            "a.xlsx",
            Some("表"),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, Code::SignoffMismatch);
        assert_eq!(f[0].severity, crate::finding::Severity::Error);
        assert_eq!(f[0].cell.as_deref(), Some("C40"));
        assert_eq!(f[0].key.as_deref(), Some("seal"));
        assert_eq!(f[0].get("department"), Some("大气科"));
        assert_eq!(f[0].get("other"), Some("执法支队"));
        assert_eq!(f[0].variant, None);

        let f = signoff_findings(&r, "大气科", &signoff("大气科", "陈曦"), "a.xlsx", None);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cell.as_deref(), Some("C42"));
        assert_eq!(f[0].variant.as_deref(), Some("signoff_mismatch.person"));
        assert_eq!(f[0].get("person"), Some("陈曦"));

        // Its own names, an empty field, an unknown person: nothing to say.
        for (seal, filler) in [
            ("泉州市生态环境局大气科（盖章）", "王聪坤"),
            ("", ""),
            ("大气科", "张三"),
            ("大气科", "张伟"),
        ] {
            assert!(
                signoff_findings(&r, "大气科", &signoff(seal, filler), "a.xlsx", None).is_empty(),
                "{seal} {filler}"
            );
        }
        // The longer own name holds the shorter other's.
        assert!(signoff_findings(&r, "水生态科", &signoff("水生态科", ""), "a", None).is_empty());
        assert_eq!(
            signoff_findings(&r, "水科", &signoff("水生态科", ""), "a", None)[0].get("other"),
            Some("水生态科")
        );
    }
}
