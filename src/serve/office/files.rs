//! `GET /office/files`: every output to download (under `out/` and `outbox/`), and
//! `GET /office/file?f=<relative path>`, one of them. The name asked for is looked up in the
//! listing; nothing from the request is joined to a path.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State as Extract};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};

use super::super::guard;
use super::super::html::{query_value, size, text};
use super::super::state::{Loaded, State};
use super::{as_office, not_found, note, page};
use crate::app::AppError;
use crate::ui_texts::Texts;

/// A file the office may download: under outbox/ or out/, relative path with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub rel: String,
    pub path: PathBuf,
    pub size: u64,
    /// RFC 3339, UTC.
    pub modified: Option<String>,
}

/// Every file under outbox/ and out/ (three levels at most), temporary files left out.
fn listing(loaded: &Loaded) -> Vec<Listed> {
    fn walk(dir: &FsPath, rel: &str, depth: usize, out: &mut Vec<Listed>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let here = format!("{rel}/{name}");
            if kind.is_dir() && depth < 3 {
                walk(&entry.path(), &here, depth + 1, out);
            } else if kind.is_file() && !crate::returns::gather::is_lock_file(&name) {
                let meta = entry.metadata().ok();
                out.push(Listed {
                    rel: here,
                    path: entry.path(),
                    size: meta.as_ref().map_or(0, |m| m.len()),
                    modified: meta
                        .and_then(|m| m.modified().ok())
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map(|d| crate::time::utc_from_unix(d.as_secs())),
                });
            }
        }
    }
    let mut out = Vec::new();
    walk(&loaded.campaign.out(), "out", 1, &mut out);
    walk(&loaded.campaign.outbox(), "outbox", 1, &mut out);
    out
}

/// The downloads page body: the files of `out/`, then of `outbox/`.
pub fn render(t: &Texts, list: &[Listed]) -> Markup {
    html! {
        section.hero { h1 { (text(t.get("files.title"))) } p.lead { (text(t.get("files.hint"))) } }
        @for (area, key) in [("out/", "files.out"), ("outbox/", "files.outbox")] {
            @let here: Vec<&Listed> = list.iter().filter(|l| l.rel.starts_with(area)).collect();
            section.card {
                h2 { (text(t.get(key))) }
                @if here.is_empty() {
                    p.meta { (text(t.get("files.none"))) }
                } @else {
                    table.files {
                        thead { tr {
                            th { (text(t.get("col.file"))) }
                            th { (text(t.get("receipts.size"))) }
                            th { (text(t.get("files.modified"))) }
                        } }
                        tbody {
                            @for l in here {
                                tr {
                                    td.name { a href={ "/office/file?f=" (query_value(&l.rel)) } { (text(&l.rel)) } }
                                    td { (text(&size(l.size))) }
                                    td { (text(&l.modified.as_deref().map(crate::time::local).unwrap_or_default())) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /office/files`: every output to download.
pub async fn files(Extract(state): Extract<Arc<State>>, headers: HeaderMap) -> Response {
    as_office(state, headers, None, |_state, loaded, csrf| {
        let t = loaded.texts();
        let body = render(t, &listing(loaded));
        page(loaded, csrf, "/office/files", t.get("files.title"), body)
    })
    .await
}

/// `GET /office/file?f=<relative path>`: a file of the listing (the name is looked up in it;
/// nothing from the request is joined to a path).
pub async fn file(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let wanted = query.get("f").cloned().unwrap_or_default();
    as_office(state, headers, None, move |state, loaded, _| {
        let Some(found) = listing(loaded).into_iter().find(|l| l.rel == wanted) else {
            return not_found(state, loaded);
        };
        let name = found
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read(&found.path) {
            Ok(bytes) => {
                note(state, &client.ip().to_string(), "download", &found.rel);
                guard::download(&name, guard::content_type(&name), bytes)
            }
            Err(e) => guard::app_error(state, &AppError::write_io(&found.path, &e)),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_link_to_their_download_by_the_listed_name() {
        let t = crate::serve::web_texts("zh");
        let list = [Listed {
            rel: "out/汇总 <1>.xlsx".into(),
            path: PathBuf::from("/c/out/汇总 <1>.xlsx"),
            size: 2048,
            modified: None,
        }];
        let html = render(t, &list).into_string();
        assert!(html.contains(
            "<td class=\"name\"><a href=\"/office/file?f=out%2F%E6%B1%87%E6%80%BB%20%3C1%3E.xlsx\">out/汇总 &lt;1&gt;.xlsx</a></td><td>2.0 KB</td><td></td>"
        ), "{html}");
        // outbox/ is empty: said so.
        assert_eq!(html.matches("<p class=\"meta\">").count(), 1, "{html}");
        assert!(html.contains("<table class=\"files\">"));
    }
}
