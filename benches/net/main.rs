//! Loopback TCP echo, this crate's loop against tokio's current-thread
//! runtime: an echo server and 50 clients in one thread, each client
//! sending 1 KiB and reading it back, as many times as it can in 3 s.
//!
//! # Method
//! Every measurement is a fresh process (this binary re-run with
//! `--side <name>`): a user's program is a fresh process. The sides
//! alternate, `ROUNDS` times each; the report gives the median, min and max
//! round trips per second of each side and the ratio of the medians (ours
//! over tokio's; above 1 is faster).
//!
//! ```text
//! cargo bench --bench net                 # 5 rounds of 3 s per side
//! cargo bench --bench net -- --quick      # 2 rounds of 1 s
//! ```

use std::process::Command;
use std::time::{Duration, Instant};

const CLIENTS: usize = 50;
const MESSAGE: usize = 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let secs = if quick { 1.0 } else { 3.0 };
    if let Some(at) = args.iter().position(|a| a == "--side") {
        let side = args[at + 1].as_str();
        let duration = Duration::from_secs_f64(secs);
        let round_trips = match side {
            "asyncio" => asyncio_echo(duration),
            "tokio" => tokio_echo(duration),
            other => panic!("unknown side {other}"),
        };
        println!("{}", round_trips as f64 / secs);
        return;
    }
    let rounds = if quick { 2 } else { 5 };
    println!(
        "loopback TCP echo: {CLIENTS} clients, {MESSAGE} B messages, {secs} s per measurement, \
         each in a fresh process, {rounds} rounds; {} CPUs",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let exe = std::env::current_exe().unwrap();
    let mut results: Vec<(&str, Vec<f64>)> = vec![("asyncio", Vec::new()), ("tokio", Vec::new())];
    for round in 0..rounds {
        for i in 0..results.len() {
            let side = (round + i) % results.len();
            let mut command = Command::new(&exe);
            command.args(["--side", results[side].0]);
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

fn asyncio_echo(duration: Duration) -> u64 {
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
        let deadline = Instant::now() + duration;
        let clients = (0..CLIENTS).map(|_| async move {
            let stream = TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
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

fn tokio_echo(duration: Duration) -> u64 {
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
        let deadline = Instant::now() + duration;
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                tokio::spawn(async move {
                    let mut stream = TcpStream::connect(addr).await.unwrap();
                    stream.set_nodelay(true).unwrap();
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
