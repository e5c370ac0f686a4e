//! `tianbao serve` run as the installed binary on 127.0.0.1 (a free port), with what it printed:
//! the address, the office's token and each department's link; and a small HTTP client (plain
//! HTTP on loopback, no redirects followed, cookies kept by hand).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub office_token: String,
    /// Department → its link.
    pub links: BTreeMap<String, String>,
    /// What it printed up to the links, and its warnings.
    pub printed: String,
}

impl Server {
    /// Starts `tianbao serve --bind 127.0.0.1:0` on the campaign in `dir`.
    pub fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    pub fn start_with(dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tianbao"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the tianbao binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut printed = String::new();
        let mut base = String::new();
        let mut office_token = String::new();
        let mut links = BTreeMap::new();
        let mut in_links = false;
        for line in lines.by_ref() {
            let line = line.expect("serve prints UTF-8");
            printed.push_str(&line);
            printed.push('\n');
            if let Some(rest) = line.strip_prefix("正在运行：") {
                base = rest.trim_end_matches('/').to_string();
            } else if let Some(rest) = line.strip_prefix("办公室口令：") {
                office_token = rest.to_string();
            } else if line.starts_with("各科室的专用链接") {
                in_links = true;
            } else if in_links && line.starts_with("  ") {
                let mut parts = line.split_whitespace();
                let (Some(name), Some(url)) = (parts.next(), parts.next()) else {
                    continue;
                };
                links.insert(name.to_string(), url.to_string());
            } else if line.starts_with("按 Ctrl+C") {
                break;
            } else {
                in_links = false;
            }
        }
        assert!(base.starts_with("http://127.0.0.1:"), "{printed}");
        // The rest of what it prints goes nowhere (the pipe is drained so it never blocks).
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            office_token,
            links,
            printed,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn link(&self, department: &str) -> &str {
        self.links
            .get(department)
            .unwrap_or_else(|| panic!("no link for {department}: {:?}", self.links))
    }

    /// The department's token (the last part of its link).
    pub fn token(&self, department: &str) -> String {
        self.link(department)
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    }

    /// Stops it as Ctrl-C does; returns its exit code.
    pub fn stop(mut self) -> i32 {
        stop(&mut self.child)
    }
}

#[cfg(unix)]
fn stop(child: &mut Child) -> i32 {
    // SAFETY: sending a signal to a child process this test started.
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    for _ in 0..300 {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code().unwrap_or(-1);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    -1
}

#[cfg(not(unix))]
fn stop(child: &mut Child) -> i32 {
    let _ = child.kill();
    0
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An answer: status, headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The hidden CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let text = self.text();
        let at = text
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no form with a CSRF token in:\n{text}"));
        let rest = &text[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// A client with one cookie jar of one cookie (the office's session).
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    pub cookie: Option<String>,
}

impl Default for Client {
    fn default() -> Client {
        Client::new()
    }
}

impl Client {
    pub fn new() -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Client {
            agent,
            cookie: None,
        }
    }

    fn answer(&mut self, result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let mut response = result.expect("the server answers");
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let pair = v.split(';').next().unwrap_or("");
                if pair.ends_with('=') {
                    self.cookie = None;
                } else {
                    self.cookie = Some(pair.to_string());
                }
            }
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(100 * 1024 * 1024)
            .read_to_vec()
            .unwrap_or_default();
        Answer {
            status,
            headers,
            body,
        }
    }

    pub fn get(&mut self, url: &str) -> Answer {
        let mut request = self.agent.get(url);
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        let result = request.call();
        self.answer(result)
    }

    /// A form POST (`application/x-www-form-urlencoded`).
    pub fn post_form(&mut self, url: &str, fields: &[(&str, &str)]) -> Answer {
        self.post_form_with(url, fields, &[])
    }

    pub fn post_form_with(
        &mut self,
        url: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let mut request = self
            .agent
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let result = request.send(body.join("&").as_bytes());
        self.answer(result)
    }

    /// A multipart upload: the fields in order, then the file.
    pub fn upload(
        &mut self,
        url: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> Answer {
        let boundary = "----tianbao-test-boundary-7f3a9c";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n",
                file_name.replace('"', "%22")
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = self.agent.post(url).header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        let result = request.send(&body[..]);
        self.answer(result)
    }

    /// Signs in as the office with the link `serve` printed.
    pub fn sign_in(&mut self, server: &Server) {
        let answer = self.get(&server.url(&format!("/login/{}", server.office_token)));
        assert_eq!(answer.status, 303, "{}", answer.text());
        assert!(self.cookie.is_some());
    }
}

/// `%`-encoding for a form field.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Every file under `dir`, every level, sorted.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// SHA-256 of a file, in hex.
pub fn sha256_of(path: &Path) -> String {
    tianbao::digest::sha256_hex(&std::fs::read(path).unwrap())
}

/// Waits until `f` holds (at most `seconds`).
pub fn eventually(seconds: u64, mut f: impl FnMut() -> bool) -> bool {
    for _ in 0..seconds * 10 {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    f()
}
