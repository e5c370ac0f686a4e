//! `tianbao serve` in a real browser: Debian's `chromium`, headless, driven through WebDriver
//! (`chromedriver`, with the fantoccini client). On when TIANBAO_BROWSER=1; with the variable
//! set and chromium or chromedriver missing, the test fails — it never skips silently.
//!
//! A department opens its link, uploads a return with mistakes and sees the findings at their
//! cells in Chinese, uploads the fixed return and is valid; the office's overview shows the
//! change; the office compiles from its page, and the compiled workbook is the one
//! `tianbao compile` gives on the command line (same sheets, same cell values, read back with
//! calamine). Each page is photographed into the test's temp dir, and into the folder
//! TIANBAO_SCREENSHOTS names when it is set (the README's pictures: `docs/serve-*.png`, made by
//! `tests/scripts/serve_screenshots.sh`).

mod common;
#[path = "common/server.rs"]
mod server;

use std::future::Future;
use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::task::{Context, Poll};
use std::time::Duration;

use calamine::{Data, Reader, Xlsx, open_workbook};
use fantoccini::{Client, ClientBuilder, Locator};

use common::play::Campaign;
use server::Server;

/// chromedriver on a free port of 127.0.0.1, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver does not start ({e}): apt-get install chromium chromium-driver"
                )
            });
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        // Until it listens (bounded; it fails the test rather than wait forever).
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver ended at once: {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver does not listen on port {port}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromium() -> &'static str {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or_else(|| panic!("no chromium: apt-get install chromium chromium-driver"))
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
    let options = serde_json::json!({
        "binary": chromium(),
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,900", "--lang=zh-CN", "--hide-scrollbars",
            format!("--user-data-dir={}", profile.display()),
        ],
        "prefs": { "intl.accept_languages": "zh-CN,zh" },
    });
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in chromium")
}

/// A future whose panic is caught as the outcome (as `catch_unwind` for a closure).
struct Caught<F>(F);

impl<F: Future + Unpin> Future for Caught<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// Where pictures go: the test's temp dir, and TIANBAO_SCREENSHOTS when set.
struct Camera {
    dirs: Vec<PathBuf>,
}

impl Camera {
    /// A picture of the whole page (the window made as tall as the page, then put back).
    async fn shoot(&self, client: &Client, name: &str) {
        let measure = |script: &'static str| async move {
            client
                .execute(script, vec![])
                .await
                .unwrap()
                .as_u64()
                .unwrap_or(900) as u32
        };
        let page = "return document.documentElement.scrollHeight;";
        let height = measure(page).await.clamp(600, 4000);
        client.set_window_size(1280, height).await.unwrap();
        // The window's frame takes some of its height: grow it by that much.
        let inner = measure("return window.innerHeight;").await;
        let height = measure(page).await.clamp(600, 4000);
        let frame = height.saturating_sub(inner.min(height));
        client.set_window_size(1280, height + frame).await.unwrap();
        let png = client.screenshot().await.unwrap();
        client.set_window_size(1280, 900).await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
        for dir in &self.dirs {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
        }
    }
}

/// The page's visible text.
async fn text(client: &Client) -> String {
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Chooses `file` in the department's upload form and sends it; waits for the page with
/// what became of it (`expect`, a CSS selector only that page has).
async fn upload(client: &Client, file: &Path, expect: &str) {
    let input = client
        .find(Locator::Css("form.upload input[type=file]"))
        .await
        .unwrap();
    input.send_keys(&file.display().to_string()).await.unwrap();
    client
        .find(Locator::Css("form.upload button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let found = client
        .wait()
        .at_most(Duration::from_secs(120))
        .for_element(Locator::Css(expect))
        .await;
    if let Err(e) = found {
        let url = client.current_url().await.unwrap();
        panic!(
            "no {expect} after the upload ({e}) at {url}:\n{}",
            text(client).await
        );
    }
}

/// The text of the overview's row of `department`.
async fn standing(client: &Client, base: &str, department: &str) -> String {
    client.goto(&format!("{base}/office")).await.unwrap();
    let rows = client
        .find_all(Locator::Css("table.standings tbody tr"))
        .await
        .unwrap();
    for row in rows {
        let cells = row.find_all(Locator::Css("td")).await.unwrap();
        if cells[0].text().await.unwrap() == department {
            return cells[1].text().await.unwrap();
        }
    }
    panic!("no row of {department} on the overview");
}

/// Every sheet of a workbook: its name and its cells as text, read with calamine.
fn cells_of(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let start = range.start().unwrap_or((0, 0));
            let rows = range
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|cell| match cell {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (format!("{name}@{start:?}"), rows)
        })
        .collect()
}

/// The campaign of the scenario: the sample master with a contact and a deadline; 12
/// departments have returned valid workbooks, 大气科 one with a score above its weight; 水科
/// (the department of the browser) and 人事科 have not returned yet.
fn campaign() -> Campaign {
    let c = Campaign::new();
    let config = c.dir.join("tianbao.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .replace("contact = \"\"", "contact = \"考评办 张三 0595-22345678\"")
        .replace("deadline = \"\"", "deadline = \"2024年1月10日\"")
        .replace("office = \"\"", "office = \"泉州市生态环境局考评办\"");
    std::fs::write(&config, text).unwrap();
    let run = c.run(&["generate", "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for d in c.master.departments() {
        match d.name.as_str() {
            "水科" | "人事科" => {}
            "大气科" => {
                let item = c.items("大气科")[0].id.clone();
                let mut book = c.template("大气科");
                c.fill(&mut book, "大气科", &[(&item, 30.0)]);
                c.put("大气科.xlsx", &book);
            }
            name => {
                c.put(&format!("{name}.xlsx"), &c.filled(name));
            }
        }
    }
    let run = c.run(&["validate", "-q"]);
    assert_eq!(run.code, 1, "大气科 has an error: {}", run.stderr);
    c
}

#[test]
#[cfg_attr(
    not(tianbao_browser),
    ignore = "real browser (Debian chromium + chromium-driver): set TIANBAO_BROWSER=1"
)]
fn a_department_fixes_its_return_in_a_browser_and_the_office_compiles_as_the_cli_does() {
    let c = campaign();
    let server = Server::start(&c.dir);
    let shots = tempfile::tempdir().unwrap();
    let mut dirs = vec![shots.path().to_path_buf()];
    if let Some(dir) = std::env::var_os("TIANBAO_SCREENSHOTS") {
        dirs.push(PathBuf::from(dir));
    }
    let camera = Camera { dirs };
    let driver = Driver::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        let client = browser(&driver, profile.path()).await;
        // The browser is closed also when the scenario fails (chromedriver leaves it running).
        let outcome = Caught(Box::pin(scenario(&c, &server, &client, &camera))).await;
        let _ = client.close().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    });
    for name in [
        "serve-department",
        "serve-findings",
        "serve-office",
        "serve-office-department",
        "serve-compile",
    ] {
        let png = std::fs::read(shots.path().join(format!("{name}.png"))).unwrap();
        assert!(png.len() > 10_000, "{name} holds a page");
    }
    // The page compiled what the command line compiles from the same receipts.
    let from_page = c.dir.join(format!("out/{}-汇总.xlsx", c.title));
    let cli = shots.path().join("cli.xlsx");
    let run = c.run(&["compile", "-q", "--out", cli.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (page_cells, cli_cells) = (cells_of(&from_page), cells_of(&cli));
    assert_eq!(
        page_cells.iter().map(|s| &s.0).collect::<Vec<_>>(),
        cli_cells.iter().map(|s| &s.0).collect::<Vec<_>>(),
        "the same sheets"
    );
    for (page, cli) in page_cells.iter().zip(&cli_cells) {
        assert_eq!(page.1, cli.1, "sheet {}", page.0);
    }
    // Not two empty workbooks: the fillers are there (填报情况), and the final total.
    let values: Vec<&String> = page_cells
        .iter()
        .flat_map(|s| s.1.iter().flatten())
        .collect();
    assert!(values.iter().any(|v| *v == "张三"));
    assert!(values.iter().any(|v| v.contains("绩效目标考评得分")));
    assert_eq!(server.stop(), 0);
}

async fn scenario(c: &Campaign, server: &Server, client: &Client, camera: &Camera) {
    let work = tempfile::tempdir().unwrap();
    // 水科 opens its link: its workbook to download, the upload form.
    client.goto(server.link("水科")).await.unwrap();
    let page = text(client).await;
    assert!(
        page.contains("本科室的填报情况") && page.contains("未交"),
        "{page}"
    );
    assert!(page.contains("2024年1月10日"), "{page}");
    let download = client
        .find(Locator::Css("a[href$='/workbook']"))
        .await
        .unwrap();
    assert_eq!(download.text().await.unwrap(), "下载本科室填报表");
    camera.shoot(client, "serve-department").await;

    // A return with mistakes: a score above its weight, 扣分原因 left empty for another.
    let items = c.items("水科");
    let weight = |i: &tianbao::model::Item| i.weight.unwrap_or_default();
    let over = items[0].id.clone();
    let under = items
        .iter()
        .find(|i| weight(i) >= rust_decimal::Decimal::TWO)
        .expect("an item of 2 points or more");
    let less: f64 = (weight(under) - rust_decimal::Decimal::ONE)
        .to_string()
        .parse()
        .unwrap();
    let under = under.id.clone();
    let mut book = c.template("水科");
    c.fill(&mut book, "水科", &[(&over, 99.0), (&under, less)]);
    let sheet = c.spec.template.sheet.clone();
    let reason = c.cell("水科", &under, "deduction");
    book.set(&sheet, &reason, common::xlsx::s(""));
    let bad = work.path().join("水科-填报表.xlsx");
    std::fs::write(&bad, book.to_bytes()).unwrap();
    upload(client, &bad, "#result table.findings").await;
    let page = text(client).await;
    assert!(page.contains("发现 2 处错误"), "{page}");
    let score = c.cell("水科", &over, "score");
    assert!(page.contains(&format!("填报表!{score}")), "{page}");
    assert!(page.contains(&format!("填报表!{reason}")), "{page}");
    assert!(
        page.contains("自评得分") && page.contains("扣分原因"),
        "{page}"
    );
    assert!(page.contains("下载反馈表"), "{page}");
    camera.shoot(client, "serve-findings").await;

    // The office sees it: 水科 returned with 2 errors.
    client
        .goto(&server.url(&format!("/login/{}", server.office_token)))
        .await
        .unwrap();
    assert_eq!(
        standing(client, &server.base, "水科").await,
        "已交·2 处错误"
    );
    assert_eq!(standing(client, &server.base, "人事科").await, "未交");
    camera.shoot(client, "serve-office").await;

    // Fixed and uploaded again: valid.
    client.goto(server.link("水科")).await.unwrap();
    let good = work.path().join("水科-改好了.xlsx");
    std::fs::write(&good, c.filled("水科").to_bytes()).unwrap();
    upload(client, &good, "#result .notice.ok").await;
    let page = text(client).await;
    assert!(page.contains("校验合格，已计入汇总"), "{page}");
    assert!(page.contains("已交·合格"), "{page}");

    // 人事科 and 大气科 return through their links too (大气科 fixed).
    for department in ["人事科", "大气科"] {
        client.goto(server.link(department)).await.unwrap();
        let file = work.path().join(format!("{department}.xlsx"));
        std::fs::write(&file, c.filled(department).to_bytes()).unwrap();
        upload(client, &file, "#result .notice.ok").await;
    }

    // The office's overview: every department valid now, 水科 by web upload.
    assert_eq!(standing(client, &server.base, "水科").await, "已交·合格");
    let page = text(client).await;
    assert_eq!(page.matches("已交·合格").count(), 15 + 1, "{page}");
    let n = c
        .master
        .departments()
        .iter()
        .position(|d| d.name == "水科")
        .unwrap();
    client
        .goto(&server.url(&format!("/office/department/{n}")))
        .await
        .unwrap();
    let page = text(client).await;
    assert!(
        page.contains("上传记录（回执）") && page.contains("水科-改好了.xlsx"),
        "{page}"
    );
    camera.shoot(client, "serve-office-department").await;
    client.goto(&server.url("/office/links")).await.unwrap();
    camera.shoot(client, "serve-links").await;

    // The office compiles from its page: the job's progress, then its outcome.
    client.goto(&server.url("/office")).await.unwrap();
    client
        .find(Locator::Css("form[action='/office/run/compile'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(300))
        .for_element(Locator::Css("[data-done]"))
        .await
        .expect("the compile job ends");
    let page = text(client).await;
    assert!(page.contains("汇总完成"), "{page}");
    camera.shoot(client, "serve-compile").await;
    // Its link downloads the compiled workbook.
    let link = client
        .find(Locator::Css("ul.lines a[href^='/office/file']"))
        .await
        .unwrap();
    assert!(link.text().await.unwrap().contains("汇总表"));
    let href = link.attr("href").await.unwrap().unwrap();
    let session = client
        .get_all_cookies()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.name() == "tb_office")
        .expect("the office's session cookie");
    let mut http = server::Client::new();
    http.cookie = Some(format!("tb_office={}", session.value()));
    let answer = http.get(&server.url(&href));
    assert_eq!(answer.status, 200);
    let compiled = c.dir.join(format!("out/{}-汇总.xlsx", c.title));
    assert_eq!(answer.body, std::fs::read(compiled).unwrap());
}
