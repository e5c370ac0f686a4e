//! Rewriting tianbao.toml as an edit of the office's own file: only the keys whose values a
//! command changed are set, added or removed, in place; every other line — comments, blank
//! lines, keys in the office's order, settings tianbao does not own — stays as it was.

use toml_edit::{DocumentMut, Item, Table};

/// Why the file could not be edited: it is not TOML tianbao can read back.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    Parse(#[from] toml_edit::TomlError),
    #[error("{0}")]
    Serialize(#[from] toml::ser::Error),
}

/// `text` (the file as it is) with the changes from `old` to `new` made. A key new to the file
/// is written with `comment` for it, when there is one (`# 本期的名称 …`).
pub fn edited<T: serde::Serialize>(
    text: &str,
    old: &T,
    new: &T,
    comment: &dyn Fn(&str) -> Option<String>,
) -> Result<String, EditError> {
    let mut doc: DocumentMut = text.parse()?;
    let old = toml::Table::try_from(old)?;
    let new = toml::Table::try_from(new)?;
    edit_table(doc.as_table_mut(), &old, &new, comment);
    Ok(doc.to_string())
}

fn edit_table(
    doc: &mut Table,
    old: &toml::Table,
    new: &toml::Table,
    comment: &dyn Fn(&str) -> Option<String>,
) {
    for (key, value) in new {
        let before = old.get(key);
        if before == Some(value) {
            continue;
        }
        let inner = doc.get_mut(key).and_then(Item::as_table_mut);
        match (value, inner) {
            (toml::Value::Table(table), Some(existing)) => {
                let empty = toml::Table::new();
                let before = before.and_then(toml::Value::as_table).unwrap_or(&empty);
                edit_table(existing, before, table, &|_| None);
            }
            _ => {
                let is_new = !doc.contains_key(key);
                doc.insert(key, item_of(value));
                if is_new
                    && let Some(text) = comment(key)
                    && let Some(mut decor) = doc.key_mut(key)
                {
                    decor.leaf_decor_mut().set_prefix(format!("\n{text}\n"));
                }
            }
        }
    }
    let gone: Vec<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    for key in gone {
        doc.remove(&key);
    }
}

/// A TOML value as an item of the document: a table as a `[table]`, anything else inline.
fn item_of(value: &toml::Value) -> Item {
    match value {
        toml::Value::Table(table) => {
            let text = toml::to_string(table).unwrap_or_default();
            let doc: DocumentMut = text.parse().unwrap_or_default();
            Item::Table(doc.as_table().clone())
        }
        other => {
            let text = other.to_string();
            text.parse::<toml_edit::Value>()
                .map(Item::Value)
                .unwrap_or(Item::None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, Clone)]
    struct Settings {
        title: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        period: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        as_of: Option<String>,
        round: u32,
        units: std::collections::BTreeMap<String, Vec<String>>,
    }

    const FILE: &str = "# 办公室写的说明\ntitle = \"2024年考评\"   # 标题\n\n\
        # 进度按哪一天算\nas_of = \"2024-07-31\"\nround = 1\nextra_note = \"not ours\"\n\n\
        [units]\n# 各县\n\"各县\" = [\"鲤城区\", \"丰泽区\"]\n";

    fn settings() -> Settings {
        Settings {
            title: "2024年考评".into(),
            period: None,
            as_of: Some("2024-07-31".into()),
            round: 1,
            units: [(
                "各县".to_string(),
                vec!["鲤城区".to_string(), "丰泽区".to_string()],
            )]
            .into(),
        }
    }

    #[test]
    fn a_hand_edited_file_keeps_every_line_it_does_not_change() {
        let old = settings();
        let mut new = old.clone();
        new.period = Some("2024-08".into());
        new.round = 2;
        let comment = |key: &str| (key == "period").then(|| "# 本期".to_string());
        let text = edited(FILE, &old, &new, &comment).unwrap();
        for line in FILE.lines().filter(|l| !l.starts_with("round")) {
            assert!(text.contains(line), "lost {line:?} in\n{text}");
        }
        assert!(text.contains("round = 2"), "{text}");
        assert!(text.contains("# 本期\nperiod = \"2024-08\""), "{text}");
        let again: toml::Table = text.parse().unwrap();
        assert_eq!(again["as_of"].as_str(), Some("2024-07-31"));
        assert_eq!(again["extra_note"].as_str(), Some("not ours"));
        // Nothing changed: the file is the same, byte for byte.
        assert_eq!(edited(FILE, &old, &old, &comment).unwrap(), FILE);
    }

    #[test]
    fn a_key_set_back_to_none_is_removed_and_a_table_edited_in_place() {
        let old = settings();
        let mut new = old.clone();
        new.as_of = None;
        new.units.insert("各科室".into(), vec!["水科".into()]);
        let text = edited(FILE, &old, &new, &|_| None).unwrap();
        assert!(!text.contains("as_of ="), "{text}");
        assert!(text.contains("# 各县\n\"各县\""), "{text}");
        let again: toml::Table = text.parse().unwrap();
        assert_eq!(again["units"]["各科室"][0].as_str(), Some("水科"));
    }
}
