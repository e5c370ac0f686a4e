//! The sender: a return of one department found in a folder or zip named after another
//! (`inbox/执法支队/大气科.xlsx`, `inbox/执法支队（第二次）.zip!大气科.xlsx`) was, most likely, sent
//! by that other department, and is said so (`submitted_by_other`, a warning naming the file,
//! the folder or zip and both departments). A folder or zip is named after a department when
//! its name, folded, is the department's or starts or ends with it (`大气科-回传`), as
//! [`Roster::department_named`] reads it. A folder named after no department says nothing, nor
//! does one holding the returns of several departments besides its own: that is a collection
//! (the office's `inbox/办公室/` forwarding everyone's), not one department's sending.

use std::collections::{BTreeSet, HashMap};

use crate::finding::{Code, Finding};

use super::Return;
use super::stamp::Roster;

/// A folder or archive a return lies in, as its display path names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container<'p> {
    /// The display path up to and with this folder or archive: `inbox/执法支队`,
    /// `inbox/执法支队.zip`, `inbox/收件.zip!执法支队`.
    pub path: &'p str,
    /// Its name as written: `执法支队-回传`, `执法支队（第二次）.zip`.
    pub written: &'p str,
    /// Its name as compared: the folder's name, the archive's without its extension.
    pub name: &'p str,
    pub archive: bool,
}

/// The folders and archives of a display path (`inbox/a.zip!b/c.xlsx`), outermost first: every
/// part but the file's own name, an archive being a part followed by `!`.
pub fn containers(display: &str) -> Vec<Container<'_>> {
    let mut out = Vec::new();
    let segments: Vec<&str> = display.split('!').collect();
    let mut offset = 0;
    for (i, segment) in segments.iter().enumerate() {
        let last_segment = i + 1 == segments.len();
        let mut start = 0;
        let parts: Vec<&str> = segment.split(['/', '\\']).collect();
        for (j, part) in parts.iter().enumerate() {
            let end = start + part.len();
            let last_part = j + 1 == parts.len();
            if last_part && last_segment {
                break;
            }
            if !(part.is_empty() || *part == "." || *part == "..") {
                let name = if last_part {
                    part.rsplit_once('.').map_or(*part, |(stem, _)| stem)
                } else {
                    part
                };
                out.push(Container {
                    path: &display[..offset + end],
                    written: part,
                    name,
                    archive: last_part,
                });
            }
            start = end + 1;
        }
        offset += segment.len() + 1;
    }
    out
}

/// Adds a `submitted_by_other` warning to each return of a department lying in a folder or
/// archive of another department's (the outermost such, when several).
pub fn sender_findings(roster: &Roster, returns: &mut [Return]) {
    // The departments whose returns lie in each folder or archive, at any depth.
    let mut inside: HashMap<String, BTreeSet<String>> = HashMap::new();
    for ret in returns.iter() {
        let Some(department) = &ret.department else {
            continue;
        };
        for container in containers(&ret.path) {
            inside
                .entry(container.path.to_string())
                .or_default()
                .insert(department.clone());
        }
    }
    for ret in returns.iter_mut() {
        let Some(department) = ret.department.clone() else {
            continue;
        };
        let found = containers(&ret.path).into_iter().find_map(|container| {
            let sender = roster.department_named(container.name)?;
            if sender == department {
                return None;
            }
            // Returns of several other departments in one folder: a collection.
            let others = inside
                .get(container.path)
                .map_or(0, |set| set.iter().filter(|d| *d != sender).count());
            (others == 1).then_some((sender, container))
        });
        let Some((sender, container)) = found else {
            continue;
        };
        let mut f = Finding::warning(Code::SubmittedByOther)
            .arg("department", department)
            .arg("sender", sender)
            .arg("folder", container.written);
        if container.archive {
            f.variant = Some("submitted_by_other.zip".into());
        }
        f.file = Some(ret.path.clone());
        f.value = Some(container.path.to_string());
        ret.findings.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Department;

    #[test]
    fn containers_of_display_paths() {
        let names = |display: &str| -> Vec<(String, String, bool)> {
            containers(display)
                .into_iter()
                .map(|c| (c.path.to_string(), c.name.to_string(), c.archive))
                .collect()
        };
        assert_eq!(names("a.xlsx"), vec![]);
        assert_eq!(
            names("inbox/执法支队/大气科.xlsx"),
            vec![
                ("inbox".into(), "inbox".into(), false),
                ("inbox/执法支队".into(), "执法支队".into(), false),
            ]
        );
        assert_eq!(
            names("./inbox/执法支队（第二次）.zip!大气科/表.xlsx"),
            vec![
                ("./inbox".into(), "inbox".into(), false),
                (
                    "./inbox/执法支队（第二次）.zip".into(),
                    "执法支队（第二次）".into(),
                    true
                ),
                (
                    "./inbox/执法支队（第二次）.zip!大气科".into(),
                    "大气科".into(),
                    false
                ),
            ]
        );
        assert_eq!(
            names(r"C:\收件\水科\a.xlsx"),
            vec![
                ("C:".into(), "C:".into(), false),
                (r"C:\收件".into(), "收件".into(), false),
                (r"C:\收件\水科".into(), "水科".into(), false),
            ]
        );
        assert_eq!(
            names("/tmp/a.zip!b.zip!c.xlsx"),
            vec![
                ("/tmp".into(), "tmp".into(), false),
                ("/tmp/a.zip".into(), "a".into(), true),
                ("/tmp/a.zip!b.zip".into(), "b".into(), true),
            ]
        );
    }

    fn dept(name: &str) -> Department {
        Department {
            name: name.into(),
            persons: Vec::new(),
            items: 1,
            weight: Default::default(),
            lead: 1,
            cooperating: 0,
        }
    }

    fn ret(path: &str, department: &str) -> Return {
        let mut r = Return::new(path, None, super::super::gather::Place::Archive(0));
        r.department = Some(department.into());
        r
    }

    /// The (file, sender, container) of every finding.
    fn said(returns: &[Return]) -> Vec<(String, String, String)> {
        returns
            .iter()
            .flat_map(|r| &r.findings)
            .map(|f| {
                (
                    f.file.clone().unwrap(),
                    f.get("sender").unwrap().to_string(),
                    f.value.clone().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn a_return_in_another_departments_folder_or_zip() {
        let list = [
            dept("大气科"),
            dept("执法支队"),
            dept("水科"),
            dept("办公室"),
        ];
        let roster = Roster::of(&list);
        let mut returns = vec![
            ret("inbox/执法支队-回传/大气科.xlsx", "大气科"),
            ret("inbox/执法支队/执法支队.xlsx", "执法支队"),
            ret("inbox/水科（第二次）.zip!表/a.xlsx", "大气科"),
            ret("inbox/大气科/大气科.xlsx", "大气科"),
            ret("inbox/其他/水科.xlsx", "水科"),
        ];
        sender_findings(&roster, &mut returns);
        assert_eq!(
            said(&returns),
            vec![
                (
                    "inbox/执法支队-回传/大气科.xlsx".into(),
                    "执法支队".into(),
                    "inbox/执法支队-回传".into()
                ),
                (
                    "inbox/水科（第二次）.zip!表/a.xlsx".into(),
                    "水科".into(),
                    "inbox/水科（第二次）.zip".into()
                ),
            ]
        );
        assert_eq!(
            returns[2].findings[0].variant.as_deref(),
            Some("submitted_by_other.zip")
        );
        assert_eq!(returns[0].findings[0].get("department"), Some("大气科"));
        assert_eq!(returns[0].findings[0].get("folder"), Some("执法支队-回传"));
        assert_eq!(
            returns[2].findings[0].get("folder"),
            Some("水科（第二次）.zip")
        );
    }

    #[test]
    fn its_own_returns_beside_another_departments_still_tell() {
        let list = [dept("大气科"), dept("执法支队")];
        let roster = Roster::of(&list);
        let mut returns = vec![
            ret("inbox/执法支队/执法支队.xlsx", "执法支队"),
            ret("inbox/执法支队/大气科.xlsx", "大气科"),
        ];
        sender_findings(&roster, &mut returns);
        assert_eq!(said(&returns).len(), 1);
        assert!(returns[1].findings[0].get("sender") == Some("执法支队"));
    }

    #[test]
    fn a_collection_of_several_departments_says_nothing() {
        let list = [
            dept("大气科"),
            dept("执法支队"),
            dept("水科"),
            dept("办公室"),
        ];
        let roster = Roster::of(&list);
        let mut returns = vec![
            ret("inbox/办公室/大气科.xlsx", "大气科"),
            ret("inbox/办公室/水科.xlsx", "水科"),
            ret("inbox/办公室/办公室.xlsx", "办公室"),
            // In the collection, one zip is another department's sending.
            ret("inbox/办公室/执法支队.zip!大气科.xlsx", "大气科"),
        ];
        sender_findings(&roster, &mut returns);
        assert_eq!(
            said(&returns),
            vec![(
                "inbox/办公室/执法支队.zip!大气科.xlsx".into(),
                "执法支队".into(),
                "inbox/办公室/执法支队.zip".into()
            )]
        );
    }
}
