//! The example servers, run as programs: driven by real clients that are
//! not ours (`curl` against `examples/http_server.rs`, `redis-cli` and
//! `redis-benchmark` against `examples/redis_server.rs`, `wrk` against the
//! HTTP example, Python's `websockets` client under Python's asyncio
//! against `examples/websocket_chat.rs`), and the chat
//! example by three clients on our streams. Loopback only.
//!
//! A client that is not installed skips its test with a note, unless
//! `ASYNCIO_REQUIRE_CLIENTS=1` (which `.ci/run` sets after installing them
//! with `apt-get`): then it is a failure.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// An example server running as a child process, killed when dropped.
struct ExampleServer {
    child: Child,
    addr: String,
}

impl ExampleServer {
    /// Starts `target/<profile>/examples/<name>` (built by `cargo test`)
    /// and reads the address it prints first (`... on <scheme>://<addr>/`
    /// or `... on <addr>`).
    fn start(name: &str) -> ExampleServer {
        let exe = std::env::current_exe().unwrap();
        let dir = exe.parent().unwrap().parent().unwrap().join("examples");
        let mut child = Command::new(dir.join(name))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {name} example: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .rsplit(' ')
            .next()
            .unwrap()
            .trim_start_matches("http://")
            .trim_start_matches("ws://")
            .trim_end_matches('/')
            .to_owned();
        ExampleServer { child, addr }
    }
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `tool` can be run; if not, says so, and fails when clients are
/// required.
fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("ASYNCIO_REQUIRE_CLIENTS").is_none(),
            "{tool} is required (ASYNCIO_REQUIRE_CLIENTS) but not installed"
        );
        eprintln!("skipped: {tool} is not installed (apt-get install it to run this test)");
    }
    found
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `curl` gets the body and headers, twice over one kept-alive connection,
/// and a `POST` is refused with 405.
#[test]
fn curl_against_the_http_example() {
    if !have("curl") {
        return;
    }
    let server = ExampleServer::start("http_server");
    let url = format!("http://{}/", server.addr);
    let response = run("curl", &["-sS", "-i", "-m", "10", &url]);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("Content-Length: 13\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nHello, world!"), "{response}");
    // Two requests, one connection: curl says it re-used it.
    let out = Command::new("curl")
        .args(["-sS", "-v", "-m", "10", &url, &url])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Hello, world!Hello, world!"
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("Re-using existing connection") || log.contains("Reusing existing"),
        "{log}"
    );
    let status = run(
        "curl",
        &[
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "-m",
            "10",
            &url,
        ],
    );
    assert_eq!(status, "405");
}

/// `redis-cli` against the RESP example: `SET k v` then `GET k` gives `v`;
/// `INCR`, `DEL`, `PING` answer as Redis does.
#[test]
fn redis_cli_against_the_resp_example() {
    if !have("redis-cli") {
        return;
    }
    let server = ExampleServer::start("redis_server");
    let (host, port) = server.addr.rsplit_once(':').unwrap();
    let cli = |args: &[&str]| {
        let mut all = vec!["-h", host, "-p", port];
        all.extend_from_slice(args);
        run("redis-cli", &all).trim_end().to_owned()
    };
    assert_eq!(cli(&["PING"]), "PONG");
    assert_eq!(cli(&["SET", "k", "v"]), "OK");
    assert_eq!(cli(&["GET", "k"]), "v");
    assert_eq!(cli(&["INCR", "counter"]), "1");
    assert_eq!(cli(&["INCR", "counter"]), "2");
    assert_eq!(cli(&["DEL", "k", "nothing"]), "1");
    assert_eq!(cli(&["GET", "k"]), "");
    assert_eq!(cli(&["EXISTS", "counter"]), "1");
}

/// `redis-benchmark` runs to the end against the RESP example (a small
/// run: the figures are for the benchmarks, this checks the protocol under
/// 50 concurrent clients).
#[test]
fn redis_benchmark_completes_against_the_resp_example() {
    if !have("redis-benchmark") {
        return;
    }
    let server = ExampleServer::start("redis_server");
    let (host, port) = server.addr.rsplit_once(':').unwrap();
    let out = run(
        "redis-benchmark",
        &[
            "-h", host, "-p", port, "-q", "-t", "get,set", "-c", "50", "-n", "2000",
        ],
    );
    assert!(out.contains("SET: ") && out.contains("GET: "), "{out}");
    assert!(!out.contains("ERR"), "{out}");
}

/// The chat example with three clients of ours: joins are announced, a
/// line reaches the others (not its sender), and one leaving mid-way is
/// announced while the rest carry on.
#[test]
fn chat_example_broadcasts_and_survives_a_leaver() {
    use asyncio::streams::{StreamReader, StreamWriter, open_connection};

    let server = ExampleServer::start("chat_server");
    let addr = server.addr.clone();
    asyncio::run(async move {
        async fn join(addr: &str, name: &str) -> (StreamReader, StreamWriter) {
            let (mut reader, writer) = open_connection(addr.to_owned()).await.unwrap();
            assert_eq!(reader.readline().await.unwrap(), b"name?\n");
            writer.write(format!("{name}\n").as_bytes());
            let welcome = format!("welcome, {name}\n");
            assert_eq!(reader.readline().await.unwrap(), welcome.as_bytes());
            (reader, writer)
        }
        let (mut ann, ann_w) = join(&addr, "ann").await;
        let (mut bob, bob_w) = join(&addr, "bob").await;
        assert_eq!(ann.readline().await.unwrap(), b"* bob joined\n");
        let (mut cy, cy_w) = join(&addr, "cy").await;
        assert_eq!(ann.readline().await.unwrap(), b"* cy joined\n");
        assert_eq!(bob.readline().await.unwrap(), b"* cy joined\n");

        ann_w.write(b"hello all\n");
        assert_eq!(bob.readline().await.unwrap(), b"ann: hello all\n");
        assert_eq!(cy.readline().await.unwrap(), b"ann: hello all\n");

        // cy leaves mid-way.
        cy_w.close();
        drop(cy);
        drop(cy_w);
        assert_eq!(ann.readline().await.unwrap(), b"* cy left\n");
        assert_eq!(bob.readline().await.unwrap(), b"* cy left\n");

        bob_w.write(b"still here\n");
        assert_eq!(ann.readline().await.unwrap(), b"bob: still here\n");
    });
}

/// The graceful-shutdown example: the quick connection is answered within
/// the deadline, the slow one's handler is cancelled at it (its cleanup
/// runs), and then the server is closed.
#[test]
fn graceful_shutdown_example() {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let out = Command::new(dir.join("graceful_shutdown"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let at = |line: &str| {
        lines
            .iter()
            .position(|l| *l == line)
            .unwrap_or_else(|| panic!("no {line:?} in {lines:#?}"))
    };
    assert!(
        at("handler: answered a 0.2 s request") < at("deadline passed: cancelling 1 handler(s)")
    );
    assert!(at("deadline passed: cancelling 1 handler(s)") < at("server closed"));
    assert_eq!(
        lines
            .iter()
            .filter(|l| **l == "handler: cleanup ran")
            .count(),
        2
    );
    assert!(lines.contains(&"client (30 s): connection closed without an answer"));
}

/// `wrk` (100 connections, keep-alive) against the HTTP example: every
/// response is a 200, and no socket errors.
#[test]
fn wrk_against_the_http_example() {
    if !have_wrk() {
        return;
    }
    let server = ExampleServer::start("http_server");
    let url = format!("http://{}/", server.addr);
    let out = run("wrk", &["-t1", "-c100", "-d1s", &url]);
    let rate: f64 = out
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|r| r.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in {out}"));
    assert!(rate > 0.0, "{out}");
    assert!(!out.contains("Non-2xx"), "{out}");
    assert!(!out.contains("Socket errors"), "{out}");
}

/// `wrk` has no `--version` that exits 0; ask for its usage instead.
fn have_wrk() -> bool {
    let found = Command::new("wrk").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("ASYNCIO_REQUIRE_CLIENTS").is_none(),
            "wrk is required (ASYNCIO_REQUIRE_CLIENTS) but not installed"
        );
        eprintln!("skipped: wrk is not installed (apt-get install wrk to run this test)");
    }
    found
}

/// Python's own `websockets` client, under Python's asyncio, against the
/// WebSocket example: what one client sends, the other receives.
#[test]
fn python_websockets_against_the_websocket_example() {
    let usable = Command::new("python3")
        .args(["-c", "import websockets"])
        .status()
        .is_ok_and(|s| s.success());
    if !usable {
        assert!(
            std::env::var_os("ASYNCIO_REQUIRE_CLIENTS").is_none(),
            "python3 with websockets is required (ASYNCIO_REQUIRE_CLIENTS) but missing"
        );
        eprintln!("skipped: python3 -m pip install websockets to run this test");
        return;
    }
    let server = ExampleServer::start("websocket_chat");
    let script = r#"
import asyncio, sys
import websockets

async def main(url):
    async with websockets.connect(url) as a, websockets.connect(url) as b:
        await asyncio.sleep(0.2)
        await a.send("hello from python")
        print(await asyncio.wait_for(b.recv(), 5))
        await b.send("and back")
        print(await asyncio.wait_for(a.recv(), 5))

asyncio.run(main(sys.argv[1]))
"#;
    let url = format!("ws://{}", server.addr);
    let out = run("python3", &["-c", script, &url]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].ends_with(": hello from python"), "{out}");
    assert!(lines[1].ends_with(": and back"), "{out}");
}
