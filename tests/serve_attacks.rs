//! `tianbao serve` under attack, the real binary on 127.0.0.1, attacked from another loopback
//! address (127.0.0.2: Linux's loopback takes the whole of 127/8):
//!
//! - 1,200 half-open connections that send part of a request's head and stall: the office
//!   still gets its pages, the attacker keeps no more than its per-address share of
//!   connections, and the server's memory stays bounded;
//! - a stalled head is closed after the header timeout, a stalled body after the idle timeout;
//! - a 300 MB `csrf` field streamed to a valid department link is refused without being read,
//!   memory bounded; an upload that says it is larger than the limit is refused before it is
//!   read;
//! - wrong token guesses from an address do not lock that address out: its valid department
//!   link still opens, the office still signs in, and further wrong guesses are refused (429).
#![cfg(target_os = "linux")]

mod common;
#[path = "common/server.rs"]
mod server;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::play::Campaign;
use server::Client;

/// The attacker's address.
const ATTACKER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
/// The server's bound on connections from one address (`src/serve/mod.rs`, `PER_CLIENT`).
const PER_CLIENT: usize = 32;

/// `tianbao serve --bind 127.0.0.1:0` on the campaign in `dir`, with `env` set: its process,
/// address, the office's token and the departments' links (as `tests/common/server.rs` reads
/// them; this one also knows the process, to read its memory, and sets the environment).
struct Served {
    child: Child,
    address: SocketAddr,
    base: String,
    office_token: String,
    links: BTreeMap<String, String>,
}

impl Served {
    fn start(dir: &Path, env: &[(&str, &str)]) -> Served {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tianbao"));
        command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .env_remove("TIANBAO_SERVE_HEADER_TIMEOUT_MS")
            .env_remove("TIANBAO_SERVE_IDLE_TIMEOUT_MS")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the tianbao binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let (mut base, mut office_token) = (String::new(), String::new());
        let mut links = BTreeMap::new();
        let mut in_links = false;
        let mut printed = String::new();
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
                if let (Some(name), Some(url)) = (parts.next(), parts.next()) {
                    links.insert(name.to_string(), url.to_string());
                }
            } else if line.starts_with("按 Ctrl+C") {
                break;
            } else {
                in_links = false;
            }
        }
        assert!(base.starts_with("http://127.0.0.1:"), "{printed}");
        std::thread::spawn(move || for _ in lines {});
        let address = base.trim_start_matches("http://").parse().unwrap();
        Served {
            child,
            address,
            base,
            office_token,
            links,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The path of the department's link (`/d/<token>`).
    fn link_path(&self, department: &str) -> String {
        self.links[department]
            .trim_start_matches(&self.base)
            .to_string()
    }

    /// The server's resident memory, in bytes (VmRSS of /proc/<pid>/status).
    fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no VmRSS in {status}"));
        kb * 1024
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The office signs in from 127.0.0.1 and gets its overview: the status of that page,
    /// within `seconds` at most (none if it did not come by then).
    fn office_page(&self, seconds: u64) -> Option<u16> {
        let login = self.url(&format!("/login/{}", self.office_token));
        let office = self.url("/office");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut client = Client::new();
            let signed = client.get(&login);
            let status = if signed.status == 303 {
                client.get(&office).status
            } else {
                signed.status
            };
            let _ = tx.send(status);
        });
        rx.recv_timeout(Duration::from_secs(seconds)).ok()
    }

    /// Sends `request` from `source` on a connection of its own; the status and the whole
    /// answer (the request should say `Connection: close`).
    fn raw_from(&self, source: Ipv4Addr, request: &str) -> (u16, String) {
        let mut stream = connect_from(source, self.address).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer).into_owned();
        (status_of(&answer), answer)
    }

    fn get_from(&self, source: Ipv4Addr, path: &str) -> (u16, String) {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        );
        self.raw_from(source, &request)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status of an HTTP answer (0 when there is none).
fn status_of(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A TCP connection to `to` from the address `source` (any port).
fn connect_from(source: Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.bind(&SocketAddr::V4(SocketAddrV4::new(source, 0)).into())?;
    socket.connect_timeout(&to.into(), Duration::from_secs(10))?;
    Ok(socket.into())
}

/// Whether the server closed `stream` (end of stream or reset), without waiting.
fn closed(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let closed = match (&*stream).read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).unwrap();
    closed
}

/// Waits until `f` holds (at most `seconds`).
fn eventually(seconds: u64, mut f: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < until {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    f()
}

const MB: u64 = 1024 * 1024;

#[test]
fn twelve_hundred_half_open_connections_do_not_keep_the_office_out() {
    let c = Campaign::new();
    // A long header timeout: the stalled connections stay open while the office comes.
    let mut server = Served::start(&c.dir, &[("TIANBAO_SERVE_HEADER_TIMEOUT_MS", "120000")]);
    let partial = format!(
        "GET /office HTTP/1.1\r\nHost: {}\r\nUser-Agent: slow",
        server.address
    );
    let mut stalled = Vec::new();
    let mut refused = 0;
    for _ in 0..1200 {
        match connect_from(ATTACKER, server.address) {
            Ok(mut stream) => {
                // Past the bound the server closes it at once: the write may fail.
                let _ = stream.write_all(partial.as_bytes());
                stalled.push(stream);
            }
            Err(_) => refused += 1,
        }
    }
    assert!(
        stalled.len() >= 1000,
        "{} connected, {refused} not",
        stalled.len()
    );
    // The office gets its page meanwhile, and a department its link.
    assert_eq!(server.office_page(20), Some(200));
    let department = Client::new().get(&server.links["水科"]);
    assert_eq!(department.status, 200);
    let rss = server.rss();
    eprintln!(
        "{} connections from {ATTACKER}; the server holds {} MB",
        stalled.len(),
        rss / MB
    );
    assert!(rss < 200 * MB, "the server holds {} MB", rss / MB);
    assert!(server.alive());
    // The attacker keeps its share of connections, no more: the others were closed.
    let mut open = 0;
    let shared = eventually(30, || {
        open = stalled.iter().filter(|s| !closed(s)).count();
        open <= PER_CLIENT
    });
    assert!(shared, "{open} of the attacker's connections still open");
    // Its share is kept open (stalled within the header timeout).
    assert!(open > 0, "every stalled connection was closed");
    // Another connection from the attacker is closed at once while its share is taken.
    let mut more = connect_from(ATTACKER, server.address).unwrap();
    let _ = more.write_all(partial.as_bytes());
    assert!(eventually(20, || closed(&more)));
    drop(stalled);
    // Its connections gone, the attacker's address is served again.
    let mut back = 0;
    assert!(
        eventually(30, || {
            back = server.get_from(ATTACKER, "/login").0;
            back == 200
        }),
        "{back}"
    );
}

#[test]
fn a_stalled_head_is_closed_after_the_header_timeout_and_a_stalled_body_after_the_idle_one() {
    let c = Campaign::new();
    let mut server = Served::start(
        &c.dir,
        &[
            ("TIANBAO_SERVE_HEADER_TIMEOUT_MS", "500"),
            ("TIANBAO_SERVE_IDLE_TIMEOUT_MS", "1000"),
        ],
    );
    let wait_for_close = |stream: &mut TcpStream| -> bool {
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut answer = Vec::new();
        match stream.read_to_end(&mut answer) {
            Ok(_) => true,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        }
    };
    // A head that stops coming.
    let mut head = connect_from(Ipv4Addr::LOCALHOST, server.address).unwrap();
    head.write_all(format!("GET /login HTTP/1.1\r\nHost: {}\r\n", server.address).as_bytes())
        .unwrap();
    assert!(wait_for_close(&mut head), "a stalled head stays open");
    // A connection that sends nothing at all.
    let mut silent = connect_from(ATTACKER, server.address).unwrap();
    assert!(
        wait_for_close(&mut silent),
        "a silent connection stays open"
    );
    // A kept-alive connection that asks nothing more after its first answer.
    let mut kept = connect_from(ATTACKER, server.address).unwrap();
    kept.write_all(format!("GET /login HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).as_bytes())
        .unwrap();
    assert!(
        wait_for_close(&mut kept),
        "an idle kept-alive connection stays open"
    );
    // An upload whose body stops coming, on a valid link (the token is checked first, then
    // the body waited for).
    let mut body = connect_from(ATTACKER, server.address).unwrap();
    body.write_all(
        format!(
            "POST {}/upload HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; \
             boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nContent-Disposition: \
             form-data; name=\"csrf\"\r\n\r\nab",
            server.link_path("水科"),
            server.address
        )
        .as_bytes(),
    )
    .unwrap();
    assert!(wait_for_close(&mut body), "a stalled body stays open");
    // The server carries on, with these short timeouts too.
    assert_eq!(server.office_page(20), Some(200));
    assert!(server.alive());
}

#[test]
fn a_300_mb_csrf_field_is_refused_without_being_read() {
    let c = Campaign::new();
    let mut server = Served::start(&c.dir, &[]);
    let before = server.rss();
    let path = format!("{}/upload", server.link_path("水科"));
    let boundary = "tianbao-attack";
    // Chunked: no length said, so the field's own bound must stop it. Sent from 1 MiB of
    // memory, a chunk at a time.
    let mut stream = connect_from(ATTACKER, server.address).unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
        .write_all(
            format!(
                "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; \
                 boundary={boundary}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                server.address
            )
            .as_bytes(),
        )
        .unwrap();
    let chunk = |data: &[u8]| {
        let mut out = format!("{:x}\r\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
        out
    };
    let start = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n");
    let a_mb = chunk(&vec![b'a'; MB as usize]);
    let mut sent = 0u64;
    let mut cut = stream.write_all(&chunk(start.as_bytes())).is_err();
    while !cut && sent < 300 * MB {
        match stream.write_all(&a_mb) {
            Ok(()) => sent += MB,
            Err(_) => cut = true,
        }
    }
    if !cut {
        let end = format!("\r\n--{boundary}--\r\n");
        cut = stream.write_all(&chunk(end.as_bytes())).is_err()
            || stream.write_all(b"0\r\n\r\n").is_err();
    }
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    // Refused: answered 413 in words, or (the server closing on the rest) cut off long before
    // the end.
    let status = status_of(&answer);
    assert!(
        status == 413 || (cut && status == 0 && sent < 100 * MB),
        "sent {} MB, cut: {cut}, answer: {answer}",
        sent / MB
    );
    if status == 413 {
        assert!(answer.contains("过长"), "{answer}");
    }
    assert!(
        cut || sent < 100 * MB,
        "the server read all {} MB",
        sent / MB
    );
    let rss = server.rss();
    eprintln!(
        "sent {} MB of csrf field, cut: {cut}, status {status}; the server holds {} MB",
        sent / MB,
        rss / MB
    );
    assert!(
        rss < 200 * MB,
        "the server holds {} MB ({} MB before)",
        rss / MB,
        before / MB
    );
    // Said to be larger than the limit: refused before it is read, said why.
    let mut declared = connect_from(ATTACKER, server.address).unwrap();
    declared
        .write_all(
            format!(
                "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; \
                 boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                server.address,
                600 * MB
            )
            .as_bytes(),
        )
        .unwrap();
    declared
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = declared.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert_eq!(status_of(&answer), 413, "{answer}");
    assert!(answer.contains("文件超过了"), "{answer}");
    // Nothing kept, and the server carries on.
    assert!(server::files_under(&c.dir.join("inbox")).is_empty());
    assert_eq!(server.office_page(20), Some(200));
    assert!(server.alive());
    let rss = server.rss();
    assert!(rss < 200 * MB, "the server holds {} MB", rss / MB);
}

#[test]
fn wrong_guesses_do_not_lock_out_the_right_link_or_the_office() {
    let c = Campaign::new();
    let server = Served::start(&c.dir, &[]);
    let wrong = format!("/d/{}", "0".repeat(32));
    // Ten wrong guesses are answered "no such link", the next ones "too many attempts".
    let statuses: Vec<u16> = (0..20)
        .map(|_| server.get_from(ATTACKER, &wrong).0)
        .collect();
    assert_eq!(&statuses[..10], &[404; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429; 10], "{statuses:?}");
    // The right link still opens from that address, and its upload form posts.
    let right = server.link_path("水科");
    let (status, page) = server.get_from(ATTACKER, &right);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("name=\"csrf\""), "{page}");
    // Wrong guesses at an upload are limited as well; the right link's upload is not.
    let upload = |path: &str| {
        let body = "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nx\r\n--b--\r\n";
        let request = format!(
            "POST {path}/upload HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; \
             boundary=b\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            server.address,
            body.len()
        );
        server.raw_from(ATTACKER, &request).0
    };
    assert_eq!(upload(&wrong), 429);
    assert_eq!(
        upload(&right),
        403,
        "a wrong CSRF token, not a locked-out address"
    );
    // Further wrong guesses are still refused.
    let (status, page) = server.get_from(ATTACKER, &wrong);
    assert_eq!(status, 429);
    assert!(page.contains("尝试次数过多"), "{page}");
    // The office signs in from its own PC, with the link and with the form.
    assert_eq!(server.office_page(20), Some(200));
    let mut office = Client::new();
    let form = office.get(&server.url("/login"));
    let signed = office.post_form(
        &server.url("/login"),
        &[("csrf", &form.csrf()), ("token", &server.office_token)],
    );
    assert_eq!(signed.status, 303, "{}", signed.text());
    // Wrong office tokens from this PC are never a lock-out of the office.
    for _ in 0..15 {
        assert_eq!(
            Client::new()
                .get(&server.url("/login/not-the-token"))
                .status,
            404
        );
    }
    assert_eq!(server.office_page(20), Some(200));
    // The attacker's wrong department guesses did not spill over to other kinds: its wrong
    // office tokens are answered "wrong" (loopback: never refused the office sign-in).
    let (status, _) = server.get_from(ATTACKER, "/login/not-the-token");
    assert_eq!(status, 404);
}
