//! `tianbao serve` over HTTP, the real binary on 127.0.0.1: uploads kept or refused with the
//! reason (valid, invalid, another department's, another campaign's, stale, not a workbook,
//! oversize, too many), wrong tokens and their rate limit, CSRF, the Origin, escaping of
//! hostile names, the headers, no way out of the campaign folder, 15 departments at once, the
//! command line and the server on one campaign at once, and a bounded loopback load (200
//! uploads from 20 clients, none lost, receipts equal to the files in inbox/).

mod common;
#[path = "common/server.rs"]
mod server;

use std::path::Path;

use common::play::Campaign;
use common::xlsx::Cell;
use server::{Client, Server, files_under, sha256_of};

/// The department's filled-in workbook, with `scores` instead of full marks.
fn filled(c: &Campaign, department: &str, scores: &[(&str, f64)]) -> Vec<u8> {
    let mut book = c.template(department);
    c.fill(&mut book, department, scores);
    book.to_bytes()
}

/// Uploads `bytes` through the department's page (with its CSRF token); the answer to the POST.
fn upload(server: &Server, department: &str, name: &str, bytes: &[u8]) -> server::Answer {
    let mut client = Client::new();
    let page = client.get(server.link(department));
    assert_eq!(page.status, 200, "{}", page.text());
    let csrf = page.csrf();
    client.upload(
        &format!("{}/upload", server.link(department)),
        &[("csrf", &csrf)],
        name,
        bytes,
    )
}

/// Uploads and follows the redirect to the page saying what became of it.
fn upload_and_read(server: &Server, department: &str, name: &str, bytes: &[u8]) -> String {
    let answer = upload(server, department, name, bytes);
    assert_eq!(answer.status, 303, "{}", answer.text());
    let to = answer.header("location").unwrap().to_string();
    assert!(to.contains("?upload="), "{to}");
    let page = Client::new().get(&server.url(&to));
    assert_eq!(page.status, 200);
    page.text()
}

fn inbox_files(c: &Campaign) -> Vec<std::path::PathBuf> {
    files_under(&c.dir.join("inbox"))
}

/// The upload receipts in the store: (department, file, sha256, status).
fn receipts(dir: &Path) -> Vec<(String, Option<String>, String, String)> {
    let store = tianbao::store::Store::open(&dir.join("tianbao.db")).unwrap();
    store
        .uploads(None, 100_000)
        .unwrap()
        .into_iter()
        .map(|u| {
            (
                u.department,
                u.file,
                u.sha256,
                u.status.as_str().to_string(),
            )
        })
        .collect()
}

/// Sets `[limits]` values in tianbao.toml.
fn set_limit(dir: &Path, key: &str, value: u64) {
    let path = dir.join("tianbao.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{key} =")))
        .unwrap()
        .to_string();
    std::fs::write(&path, text.replace(&line, &format!("{key} = {value}"))).unwrap();
}

#[test]
fn a_department_uploads_sees_its_findings_and_is_refused_what_is_not_its_own() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    assert_eq!(server.links.len(), 15, "{}", server.printed);

    // Invalid: a score above its weight and a missing 扣分原因. Kept, with the findings at their
    // cells, in Chinese.
    let item = c.items("水科")[0].id.clone();
    let bad = filled(&c, "水科", &[(&item, 99.0)]);
    let page = upload_and_read(&server, "水科", "水科-填报表.xlsx", &bad);
    assert!(page.contains("已收到本次上传"), "{page}");
    let score_cell = c.cell("水科", &item, "score");
    assert!(page.contains(&format!("填报表!{score_cell}")), "{page}");
    assert!(page.contains("自评得分"), "{page}");
    assert!(page.contains("已交·"), "{page}");
    assert_eq!(inbox_files(&c).len(), 1);

    // Its feedback workbook is there to download: a signed workbook of round 2.
    let mut client = Client::new();
    let feedback = client.get(&format!("{}/feedback", server.link("水科")));
    assert_eq!(feedback.status, 200, "{}", feedback.text());
    assert!(feedback.body.starts_with(b"PK"));
    assert!(
        feedback
            .header("content-disposition")
            .unwrap()
            .contains("filename*=UTF-8''"),
    );

    // Fixed and uploaded again: valid, and the department's standing says so.
    let good = filled(&c, "水科", &[]);
    let page = upload_and_read(&server, "水科", "水科-改好了.xlsx", &good);
    assert!(page.contains("校验合格，已计入汇总"), "{page}");
    assert!(page.contains("已交·合格"), "{page}");

    // Kept as received: the bytes in inbox/水科/ are the bytes sent, receipts say so.
    let files = inbox_files(&c);
    assert_eq!(files.len(), 2);
    let shas: Vec<String> = files.iter().map(|f| sha256_of(f)).collect();
    assert!(shas.contains(&tianbao::digest::sha256_hex(&bad)));
    assert!(shas.contains(&tianbao::digest::sha256_hex(&good)));
    for f in &files {
        assert_eq!(f.parent().unwrap().file_name().unwrap(), "水科");
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("水科-") && name.ends_with(".xlsx"),
            "{name}"
        );
    }

    // Another department's workbook: refused with the reason, not kept, not counted.
    let page = upload_and_read(&server, "水科", "水科.xlsx", &filled(&c, "大气科", &[]));
    assert!(page.contains("这次上传未被接收"), "{page}");
    assert!(page.contains("这是下发给“大气科”的填报表"), "{page}");
    // Another campaign's (the sample campaign's return).
    let foreign =
        std::fs::read(common::repo().join("samples/campaign/inbox/水科-填报表.xlsx")).unwrap();
    let page = upload_and_read(&server, "水科", "水科-填报表.xlsx", &foreign);
    assert!(page.contains("不是本次填报任务下发的"), "{page}");
    // The master itself.
    let master = std::fs::read(c.dir.join("master.xlsx")).unwrap();
    let page = upload_and_read(&server, "水科", "总表.xlsx", &master);
    assert!(page.contains("不是办公室下发的填报表"), "{page}");
    // Not a workbook at all.
    let page = upload_and_read(&server, "水科", "说明.pdf", b"%PDF-1.7 not a workbook");
    assert!(page.contains("不是填报表"), "{page}");
    let page = upload_and_read(&server, "水科", "坏了.xlsx", b"PK\x03\x04broken");
    assert!(page.contains("打不开"), "{page}");
    // A zip holding the department's workbook and its evidence: kept.
    let zip = zip_of(&[("水科.xlsx", &good), ("会议纪要.pdf", b"%PDF-1.4 minutes")]);
    let page = upload_and_read(&server, "水科", "水科.zip", &zip);
    assert!(page.contains("已收到本次上传"), "{page}");
    assert_eq!(inbox_files(&c).len(), 3);

    // Stale: the campaign moves to round 2; a round-1 workbook is refused.
    let config = std::fs::read_to_string(c.dir.join("tianbao.toml")).unwrap();
    std::fs::write(
        c.dir.join("tianbao.toml"),
        config.replace("round = 1", "round = 2"),
    )
    .unwrap();
    let page = upload_and_read(&server, "水科", "水科.xlsx", &good);
    assert!(page.contains("旧版本"), "{page}");
    std::fs::write(c.dir.join("tianbao.toml"), config).unwrap();

    assert_eq!(inbox_files(&c).len(), 3, "refused uploads are never kept");
    let kept: Vec<_> = receipts(&c.dir)
        .into_iter()
        .filter(|r| r.1.is_some())
        .collect();
    assert_eq!(kept.len(), 3);
    for (department, file, sha, _) in &kept {
        assert_eq!(department, "水科");
        assert_eq!(&sha256_of(&c.dir.join(file.as_ref().unwrap())), sha);
    }
    assert_eq!(receipts(&c.dir).len(), 9);

    // The command line sees the same campaign: 水科 valid, from the web's receipts.
    let status = c.run(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let water = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == "水科")
        .unwrap();
    assert_eq!(water["status"], "valid", "{water}");
    assert_eq!(server.stop(), 0, "Ctrl-C ends it cleanly");
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, bytes) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zip, bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

#[test]
fn oversize_and_too_many_uploads_are_refused_by_the_campaign_limits() {
    let c = Campaign::new();
    let books: Vec<Vec<u8>> = ["水科", "人事科", "办公室"]
        .iter()
        .map(|d| filled(&c, d, &[]))
        .collect();
    // A workbook's parts unpack to several times its size; the limit is above them.
    set_limit(&c.dir, "max_file_bytes", 512 * 1024);
    set_limit(&c.dir, "max_files", 2);
    let server = Server::start(&c.dir);
    // Over max_file_bytes: refused, nothing kept, the page says the limit.
    let big: Vec<u8> = std::iter::repeat_n(b'x', 2 * 1024 * 1024).collect();
    let page = upload_and_read(&server, "水科", "大.xlsx", &big);
    assert!(
        page.contains("文件超过了 512.0 KB 的上限，没有接收"),
        "{page}"
    );
    assert_eq!(inbox_files(&c).len(), 0);
    // Two fit; the third would take the inbox past max_files.
    upload_and_read(&server, "水科", "1.xlsx", &books[0]);
    upload_and_read(&server, "人事科", "2.xlsx", &books[1]);
    let page = upload_and_read(&server, "办公室", "3.xlsx", &books[2]);
    assert!(page.contains("已达到 2 份的上限"), "{page}");
    assert_eq!(inbox_files(&c).len(), 2);
    let statuses: Vec<String> = receipts(&c.dir).into_iter().map(|r| r.3).collect();
    assert_eq!(statuses, ["refused", "valid", "valid", "refused"]);
}

#[test]
fn wrong_tokens_open_nothing_and_are_limited() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    let mut client = Client::new();
    // A wrong, a malformed and a revoked department token; a wrong office token.
    let wrong = client.get(&server.url(&format!("/d/{}", "0".repeat(32))));
    assert_eq!(wrong.status, 404);
    assert!(wrong.text().contains("这个链接无效"), "{}", wrong.text());
    assert_eq!(
        client.get(&server.url("/d/..%2F..%2Ftianbao.toml")).status,
        404
    );
    assert_eq!(client.get(&server.url("/login/not-the-token")).status, 404);
    let login = client.get(&server.url("/login"));
    let bad = client.post_form(
        &server.url("/login"),
        &[("csrf", &login.csrf()), ("token", "guess")],
    );
    assert_eq!(bad.status, 401);
    assert!(client.cookie.is_none());
    // The office pages without signing in: to the sign-in page.
    let office = client.get(&server.url("/office"));
    assert_eq!(office.status, 303);
    assert_eq!(office.header("location"), Some("/login"));
    // Revoked: the old link opens nothing, the new one does.
    let old = server.link("水科").to_string();
    assert_eq!(client.get(&old).status, 200);
    let run = c.run(&["serve", "--reissue", "水科"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("已为 水科 换发新链接"),
        "{}",
        run.stdout
    );
    let new = run.stdout.split_whitespace().last().unwrap().to_string();
    let new_token = new.rsplit('/').next().unwrap();
    assert_eq!(client.get(&old).status, 404);
    assert_eq!(
        client.get(&server.url(&format!("/d/{new_token}"))).status,
        200
    );
    // Wrong guesses go on being answered 404 up to the limit, then 429 for a while; the right
    // link still opens from this address, and the office still signs in from its own PC.
    let guess = server.url(&format!("/d/{}", "1".repeat(32)));
    let refused = (0..12)
        .map(|_| client.get(&guess))
        .find(|answer| answer.status != 404)
        .expect("wrong guesses are limited");
    assert_eq!(refused.status, 429, "{}", refused.text());
    assert!(refused.header("retry-after").is_some());
    assert!(refused.text().contains("尝试次数过多"));
    assert_eq!(client.get(&guess).status, 429);
    assert_eq!(
        client.get(&server.url(&format!("/d/{new_token}"))).status,
        200
    );
    let office = client.get(&server.url(&format!("/login/{}", server.office_token)));
    assert_eq!(office.status, 303, "{}", office.text());
}

#[test]
fn forms_need_their_csrf_token_and_this_servers_origin() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    let good = filled(&c, "水科", &[]);
    let mut client = Client::new();
    let target = format!("{}/upload", server.link("水科"));
    // No CSRF field, a wrong one, another department's page's.
    let missing = client.upload(&target, &[], "a.xlsx", &good);
    assert_eq!(missing.status, 403, "{}", missing.text());
    assert!(missing.text().contains("页面已过期"));
    let wrong = client.upload(&target, &[("csrf", &"ab".repeat(32))], "a.xlsx", &good);
    assert_eq!(wrong.status, 403);
    let others = client.get(server.link("人事科")).csrf();
    assert_eq!(
        client
            .upload(&target, &[("csrf", &others)], "a.xlsx", &good)
            .status,
        403
    );
    assert!(inbox_files(&c).is_empty());
    // The office: a POST without the session's token does nothing.
    let mut office = Client::new();
    office.sign_in(&server);
    let page = office.get(&server.url("/office"));
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    assert_eq!(
        office
            .post_form(&server.url("/office/run/validate"), &[])
            .status,
        403
    );
    assert_eq!(
        office
            .post_form(&server.url("/office/run/validate"), &[("csrf", "x")])
            .status,
        403
    );
    // From another site's page: refused by its Origin, whatever the token.
    let cross = office.post_form_with(
        &server.url("/office/run/validate"),
        &[("csrf", &csrf)],
        &[("Origin", "http://evil.example")],
    );
    assert_eq!(cross.status, 403);
    assert!(!c.dir.join("out/校验报告.xlsx").exists());
    // With it: a job, which validates.
    let run = office.post_form(&server.url("/office/run/validate"), &[("csrf", &csrf)]);
    assert_eq!(run.status, 303, "{}", run.text());
    let job = run.header("location").unwrap().to_string();
    assert!(server::eventually(60, || office
        .get(&server.url(&job))
        .text()
        .contains("data-done")));
    assert!(c.dir.join("out/校验报告.xlsx").exists());
    // A name for the Host that is not this computer's (a page of a name pointed at
    // 127.0.0.1) is refused.
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"GET /login HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    assert!(
        !answer.contains(&c.title),
        "nothing of the campaign: {answer}"
    );
}

#[test]
fn security_headers_and_no_way_out_of_the_campaign_folder() {
    let c = Campaign::new();
    std::fs::write(c.dir.join("out/秘密.txt"), "inside out/").unwrap();
    let server = Server::start(&c.dir);
    let mut office = Client::new();
    office.sign_in(&server);
    let page = office.get(&server.url("/office"));
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ] {
        assert_eq!(page.header(name), Some(value), "{name}");
    }
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert!(!page.text().contains("<script>"), "no inline script");
    // Downloads come from the listing only.
    let listed = office.get(&server.url("/office/file?f=out%2F%E7%A7%98%E5%AF%86.txt"));
    assert_eq!(listed.status, 200);
    assert_eq!(listed.text(), "inside out/");
    for path in [
        "/office/file?f=tianbao.toml",
        "/office/file?f=..%2Ftianbao.toml",
        "/office/file?f=out%2F..%2Ftianbao.toml",
        "/office/file?f=%2Fetc%2Fpasswd",
        "/office/file?f=outbox%2F..%2F..%2Ftianbao.db",
        "/assets/..%2F..%2Ftianbao.toml",
        "/assets/style.css%2F..%2F..%2Ftianbao.toml",
    ] {
        let answer = office.get(&server.url(path));
        assert_eq!(answer.status, 404, "{path}");
        assert!(!answer.text().contains("secret"), "{path}");
    }
    assert_eq!(office.get(&server.url("/assets/style.css")).status, 200);
    // The office's pages each render.
    for path in [
        "/office/files",
        "/office/links",
        "/office/master",
        "/office/log",
        "/office/department/0",
    ] {
        let answer = office.get(&server.url(path));
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
    }
    // The links page holds every department's link.
    let links = office.get(&server.url("/office/links")).text();
    for link in server.links.values() {
        assert!(links.contains(link.as_str()), "{link}");
    }
}

#[test]
fn hostile_department_and_file_names_are_shown_as_text() {
    let hostile = "水科\"'&<script>alert(1)<\\script>";
    let mut source = common::sample_source();
    for item in source.items_mut() {
        for d in &mut item.departments {
            if d == "水科" {
                *d = hostile.to_string();
            }
        }
    }
    let c = Campaign::of_source(&source);
    let server = Server::start(&c.dir);
    let page = Client::new().get(server.link(hostile)).text();
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;\\script&gt;"),
        "{page}"
    );
    assert!(page.contains("水科&quot;&#39;&amp;"), "{page}");
    // A file name meant to break out of the page, with a right-to-left override.
    let name = "\"><img src=x onerror=alert(2)>\u{202E}xslx.exe";
    let good = filled(&c, hostile, &[]);
    let result = upload_and_read(&server, hostile, name, &good);
    assert!(!result.contains("<img src=x"), "{result}");
    assert!(
        result.contains("&lt;img src=x onerror=alert(2)&gt;\\u{202e}xslx.exe"),
        "{result}"
    );
    // Cell texts are hostile too: a 完成情况 that is markup, an item's text edited into markup.
    // Both are quoted by the findings, as text.
    let first = c.items(hostile)[0].id.clone();
    let mut book = c.template(hostile);
    c.fill(&mut book, hostile, &[]);
    let sheet = c.spec.template.sheet.clone();
    book.set(
        &sheet,
        &c.cell(hostile, &first, "status"),
        common::xlsx::s("<script>alert(3)</script>"),
    );
    book.set(
        &sheet,
        &c.shown_cell(hostile, &first, tianbao::spec::Shown::TASK),
        common::xlsx::s("<img src=y onerror=alert(4)>"),
    );
    let result = upload_and_read(&server, hostile, "表.xlsx", &book.to_bytes());
    assert!(result.contains("已收到本次上传"), "{result}");
    assert!(!result.contains("<script>alert(3)"), "{result}");
    assert!(!result.contains("<img src=y"), "{result}");
    assert!(
        result.contains("“&lt;script&gt;alert(3)&lt;/script&gt;”"),
        "{result}"
    );
    assert!(
        result.contains("&lt;img src=y onerror=alert(4)&gt;"),
        "{result}"
    );
    // Stored under a generated name, never the one sent.
    for f in inbox_files(&c) {
        let stored = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!stored.contains("img") && !stored.contains('<'), "{stored}");
    }
    // The office's pages too.
    let mut office = Client::new();
    office.sign_in(&server);
    let n = c
        .master
        .departments()
        .iter()
        .position(|d| d.name == hostile)
        .unwrap();
    let detail = format!("/office/department/{n}");
    for path in [
        "/office",
        &detail,
        "/office/links",
        "/office/log",
        "/office/master",
    ] {
        let text = office.get(&server.url(path)).text();
        assert!(!text.contains("<script>alert"), "{path}");
        assert!(!text.contains("<img src="), "{path}");
    }
    // The office sees the department's findings, the cell texts escaped.
    let text = office.get(&server.url(&detail)).text();
    assert!(
        text.contains("&lt;script&gt;alert(3)&lt;/script&gt;"),
        "{text}"
    );
    assert!(
        text.contains("&lt;img src=y onerror=alert(4)&gt;"),
        "{text}"
    );
    assert!(
        office
            .get(&server.url("/office"))
            .text()
            .contains("&lt;script&gt;")
    );
}

#[test]
fn fifteen_departments_upload_at_once_and_the_office_compiles() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    let departments: Vec<String> = c
        .master
        .departments()
        .iter()
        .map(|d| d.name.clone())
        .collect();
    assert_eq!(departments.len(), 15);
    let books: Vec<(String, Vec<u8>)> = departments
        .iter()
        .map(|d| (d.clone(), filled(&c, d, &[])))
        .collect();
    std::thread::scope(|scope| {
        for (department, bytes) in &books {
            let server = &server;
            scope.spawn(move || {
                let page = upload_and_read(server, department, "填报表.xlsx", bytes);
                assert!(page.contains("校验合格"), "{department}: {page}");
            });
        }
    });
    let files = inbox_files(&c);
    assert_eq!(files.len(), 15);
    // The office sees every department valid, and compiles from the page.
    let mut office = Client::new();
    office.sign_in(&server);
    let page = office.get(&server.url("/office")).text();
    assert_eq!(page.matches("badge valid").count(), 15, "{page}");
    let csrf = office.get(&server.url("/office")).csrf();
    let run = office.post_form(&server.url("/office/run/compile"), &[("csrf", &csrf)]);
    assert_eq!(run.status, 303);
    let job = server.url(run.header("location").unwrap());
    assert!(server::eventually(120, || office
        .get(&job)
        .text()
        .contains("data-done")));
    let done = office.get(&job).text();
    assert!(done.contains("汇总完成"), "{done}");
    let compiled = c.dir.join(format!("out/{}-汇总.xlsx", c.title));
    assert!(compiled.exists());
    // The compiled workbook downloads from the page.
    let rel = format!("out/{}-汇总.xlsx", c.title);
    let download = office.get(&server.url(&format!("/office/file?f={}", server::encode(&rel))));
    assert_eq!(download.status, 200);
    assert_eq!(download.body, std::fs::read(&compiled).unwrap());
}

#[test]
fn the_command_line_and_the_server_share_one_campaign() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    let departments: Vec<String> = c
        .master
        .departments()
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let books: Vec<(String, Vec<u8>)> = departments
        .iter()
        .map(|d| (d.clone(), filled(&c, d, &[])))
        .collect();
    let cli_runs = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for (department, bytes) in &books {
                let page = upload_and_read(&server, department, "表.xlsx", bytes);
                assert!(page.contains("校验合格"), "{department}: {page}");
            }
        });
        // Meanwhile the command line validates and compiles on the same campaign.
        scope.spawn(|| {
            for round in 0..9 {
                let args: &[&str] = match round % 3 {
                    0 => &["validate", "-q"],
                    1 => &["status", "--json"],
                    _ => &["compile", "-q", "--allow-incomplete"],
                };
                let run = c.run(args);
                cli_runs
                    .lock()
                    .unwrap()
                    .push((args[0], run.code, run.stderr.clone()));
            }
        });
    });
    for (command, code, stderr) in cli_runs.into_inner().unwrap() {
        // Done (0), findings (1: not everyone returned yet, or files came in since validate),
        // or told whom it waits for (2, the campaign in use): never a broken store.
        assert!(
            code == 0 || code == 1 || (code == 2 && stderr.contains("正被")),
            "{command}: {code} {stderr}"
        );
        assert!(!stderr.contains("核对记录"), "{command}: {stderr}");
    }
    // Afterwards both agree: every department valid, and compile from the receipts.
    let status = c.run(&["status"]);
    assert_eq!(status.code, 0, "{}{}", status.stdout, status.stderr);
    let validate = c.run(&["validate", "-q"]);
    assert_eq!(validate.code, 0, "{}{}", validate.stdout, validate.stderr);
    let compile = c.run(&["compile", "-q"]);
    assert_eq!(compile.code, 0, "{}{}", compile.stdout, compile.stderr);
    let mut office = Client::new();
    office.sign_in(&server);
    let page = office.get(&server.url("/office")).text();
    assert_eq!(page.matches("badge valid").count(), 15, "{page}");
    assert_eq!(inbox_files(&c).len(), 15);
}

/// Bounded and loopback only: 20 clients, 10 uploads each, then stop.
#[test]
fn two_hundred_uploads_from_twenty_clients_are_all_received() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    let departments: Vec<String> = c
        .master
        .departments()
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let books: Vec<Vec<u8>> = departments.iter().map(|d| filled(&c, d, &[])).collect();
    let cells: Vec<String> = departments
        .iter()
        .map(|d| c.signoff_cell(d, "date"))
        .collect();
    let sheet = c.spec.template.sheet.clone();
    let sent: Vec<(String, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|client| {
                let server = &server;
                let departments = &departments;
                let books = &books;
                let cells = &cells;
                let sheet = &sheet;
                scope.spawn(move || {
                    let mut sent = Vec::new();
                    for n in 0..10 {
                        let i = (client + n) % departments.len();
                        let department = &departments[i];
                        // Each upload differs (a later 填报日期), so each is a file of its own.
                        let bytes = {
                            let mut book = common::xlsx::Xlsx::read(&books[i]);
                            book.set(
                                sheet,
                                &cells[i],
                                Cell::Str(format!("2024年1月{}日 第{client}-{n}次", 1 + n)),
                            );
                            book.to_bytes()
                        };
                        let answer = upload(server, department, "load.xlsx", &bytes);
                        assert_eq!(answer.status, 303, "{}", answer.text());
                        sent.push((department.clone(), tianbao::digest::sha256_hex(&bytes)));
                    }
                    sent
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(sent.len(), 200);
    // None lost: 200 files in inbox/, 200 receipts, the same SHA-256s.
    let files = inbox_files(&c);
    assert_eq!(files.len(), 200);
    let kept: Vec<_> = receipts(&c.dir)
        .into_iter()
        .filter(|r| r.1.is_some())
        .collect();
    assert_eq!(kept.len(), 200);
    let mut on_disk: Vec<String> = files.iter().map(|f| sha256_of(f)).collect();
    let mut in_receipts: Vec<String> = kept.iter().map(|r| r.2.clone()).collect();
    let mut uploaded: Vec<String> = sent.iter().map(|s| s.1.clone()).collect();
    on_disk.sort();
    in_receipts.sort();
    uploaded.sort();
    assert_eq!(on_disk, uploaded);
    assert_eq!(in_receipts, uploaded);
    for (department, file, sha, _) in &kept {
        let path = c.dir.join(file.as_ref().unwrap());
        assert_eq!(&sha256_of(&path), sha);
        assert!(
            file.as_ref().unwrap().contains(department.as_str()),
            "{file:?}"
        );
    }
    assert_eq!(server.stop(), 0);
}

/// The office's log lines in the store: (action, detail).
fn log_actions(dir: &Path) -> Vec<String> {
    let store = tianbao::store::Store::open(&dir.join("tianbao.db")).unwrap();
    store
        .log_lines(1_000)
        .unwrap()
        .into_iter()
        .map(|l| l.action)
        .collect()
}

#[test]
fn every_form_post_needs_its_csrf_token() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    // Sign-in: the form's token missing or wrong is refused before the office token is
    // looked at; no session is made.
    let mut visitor = Client::new();
    let login = visitor.get(&server.url("/login"));
    let form_token = login.csrf();
    for fields in [
        vec![("token", server.office_token.as_str())],
        vec![("csrf", "0"), ("token", server.office_token.as_str())],
        vec![("csrf", ""), ("token", server.office_token.as_str())],
    ] {
        let answer = visitor.post_form(&server.url("/login"), &fields);
        assert_eq!(answer.status, 403, "{fields:?}: {}", answer.text());
        assert!(answer.text().contains("页面已过期"));
        assert!(visitor.cookie.is_none(), "{fields:?}");
    }
    let answer = visitor.post_form(
        &server.url("/login"),
        &[("csrf", &form_token), ("token", &server.office_token)],
    );
    assert_eq!(answer.status, 303, "{}", answer.text());
    assert!(visitor.cookie.is_some());

    let mut office = Client::new();
    office.sign_in(&server);
    let csrf = office.get(&server.url("/office")).csrf();
    let before = log_actions(&c.dir);
    let link = server.link("水科").to_string();
    // Each of the office's forms, without its token and with a wrong one (another page's
    // token counts as wrong: the sign-in form's, a department's).
    let department_token = Client::new().get(&link).csrf();
    let forms: &[(&str, &[(&str, &str)])] = &[
        ("/office/run/generate", &[]),
        ("/office/run/validate", &[]),
        ("/office/run/compile", &[("allow_incomplete", "1")]),
        ("/office/department/0/reissue", &[]),
        ("/office/accept", &[("path", "inbox/水科.xlsx")]),
    ];
    for (path, fields) in forms {
        for token in [
            None,
            Some("x"),
            Some(form_token.as_str()),
            Some(&department_token),
        ] {
            let mut all: Vec<(&str, &str)> = fields.to_vec();
            if let Some(token) = token {
                all.push(("csrf", token));
            }
            let answer = office.post_form(&server.url(path), &all);
            assert_eq!(answer.status, 403, "{path} {token:?}: {}", answer.text());
            assert!(answer.text().contains("页面已过期"), "{path}");
        }
    }
    // Nothing was done: no job ran, no link changed, nothing written.
    assert_eq!(log_actions(&c.dir), before);
    assert!(!c.dir.join("out/校验报告.xlsx").exists());
    assert_eq!(Client::new().get(&link).status, 200);
    // Sign-out without the token leaves the session as it was.
    let cookie = office.cookie.clone();
    office.post_form(&server.url("/logout"), &[]);
    office.cookie = cookie.clone();
    assert_eq!(office.get(&server.url("/office")).status, 200);
    office.post_form(&server.url("/logout"), &[("csrf", &csrf)]);
    office.cookie = cookie;
    let after = office.get(&server.url("/office"));
    assert_eq!(
        after.status, 303,
        "signed out: the old cookie opens nothing"
    );
    // The upload form: covered by `forms_need_their_csrf_token_and_this_servers_origin`.
}

/// Sends `request_line` as it is (no client normalises it) with this server's Host; the
/// answer's status and body.
fn raw_get(server: &Server, target: &str, cookie: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(cookie) = cookie {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

#[test]
fn paths_in_requests_never_reach_the_file_system() {
    let c = Campaign::new();
    let secret = std::fs::read_to_string(c.dir.join("tianbao.toml"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("secret = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    let server = Server::start(&c.dir);
    let mut office = Client::new();
    office.sign_in(&server);
    let cookie = office.cookie.clone().unwrap();
    let token = server.token("水科");
    let targets = [
        "/../tianbao.toml".to_string(),
        "/../../../../etc/passwd".to_string(),
        "/%2e%2e/tianbao.toml".to_string(),
        "/assets/../tianbao.toml".to_string(),
        "/assets/%2e%2e%2ftianbao.toml".to_string(),
        "/assets/..%5Ctianbao.toml".to_string(),
        "/tianbao.toml".to_string(),
        "/tianbao.db".to_string(),
        "/inbox/".to_string(),
        "/outbox/".to_string(),
        format!("/d/{token}/../../tianbao.toml"),
        format!("/d/{token}/workbook/..%2F..%2Ftianbao.toml"),
        format!("/d/{token}%2F..%2F..%2Ftianbao.toml"),
        "/office/file?f=..%2Ftianbao.toml".to_string(),
        "/office/file?f=out/../tianbao.toml".to_string(),
        "/office/file?f=%2Fwork%2Ftianbao.toml".to_string(),
        "/office/file?f=outbox%5C..%5Ctianbao.toml".to_string(),
        "/office/file?f=master.xlsx".to_string(),
        "/office/file?f=inbox%2F".to_string(),
        "/office/department/..%2F..%2Ftianbao.toml".to_string(),
        "/office/jobs/..%2F1".to_string(),
    ];
    for target in &targets {
        let (status, answer) = raw_get(&server, target, Some(&cookie));
        assert!(
            status == 404 || status == 400,
            "{target}: {status}\n{answer}"
        );
        assert!(!answer.contains(&secret), "{target}");
        assert!(!answer.contains("SQLite format"), "{target}");
        assert!(!answer.contains("root:"), "{target}");
    }
    // What is allowed still works, so the requests above were answered by a live server.
    assert_eq!(raw_get(&server, "/assets/style.css", None).0, 200);
    let rel = server::encode(&format!(
        "outbox/{}",
        c.outbox_file("水科").file_name().unwrap().to_string_lossy()
    ));
    assert_eq!(
        raw_get(&server, &format!("/office/file?f={rel}"), Some(&cookie)).0,
        200
    );
    // No download was logged but that one.
    let downloads = log_actions(&c.dir)
        .iter()
        .filter(|a| *a == "download")
        .count();
    assert_eq!(downloads, 1);
}

/// The words in Latin letters of a page's visible text (tags and attributes removed).
fn latin_words(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    // Tokens with digits (dates, sizes, hashes) or only hex digits (hashes) are not words.
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 1)
        .filter(|w| !w.bytes().any(|b| b.is_ascii_digit()))
        .filter(|w| !w.bytes().all(|b| (b'a'..=b'f').contains(&b)))
        .map(str::to_string)
        .collect()
}

#[test]
fn chinese_pages_have_no_english_words() {
    // Names of programs, commands, folders and files, and units, are not words to translate.
    const NAMES: &[&str] = &[
        "tianbao",
        "serve",
        "generate",
        "validate",
        "compile",
        "outbox",
        "inbox",
        "out",
        "toml",
        "xlsx",
        "xls",
        "ods",
        "zip",
        "Excel",
        "WPS",
        "LibreOffice",
        "SHA",
        "KB",
        "MB",
        "limits",
        "max_file_bytes",
        "contact",
        "deadline",
        "master",
        "http",
        "txt",
        "feedback",
        "bind",
        "pdf",
    ];
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    let item = c.items("水科")[0].id.clone();
    upload_and_read(
        &server,
        "水科",
        "水科.xlsx",
        &filled(&c, "水科", &[(&item, 99.0)]),
    );
    let department = upload_and_read(&server, "水科", "大气科.xlsx", &filled(&c, "大气科", &[]));
    let mut office = Client::new();
    let mut pages = vec![
        (
            "/login".to_string(),
            office.get(&server.url("/login")).text(),
        ),
        ("/d/…".to_string(), department),
        ("/nope".to_string(), office.get(&server.url("/nope")).text()),
    ];
    office.sign_in(&server);
    let csrf = office.get(&server.url("/office")).csrf();
    let run = office.post_form(
        &server.url("/office/run/compile"),
        &[("csrf", &csrf), ("allow_incomplete", "1")],
    );
    let job = server.url(run.header("location").unwrap());
    assert!(server::eventually(120, || office
        .get(&job)
        .text()
        .contains("data-done")));
    pages.push(("job".to_string(), office.get(&job).text()));
    for path in [
        "/office",
        "/office/department/0",
        "/office/files",
        "/office/links",
        "/office/master",
        "/office/log",
    ] {
        pages.push((path.to_string(), office.get(&server.url(path)).text()));
    }
    for (path, html) in &pages {
        let english: Vec<String> = latin_words(html)
            .into_iter()
            .filter(|w| !NAMES.contains(&w.as_str()))
            .collect();
        assert!(english.is_empty(), "{path}: {english:?}");
    }
}

/// Regression: two uploads of a department within one second have the same file time to the
/// second, and `validate` then chose by file name (a random part): the earlier could count.
#[test]
fn a_departments_latest_upload_counts_even_within_one_second() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    let item = c.items("水科")[0].id.clone();
    let good = filled(&c, "水科", &[]);
    let bad = filled(&c, "水科", &[(&item, 99.0)]);
    for bytes in [&bad, &good, &bad, &good] {
        assert_eq!(upload(&server, "水科", "水科.xlsx", bytes).status, 303);
    }
    // The files' times follow the order of the uploads, one second apart at least.
    let times: Vec<u64> = receipts(&c.dir)
        .iter()
        .rev()
        .map(|r| {
            let path = c.dir.join(r.1.as_ref().unwrap());
            let modified = std::fs::metadata(path).unwrap().modified().unwrap();
            modified
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        })
        .collect();
    assert_eq!(times.len(), 4);
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    // The last one (valid) counts, for the command line and the pages.
    assert_eq!(cli_status(&c, "水科"), "valid");
    let page = Client::new().get(server.link("水科")).text();
    assert!(
        page.contains("<p class=\"standing\"><span class=\"badge valid\">"),
        "{page}"
    );
}

/// A department's status as `tianbao status --json` says it.
fn cli_status(c: &Campaign, department: &str) -> String {
    let status = c.run(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == department)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_valid_return_replaced_by_other_content_waits_for_the_office() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    upload_and_read(&server, "水科", "水科.xlsx", &filled(&c, "水科", &[]));
    // Another valid return of other content (a lower score, with its reason).
    let item = c.items("水科")[0].id.clone();
    let other = filled(&c, "水科", &[(&item, 0.5)]);
    let page = upload_and_read(&server, "水科", "水科-第二次.xlsx", &other);
    assert!(page.contains("办公室确认后即采用"), "{page}");
    assert!(page.contains("已交·待办公室确认"), "{page}");
    assert!(
        !page.contains("validate --accept"),
        "the office's step is not the department's"
    );
    assert_eq!(cli_status(&c, "水科"), "invalid");
    // The office sees it and confirms it from the department's page.
    let mut office = Client::new();
    office.sign_in(&server);
    let overview = office.get(&server.url("/office")).text();
    assert!(overview.contains("badge confirm"), "{overview}");
    let n = c
        .master
        .departments()
        .iter()
        .position(|d| d.name == "水科")
        .unwrap();
    let detail = office.get(&server.url(&format!("/office/department/{n}")));
    let text = detail.text();
    assert!(text.contains("action=\"/office/accept\""), "{text}");
    let at = text.find("name=\"path\" value=\"").unwrap() + "name=\"path\" value=\"".len();
    let path = text[at..at + text[at..].find('"').unwrap()].replace("&#39;", "'");
    // A path that is not one awaiting confirmation is refused.
    let csrf = detail.csrf();
    let wrong = office.post_form(
        &server.url("/office/accept"),
        &[("csrf", &csrf), ("path", "/etc/passwd")],
    );
    assert_eq!(wrong.status, 404);
    let run = office.post_form(
        &server.url("/office/accept"),
        &[("csrf", &csrf), ("path", &path)],
    );
    assert_eq!(run.status, 303, "{}", run.text());
    let job = server.url(run.header("location").unwrap());
    assert!(server::eventually(120, || office
        .get(&job)
        .text()
        .contains("data-done")));
    assert_eq!(cli_status(&c, "水科"), "valid");
    let page = Client::new().get(server.link("水科")).text();
    assert!(page.contains("badge valid"), "{page}");
}

/// Sends `request` as it is, on a connection of its own; the answer.
fn raw(server: &Server, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn malformed_requests_are_refused_in_words_and_the_server_carries_on() {
    let c = Campaign::new();
    let server = Server::start(&c.dir);
    let mut office = Client::new();
    office.sign_in(&server);
    let cookie = office.cookie.clone().unwrap();
    let host = server.base.trim_start_matches("http://").to_string();
    let link = server
        .link("水科")
        .trim_start_matches(&server.base)
        .to_string();
    let post = |path: &str, kind: &str, body: &[u8]| {
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nContent-Type: {kind}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        request
    };
    let big = vec![b'a'; 3 * 1024 * 1024];
    let requests: Vec<(&str, Vec<u8>)> = vec![
        ("a number that is none", format!("GET /office/department/abc HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").into_bytes()),
        ("a job that is none", format!("GET /office/jobs/-1 HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").into_bytes()),
        ("a form as text", post("/office/run/validate", "text/plain", b"csrf=x")),
        ("a form too large", post("/office/run/validate", "application/x-www-form-urlencoded", &big)),
        ("a GET of a form", format!("GET /logout HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()),
        ("an upload not multipart", post(&format!("{link}/upload"), "application/octet-stream", b"PK\x03\x04")),
        ("an upload without a boundary", post(&format!("{link}/upload"), "multipart/form-data", b"--x\r\n")),
        ("an upload cut short", post(&format!("{link}/upload"), "multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc")),
        ("a query that is none", format!("GET /office/file?f=%ZZ HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").into_bytes()),
    ];
    for (what, request) in &requests {
        let answer = raw(&server, request);
        let status: u16 = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        assert!((400..500).contains(&status), "{what}: {answer}");
        assert!(answer.contains("text/html"), "{what}: {answer}");
        assert!(answer.contains("无法完成"), "{what}: {answer}");
    }
    // Still serving, nothing written, no upload kept.
    assert_eq!(office.get(&server.url("/office")).status, 200);
    assert!(inbox_files(&c).is_empty());
    assert!(!c.dir.join("out/校验报告.xlsx").exists());
    assert_eq!(server.stop(), 0);
}

/// A zip of `entries`, stored.
fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_of(entries)
}

/// 水科 uploads a zip holding its valid return and a filled 核定表: refused whole (a review is
/// the assessment group's alone), nothing kept, no review counted.
#[test]
fn a_review_workbook_through_a_department_link_is_refused() {
    let c = Campaign::new();
    c.everyone_returns();
    std::fs::remove_file(c.path("inbox/水科.xlsx")).unwrap();
    let run = c.run(&["review"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let review = std::fs::read(c.path(&format!("out/{}-核定表.xlsx", c.title))).unwrap();
    let own = filled(&c, "水科", &[]);
    let server = Server::start(&c.dir);
    let zip = zip_with(&[("水科.xlsx", &own), ("核定表.xlsx", &review)]);
    let page = upload_and_read(&server, "水科", "水科.zip", &zip);
    assert!(page.contains("这是考评组的核定表"), "{page}");
    let page = upload_and_read(&server, "水科", "核定表.xlsx", &review);
    assert!(page.contains("这是考评组的核定表"), "{page}");
    assert!(files_under(&c.dir.join("inbox/水科")).is_empty());
    let statuses: Vec<String> = receipts(&c.dir).into_iter().map(|r| r.3).collect();
    assert_eq!(statuses, ["refused", "refused"]);
}

/// A department's uploads are counted as validate counts them (workbooks inside zips too) and
/// limited per department: 水科's zip of 30 copies takes it past a limit of 20 and is refused
/// with the count; another department still uploads and is counted.
#[test]
fn uploads_are_counted_per_department_as_validate_counts_them() {
    let c = Campaign::new();
    set_limit(&c.dir, "max_per_department", 20);
    let own = filled(&c, "水科", &[]);
    let copies: Vec<(String, &[u8])> = (0..12)
        .map(|i| (format!("副本{i}.xlsx"), own.as_slice()))
        .collect();
    let entries: Vec<(&str, &[u8])> = copies.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let zip = zip_with(&entries);
    let server = Server::start(&c.dir);
    let page = upload_and_read(&server, "水科", "a.zip", &zip);
    assert!(page.contains("已收到本次上传"), "{page}");
    let page = upload_and_read(&server, "水科", "b.zip", &zip);
    assert!(
        page.contains("本科室已交回 12 份表格，达到每个科室 20 份的上限"),
        "{page}"
    );
    assert_eq!(files_under(&c.dir.join("inbox/水科")).len(), 1);
    let other = filled(&c, "大气科", &[]);
    let page = upload_and_read(&server, "大气科", "大气科.xlsx", &other);
    assert!(page.contains("校验合格，已计入汇总"), "{page}");
    // What the upload kept, validate reads: nothing refused for a count.
    let json = c.run(&["validate", "--json"]).json();
    let codes: Vec<String> = common::play::findings(&json)
        .into_iter()
        .map(|(_, code, ..)| code)
        .collect();
    assert!(
        !codes.contains(&"too_many_returns".to_string()),
        "{codes:?}"
    );
}

/// In period mode a receipt names the file where it lies: inbox/<期次>/<部门>/….
#[test]
fn receipts_in_period_mode_name_the_periods_folder() {
    let c = Campaign::new();
    let run = c.run(&["period", "new", "2024-06"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let issued = c
        .path("outbox/2024-06")
        .join(tianbao::template::file_name(&c.title, "水科"));
    let mut book = common::xlsx::Xlsx::read(&std::fs::read(issued).unwrap());
    c.fill(&mut book, "水科", &[]);
    let server = Server::start(&c.dir);
    let page = upload_and_read(&server, "水科", "水科.xlsx", &book.to_bytes());
    assert!(page.contains("校验合格"), "{page}");
    let receipts = receipts(&c.dir);
    let file = receipts[0].1.clone().unwrap();
    assert!(file.starts_with("inbox/2024-06/水科/"), "{file}");
    assert!(c.dir.join(&file).is_file(), "{file}");
}

/// The office's page names every review workbook in play, with where it lies and whether it
/// counts: one in a department's folder never does.
#[test]
fn the_office_page_names_every_review_in_play() {
    let c = Campaign::new();
    c.everyone_returns();
    let run = c.run(&["review"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let review = std::fs::read(c.path(&format!("out/{}-核定表.xlsx", c.title))).unwrap();
    c.put_bytes("水科/核定表.xlsx", &review);
    c.put_review_bytes("核定表.xlsx", &review);
    assert_eq!(c.run(&["validate"]).code, 1);
    let server = Server::start(&c.dir);
    let mut office = Client::new();
    office.sign_in(&server);
    let page = office.get(&server.url("/office")).text();
    assert!(
        page.contains("核定表（只采用 review/ 中的核定表）"),
        "{page}"
    );
    let row = |path: &str| {
        let at = page.find(path).unwrap_or_else(|| panic!("{path}: {page}"));
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("inbox/水科/核定表.xlsx").contains("不采用"), "{page}");
    assert!(row("review/核定表.xlsx").contains(">采用</span>"), "{page}");
}
