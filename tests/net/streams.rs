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
