//! asyncio streams over loopback: line echo, `readuntil`'s limit,
//! `readexactly` at end of stream, flow control with `drain`, a cancelled
//! `readline` that loses nothing, and a server's close.

use asyncio::streams::{
    StreamError, open_connection, open_unix_connection, start_server, start_unix_server,
};
use asyncio::{TimeoutError, sleep, wait_for};

#[test]
fn line_echo_and_server_close() {
    asyncio::run(async {
        let server = start_server(
            |mut reader, writer| async move {
                while let Ok(line) = reader.readline().await {
                    if line.is_empty() {
                        break;
                    }
                    writer.write(b"echo: ");
                    writer.write(&line);
                    writer.drain().await.unwrap();
                }
                writer.close();
                writer.wait_closed().await.unwrap();
            },
            ("127.0.0.1", 0),
        )
        .await
        .unwrap();
        assert!(server.is_serving());
        let (mut reader, writer) = open_connection(server.addrs()[0]).await.unwrap();
        assert!(writer.peername().is_some());
        writer.writelines([&b"one\n"[..], b"two\n"]);
        writer.drain().await.unwrap();
        assert_eq!(reader.readline().await.unwrap(), b"echo: one\n");
        assert_eq!(reader.readline().await.unwrap(), b"echo: two\n");
        assert_eq!(server.active_connections(), 1);
        server.close();
        assert!(!server.is_serving());
        // The open connection goes on until the client closes it.
        writer.write(b"three\n");
        assert_eq!(reader.readline().await.unwrap(), b"echo: three\n");
        writer.close();
        assert!(writer.is_closing());
        assert_eq!(reader.read_to_end().await.unwrap(), b"");
        assert!(reader.at_eof());
        wait_for(server.wait_closed(), 5)
            .await
            .expect("the callback finished");
        assert_eq!(server.active_connections(), 0);
        // Closed: a new connection is refused.
        assert!(open_connection(server.addrs()[0]).await.is_err());
    });
}

/// `readuntil` past the limit: `LimitOverrun`, the data stays; `readline`
/// drops the overlong line and carries on.
#[test]
fn limit_overrun() {
    asyncio::run(async {
        let server = start_server(
            |_reader, writer| async move {
                writer.write(&[b'x'; 100]);
                writer.write(b"\nshort\n");
                writer.drain().await.unwrap();
                sleep(0.5).await;
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let (mut reader, _writer) = open_connection(server.addrs()[0]).await.unwrap();
        reader.set_limit(10);
        match reader.readuntil(b"\n").await {
            Err(StreamError::LimitOverrun { consumed }) => assert!(consumed >= 10),
            other => panic!("expected LimitOverrun, got {other:?}"),
        }
        assert!(matches!(
            reader.readline().await,
            Err(StreamError::LimitOverrun { .. })
        ));
        assert_eq!(reader.readline().await.unwrap(), b"short\n");
        server.close();
    });
}

/// `readexactly` when the peer closes early: the partial data comes with
/// the error.
#[test]
fn incomplete_read_carries_the_partial_data() {
    asyncio::run(async {
        let server = start_server(
            |_reader, writer| async move {
                writer.write(b"abc");
                writer.close();
                writer.wait_closed().await.unwrap();
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let (mut reader, _writer) = open_connection(server.addrs()[0]).await.unwrap();
        match reader.readexactly(10).await {
            Err(StreamError::IncompleteRead { partial, expected }) => {
                assert_eq!((partial.as_slice(), expected), (&b"abc"[..], Some(10)));
            }
            other => panic!("expected IncompleteRead, got {other:?}"),
        }
        server.close();
    });
}

/// A peer that does not read: `drain` waits, and the writer's buffer stays
/// bounded by the high-water mark plus one write; once the peer reads,
/// `drain` returns.
#[test]
fn drain_waits_for_a_slow_reader() {
    asyncio::run(async {
        let go = asyncio::Event::new();
        let g = go.clone();
        let server = start_server(
            move |mut reader, _writer| {
                let g = g.clone();
                async move {
                    g.wait().await;
                    while !reader.read(1 << 16).await.unwrap().is_empty() {}
                }
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let (_reader, writer) = open_connection(server.addrs()[0]).await.unwrap();
        writer.set_write_buffer_limits(64 * 1024, None);
        let chunk = vec![7u8; 16 * 1024];
        let mut stalled = false;
        for _ in 0..2_000 {
            writer.write(&chunk);
            assert!(
                writer.buffer_size() <= 64 * 1024 + chunk.len(),
                "the buffer grew past the high-water mark"
            );
            if wait_for(writer.drain(), 0.2).await.is_err() {
                stalled = true;
                break;
            }
        }
        assert!(stalled, "drain never waited although nobody reads");
        go.set();
        wait_for(writer.drain(), 5).await.unwrap().unwrap();
        server.close();
    });
}

/// A `readline` cancelled by a timeout mid-line loses nothing: the retry
/// returns the whole line.
#[test]
fn a_cancelled_readline_loses_nothing() {
    asyncio::run(async {
        let server = start_server(
            |_reader, writer| async move {
                writer.write(b"first part, ");
                writer.drain().await.unwrap();
                sleep(0.2).await;
                writer.write(b"second part\n");
                writer.drain().await.unwrap();
                sleep(0.2).await;
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let (mut reader, _writer) = open_connection(server.addrs()[0]).await.unwrap();
        let mut timeouts = 0;
        let line = loop {
            match wait_for(reader.readline(), 0.05).await {
                Ok(line) => break line.unwrap(),
                Err(TimeoutError) => timeouts += 1,
            }
        };
        assert_eq!(line, b"first part, second part\n");
        assert!(timeouts >= 1);
        server.close();
    });
}

#[test]
fn unix_streams() {
    let path = std::env::temp_dir().join(format!("asyncio-streams-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let p = path.clone();
    asyncio::run(async move {
        let server = start_unix_server(
            |mut reader, writer| async move {
                let line = reader.readline().await.unwrap();
                writer.write(&line);
                writer.drain().await.unwrap();
            },
            &p,
        )
        .unwrap();
        let (mut reader, writer) = open_unix_connection(&p).await.unwrap();
        writer.write(b"over unix\n");
        assert_eq!(reader.readline().await.unwrap(), b"over unix\n");
        server.close();
    });
    std::fs::remove_file(&path).unwrap();
}

/// Nothing is lost when a read is cancelled, wherever it lands: 1,000
/// seeded runs. In each, the server sends numbered lines in random pieces
/// (yielding between them), the client's reading task (`readline`, or
/// `readexactly` of a line's length) is cancelled after a random number of
/// loop turns, and then the rest is read: the lines taken before the
/// cancellation plus what is read after are exactly what was sent.
#[test]
fn seeded_cancelled_reads_lose_nothing() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use crate::common::Rng;

    const LINES: usize = 20;
    fn message() -> Vec<u8> {
        (0..LINES)
            .flat_map(|i| format!("line {i:02}\n").into_bytes())
            .collect()
    }

    asyncio::run(async {
        let server = start_server(
            |mut reader, writer| async move {
                let seed: u64 = String::from_utf8_lossy(&reader.readline().await.unwrap())
                    .trim()
                    .parse()
                    .unwrap();
                let mut rng = Rng::new(seed);
                let all = message();
                let mut at = 0;
                while at < all.len() {
                    let n = (1 + rng.below(12) as usize).min(all.len() - at);
                    writer.write(&all[at..at + n]);
                    at += n;
                    for _ in 0..rng.below(60) {
                        sleep(0).await;
                    }
                }
                writer.close();
                let _ = writer.wait_closed().await;
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let addr = server.addrs()[0];
        for seed in 0..1000u64 {
            let mut rng = Rng::new(seed ^ 0x5eed);
            let (reader, writer) = open_connection(addr).await.unwrap();
            writer.write(format!("{seed}\n").as_bytes());
            let reader = Rc::new(RefCell::new(reader));
            let taken = Rc::new(RefCell::new(Vec::new()));
            let exact = rng.below(2) == 0;
            let consumer = {
                let (reader, taken) = (reader.clone(), taken.clone());
                // The task holds the reader for its whole life: a
                // cancellation drops the borrow with the task's future.
                #[allow(clippy::await_holding_refcell_ref)]
                asyncio::create_task(async move {
                    let mut reader = reader.borrow_mut();
                    loop {
                        let line = if exact {
                            reader.readexactly(8).await.unwrap_or_default()
                        } else {
                            reader.readline().await.unwrap()
                        };
                        if line.is_empty() {
                            return;
                        }
                        taken.borrow_mut().extend_from_slice(&line);
                    }
                })
            };
            // Loop turns; the OS is polled every 61 of them, so the bytes
            // flow meanwhile and the cancellation lands anywhere in the
            // message.
            for _ in 0..rng.below(1500) {
                sleep(0).await;
            }
            consumer.cancel();
            let _ = consumer.await;
            let mut reader = Rc::try_unwrap(reader)
                .expect("the cancelled task let go of the reader")
                .into_inner();
            let rest = reader.read_to_end().await.unwrap();
            let mut seen = taken.borrow().clone();
            seen.extend_from_slice(&rest);
            assert_eq!(
                String::from_utf8_lossy(&seen),
                String::from_utf8_lossy(&message()),
                "seed {seed}: bytes lost or duplicated"
            );
        }
        server.close();
    });
}
