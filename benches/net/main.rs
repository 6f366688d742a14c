//! Loopback TCP echo, this crate's loop against tokio's current-thread
//! runtime: an echo server and 50 clients in one thread, each client
//! sending 1 KiB and reading it back, as many times as it can in 3 s
//! (the clients connect first, one after another; then the clock starts).
//!
//! # Method
//! Every measurement is a fresh process (this binary re-run with
//! `--side <name>`): a user's program is a fresh process. The sides
//! alternate, `ROUNDS` times each; the report gives the median, min and max
//! round trips per second of each side and the ratio of the medians (ours
//! over tokio's; above 1 is faster).
//!
//! A third, `idle`, holds 5,000 connections open, each with a server task
//! waiting for a line, and reports resident memory per connection.
//!
//! A second workload, `http`, serves a fixed body over HTTP/1.1 keep-alive
//! (this crate's streams: `readuntil` for the head; tokio: a `BufReader`
//! and `read_until`, the same server written the tokio way) and measures it
//! with `wrk -t1 -c100` (Debian's `wrk`), server and `wrk` as separate
//! processes, the sides alternating.
//!
//! ```text
//! cargo bench --bench net                 # 5 rounds of 3 s per side, then http
//! cargo bench --bench net -- --quick      # 2 rounds of 1 s
//! cargo bench --bench net -- echo         # one workload (echo, http, idle)
//! ```

use std::process::Command;
use std::time::{Duration, Instant};

/// Echo clients in the main workload (`echo-1000` uses 1,000).
const CLIENTS: usize = 50;
const MESSAGE: usize = 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let secs = if quick { 1.0 } else { 3.0 };
    if let Some(at) = args.iter().position(|a| a == "--idle") {
        let bytes = match args[at + 1].as_str() {
            "asyncio" => asyncio_idle(),
            "tokio" => tokio_idle(),
            other => panic!("unknown side {other}"),
        };
        println!("{bytes}");
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--serve-http") {
        match args[at + 1].as_str() {
            "asyncio" => asyncio_http(),
            "tokio" => tokio_http(),
            other => panic!("unknown side {other}"),
        }
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--side") {
        let side = args[at + 1].as_str();
        let duration = Duration::from_secs_f64(secs);
        let clients = args
            .iter()
            .position(|a| a == "--clients")
            .map_or(CLIENTS, |at| args[at + 1].parse().unwrap());
        let round_trips = match side {
            "asyncio" => asyncio_echo(duration, clients),
            "tokio" => tokio_echo(duration, clients),
            other => panic!("unknown side {other}"),
        };
        println!("{}", round_trips as f64 / secs);
        return;
    }
    let rounds = if quick { 2 } else { 5 };
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let selected =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    if selected("echo") {
        echo_report(quick, secs, rounds, CLIENTS);
    }
    if selected("echo-1000") {
        echo_report(quick, secs, rounds, 1000);
    }
    if selected("http") {
        http_report(quick, rounds);
    }
    if selected("idle") {
        idle_report(rounds);
    }
}

/// Idle connections held open: a server task per connection waiting for a
/// line, and the client socket, in one process.
const IDLE: usize = 5_000;

/// Resident memory in bytes (the kernel's socket buffers are not in it).
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Memory per idle connection of each side, each a fresh process.
fn idle_report(rounds: usize) {
    println!(
        "\nidle connections: {IDLE} accepted and waiting for a line (server task + client socket \
         in one process), resident bytes per connection, {rounds} rounds"
    );
    let exe = std::env::current_exe().unwrap();
    let mut results: Vec<(&str, Vec<f64>)> = vec![("asyncio", Vec::new()), ("tokio", Vec::new())];
    for round in 0..rounds {
        for i in 0..results.len() {
            let side = (round + i) % results.len();
            let out = Command::new(&exe)
                .args(["--idle", results[side].0])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let bytes: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
            results[side].1.push(bytes);
        }
    }
    report(
        "bytes/connection (asyncio / tokio: below 1 is leaner)",
        &mut results,
    );
}

fn asyncio_idle() -> usize {
    use asyncio::net::TcpStream;
    use asyncio::streams::start_server;
    asyncio::run(async {
        let server = start_server(
            |mut reader, _writer| async move {
                let _ = reader.readline().await;
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let addr = server.addrs()[0];
        // Warm up the loop's tables, then measure.
        let warm = TcpStream::connect(addr).await.unwrap();
        while server.active_connections() < 1 {
            asyncio::sleep(0.001).await;
        }
        let before = resident();
        let mut clients = Vec::with_capacity(IDLE);
        for _ in 0..IDLE {
            clients.push(TcpStream::connect(addr).await.unwrap());
        }
        while server.active_connections() < IDLE + 1 {
            asyncio::sleep(0.001).await;
        }
        // Every server task has run up to its wait.
        asyncio::sleep(0.05).await;
        let after = resident();
        drop((warm, clients));
        (after - before) / IDLE
    })
}

fn tokio_idle() -> usize {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let active = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let a = active.clone();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                a.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    let (read, _write) = stream.into_split();
                    let mut line = String::new();
                    let _ = BufReader::new(read).read_line(&mut line).await;
                });
            }
        });
        let warm = tokio::net::TcpStream::connect(addr).await.unwrap();
        while active.load(std::sync::atomic::Ordering::SeqCst) < 1 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let before = resident();
        let mut clients = Vec::with_capacity(IDLE);
        for _ in 0..IDLE {
            clients.push(tokio::net::TcpStream::connect(addr).await.unwrap());
        }
        while active.load(std::sync::atomic::Ordering::SeqCst) < IDLE + 1 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // Every server task has run up to its wait.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let after = resident();
        drop((warm, clients));
        (after - before) / IDLE
    })
}

fn echo_report(quick: bool, secs: f64, rounds: usize, clients: usize) {
    println!(
        "loopback TCP echo: {clients} clients, {MESSAGE} B messages, {secs} s per measurement, \
         each in a fresh process, {rounds} rounds; {} CPUs",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let exe = std::env::current_exe().unwrap();
    let mut results: Vec<(&str, Vec<f64>)> = vec![("asyncio", Vec::new()), ("tokio", Vec::new())];
    for round in 0..rounds {
        for i in 0..results.len() {
            let side = (round + i) % results.len();
            let mut command = Command::new(&exe);
            command.args(["--side", results[side].0, "--clients", &clients.to_string()]);
            if quick {
                command.arg("--quick");
            }
            let out = command.output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let rate: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
            results[side].1.push(rate);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut medians = Vec::new();
    println!(
        "{:<10} {:>12} {:>12} {:>12}  round trips/s",
        "side", "median", "min", "max"
    );
    for (name, samples) in &mut results {
        let m = median(samples);
        medians.push(m);
        println!(
            "{name:<10} {m:>12.0} {:>12.0} {:>12.0}",
            samples.first().unwrap(),
            samples.last().unwrap()
        );
    }
    println!("asyncio / tokio (medians): {:.2}", medians[0] / medians[1]);
}

/// Medians, mins and maxes of each side, and the ratio of the medians.
fn report(unit: &str, results: &mut [(&str, Vec<f64>)]) {
    let mut medians = Vec::new();
    println!(
        "{:<10} {:>12} {:>12} {:>12}  {unit}",
        "side", "median", "min", "max"
    );
    for (name, samples) in results.iter_mut() {
        samples.sort_by(f64::total_cmp);
        let m = samples[samples.len() / 2];
        medians.push(m);
        println!(
            "{name:<10} {m:>12.0} {:>12.0} {:>12.0}",
            samples.first().unwrap(),
            samples.last().unwrap()
        );
    }
    println!("asyncio / tokio (medians): {:.2}", medians[0] / medians[1]);
}

/// `wrk -t1 -c100` against each side's HTTP server, alternating.
fn http_report(quick: bool, rounds: usize) {
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("http: skipped (wrk is not installed: apt-get install wrk)");
        return;
    }
    let duration = if quick { "1s" } else { "5s" };
    println!(
        "\nHTTP/1.1 keep-alive, fixed 13-byte body: wrk -t1 -c100 -d{duration}, {rounds} rounds"
    );
    let exe = std::env::current_exe().unwrap();
    let mut results: Vec<(&str, Vec<f64>)> = vec![("asyncio", Vec::new()), ("tokio", Vec::new())];
    for round in 0..rounds {
        for i in 0..results.len() {
            let side = (round + i) % results.len();
            let mut server = Command::new(&exe)
                .args(["--serve-http", results[side].0])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = String::new();
            std::io::BufRead::read_line(
                &mut std::io::BufReader::new(server.stdout.take().unwrap()),
                &mut line,
            )
            .unwrap();
            let url = format!("http://{}/", line.trim());
            let out = Command::new("wrk")
                .args(["-t1", "-c100", &format!("-d{duration}"), &url])
                .output()
                .unwrap();
            let _ = server.kill();
            let _ = server.wait();
            let text = String::from_utf8_lossy(&out.stdout);
            let rate: f64 = text
                .lines()
                .find_map(|l| l.strip_prefix("Requests/sec:"))
                .and_then(|r| r.trim().parse().ok())
                .unwrap_or_else(|| panic!("no Requests/sec in wrk's output: {text}"));
            results[side].1.push(rate);
        }
    }
    report("requests/s", &mut results);
}

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";

/// The HTTP server on this crate's streams (as `examples/http_server.rs`).
fn asyncio_http() {
    use asyncio::streams::start_server;
    asyncio::run(async {
        let server = start_server(
            |mut reader, writer| async move {
                while reader.readuntil(b"\r\n\r\n").await.is_ok() {
                    writer.write(RESPONSE);
                    if writer.drain().await.is_err() {
                        return;
                    }
                }
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        println!("{}", server.addrs()[0]);
        server.serve_forever().await;
    });
}

/// The same server written the tokio way.
fn tokio_http() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap());
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut reader = BufReader::new(read);
                let mut head = Vec::new();
                loop {
                    head.clear();
                    // Read lines up to the blank one that ends the head.
                    loop {
                        let before = head.len();
                        match reader.read_until(b'\n', &mut head).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        if &head[before..] == b"\r\n" {
                            break;
                        }
                    }
                    if write.write_all(RESPONSE).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
}

fn asyncio_echo(duration: Duration, clients: usize) -> u64 {
    use asyncio::net::{TcpListener, TcpStream};
    asyncio::run(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        asyncio::create_task(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                stream.set_nodelay(true).unwrap();
                asyncio::create_task(async move {
                    let mut buf = [0; MESSAGE];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if stream.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        // Connected one after another before the clock starts: a burst
        // of 1,000 handshakes would overflow the accept queue.
        let mut streams = Vec::with_capacity(clients);
        for _ in 0..clients {
            let stream = TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            streams.push(stream);
        }
        let deadline = Instant::now() + duration;
        let clients = streams.into_iter().map(|stream| async move {
            let message = [7u8; MESSAGE];
            let mut back = [0u8; MESSAGE];
            let mut count = 0u64;
            while Instant::now() < deadline {
                stream.write_all(&message).await.unwrap();
                stream.read_exact(&mut back).await.unwrap();
                count += 1;
            }
            count
        });
        asyncio::gather(clients).await.unwrap().into_iter().sum()
    })
}

fn tokio_echo(duration: Duration, clients: usize) -> u64 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                stream.set_nodelay(true).unwrap();
                tokio::spawn(async move {
                    let mut buf = [0; MESSAGE];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if stream.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        let mut streams = Vec::with_capacity(clients);
        for _ in 0..clients {
            let stream = TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            streams.push(stream);
        }
        let deadline = Instant::now() + duration;
        let clients: Vec<_> = streams
            .into_iter()
            .map(|mut stream| {
                tokio::spawn(async move {
                    let message = [7u8; MESSAGE];
                    let mut back = [0u8; MESSAGE];
                    let mut count = 0u64;
                    while Instant::now() < deadline {
                        stream.write_all(&message).await.unwrap();
                        stream.read_exact(&mut back).await.unwrap();
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        let mut total = 0;
        for client in clients {
            total += client.await.unwrap();
        }
        total
    })
}
