//! Which language the terminal speaks, decided before the command line is parsed (its help is
//! in that language): `--lang`, else the language of the spec in use (`--spec FILE`, or the
//! campaign's), else `LC_ALL`/`LC_MESSAGES`/`LANG` starting `en`, else Chinese.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tianbao::ui_texts::Texts;

static TEXTS: OnceLock<&'static Texts> = OnceLock::new();
static EXPLICIT: OnceLock<Option<&'static str>> = OnceLock::new();

/// The language `--lang` names, if it was given (`--lang en` selects the English spec).
pub fn explicit() -> Option<&'static str> {
    EXPLICIT.get().copied().flatten()
}

/// The texts of this run (Chinese until [`choose`] ran).
pub fn texts() -> &'static Texts {
    TEXTS.get().copied().unwrap_or_else(|| Texts::builtin("zh"))
}

/// Decides the language from the raw command line and the environment.
pub fn choose(args: &[OsString]) -> &'static Texts {
    let language = decide(args);
    let texts = Texts::builtin(language);
    let _ = TEXTS.set(texts);
    texts
}

fn decide(args: &[OsString]) -> &'static str {
    if let Some(lang) = value_of(args, &["--lang"]) {
        let chosen = if lang
            .to_string_lossy()
            .to_ascii_lowercase()
            .starts_with("en")
        {
            "en"
        } else {
            "zh"
        };
        let _ = EXPLICIT.set(Some(chosen));
        return if lang
            .to_string_lossy()
            .to_ascii_lowercase()
            .starts_with("en")
        {
            "en"
        } else {
            "zh"
        };
    }
    if let Some(language) = spec_language(args) {
        return language;
    }
    tianbao::ui_texts::language_from_env(|name| std::env::var(name).ok()).unwrap_or("zh")
}

/// The language of the spec a run uses: one named with `--spec`, else the campaign's (found
/// as the commands find it: `-C DIR`, or upwards from here).
fn spec_language(args: &[OsString]) -> Option<&'static str> {
    let language = |spec: &tianbao::spec::Spec| {
        if spec.language == "en" { "en" } else { "zh" }
    };
    if let Some(path) = value_of(args, &["--spec"]) {
        let path = PathBuf::from(path);
        return tianbao::spec::Spec::resolve(&path)
            .ok()
            .map(|s| language(&s));
    }
    let dir = value_of(args, &["-C", "--campaign"]).map(PathBuf::from);
    let campaign = tianbao::campaign::Campaign::find(dir.as_deref().map(Path::new)).ok()?;
    campaign.spec().ok().map(|s| language(&s))
}

/// The value of an option given as `--name VALUE` or `--name=VALUE` (or `-C VALUE`, `-CVALUE`).
fn value_of(args: &[OsString], names: &[&str]) -> Option<OsString> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        }
        for name in names {
            if text == *name {
                return iter.next().cloned();
            }
            if let Some(value) = text.strip_prefix(&format!("{name}=")) {
                return Some(value.into());
            }
            if name.len() == 2
                && !name.starts_with("--")
                && let Some(value) = text.strip_prefix(name)
                && !value.is_empty()
            {
                return Some(value.into());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_are_found_in_every_spelling() {
        let a = args(&["tianbao", "--lang", "en", "status"]);
        assert_eq!(value_of(&a, &["--lang"]), Some("en".into()));
        let a = args(&["tianbao", "status", "--lang=zh"]);
        assert_eq!(value_of(&a, &["--lang"]), Some("zh".into()));
        let a = args(&["tianbao", "-Cdir", "status"]);
        assert_eq!(value_of(&a, &["-C", "--campaign"]), Some("dir".into()));
        let a = args(&["tianbao", "validate", "--", "--lang"]);
        assert_eq!(value_of(&a, &["--lang"]), None);
    }

    #[test]
    fn lang_decides_first() {
        assert_eq!(decide(&args(&["tianbao", "--lang", "en"])), "en");
        assert_eq!(decide(&args(&["tianbao", "--lang", "zh-CN"])), "zh");
    }
}
