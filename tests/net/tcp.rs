//! TCP: echo round trips, many connections at once, half-close, errors as
//! values (refused, address in use, a reset peer, out of descriptors), no
//! descriptor leaked, and a cancelled read that loses nothing.

use std::net::{Shutdown, SocketAddr};

use asyncio::net::{TcpListener, TcpStream};
use asyncio::{TimeoutError, create_task, gather, wait_for};
use futures::{AsyncReadExt, AsyncWriteExt};

/// An echo server on an ephemeral loopback port; returns its address.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    create_task(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            create_task(async move {
                let mut buf = vec![0; 4096];
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
    addr
}

#[test]
fn echo_round_trips() {
    asyncio::run(async {
        let addr = echo_server().await;
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        assert!(stream.nodelay().unwrap());
        assert_eq!(stream.peer_addr().unwrap(), addr);
        for i in 0..100u32 {
            let message = format!("message {i}");
            stream.write_all(message.as_bytes()).await.unwrap();
            let mut back = vec![0; message.len()];
            stream.read_exact(&mut back).await.unwrap();
            assert_eq!(back, message.as_bytes());
        }
    });
}

/// The `futures-io` traits, on the stream and on `&stream`.
#[test]
fn futures_io_traits() {
    asyncio::run(async {
        let addr = echo_server().await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        AsyncWriteExt::write_all(&mut stream, b"hello ")
            .await
            .unwrap();
        let mut shared = &stream;
        AsyncWriteExt::write_all(&mut shared, b"world")
            .await
            .unwrap();
        let mut back = [0; 11];
        AsyncReadExt::read_exact(&mut shared, &mut back)
            .await
            .unwrap();
        assert_eq!(&back, b"hello world");
        AsyncWriteExt::close(&mut stream).await.unwrap();
        let mut rest = Vec::new();
        AsyncReadExt::read_to_end(&mut stream, &mut rest)
            .await
            .unwrap();
        assert!(
            rest.is_empty(),
            "the echo server closes after our half-close"
        );
    });
}

/// 1,000 clients connected at once, each echoing its own message.
#[test]
fn a_thousand_concurrent_connections() {
    asyncio::run(async {
        let addr = echo_server().await;
        let clients = (0..1000u32).map(|i| async move {
            let stream = TcpStream::connect(addr).await?;
            let message = i.to_be_bytes();
            stream.write_all(&message).await?;
            let mut back = [0; 4];
            stream.read_exact(&mut back).await?;
            Ok::<u32, std::io::Error>(u32::from_be_bytes(back))
        });
        let got = gather(clients).await.unwrap();
        let got: Vec<u32> = got.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    });
}

/// Half-close: after the client shuts its write side, the server reads
/// end of stream and can still answer.
#[test]
fn half_close() {
    asyncio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = create_task(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut all = Vec::new();
            let mut buf = [0; 64];
            loop {
                match stream.read(&mut buf).await.unwrap() {
                    0 => break,
                    n => all.extend_from_slice(&buf[..n]),
                }
            }
            stream.write_all(&all).await.unwrap();
            stream.write_all(b"!").await.unwrap();
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"last words").await.unwrap();
        stream.shutdown(Shutdown::Write).unwrap();
        let mut answer = Vec::new();
        let mut buf = [0; 64];
        loop {
            match stream.read(&mut buf).await.unwrap() {
                0 => break,
                n => answer.extend_from_slice(&buf[..n]),
            }
        }
        assert_eq!(answer, b"last words!");
        server.await.unwrap();
    });
}

/// Errors are values: a refused connection, an address in use.
#[test]
fn errors_are_values() {
    asyncio::run(async {
        // A port that was just free: bind, note it, close.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let refused = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);

        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let in_use = TcpListener::bind(taken.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(in_use.kind(), std::io::ErrorKind::AddrInUse);

        let nowhere = TcpStream::connect("no such host.invalid:80").await;
        assert!(nowhere.is_err());
    });
    // Outside a loop: an error, not a panic.
    let outside = std::thread::spawn(|| {
        let lp = asyncio::EventLoop::new().unwrap();
        let made =
            lp.run_until_complete(async { TcpListener::bind("127.0.0.1:0").await.map(|_| ()) });
        lp.close().unwrap();
        made.unwrap()
    });
    assert!(outside.join().unwrap().is_ok());
}

/// A peer that resets the connection (`SO_LINGER` 0, then close): the read
/// is `ConnectionReset`, a write after it a broken pipe or reset; neither
/// panics nor stalls the loop.
#[test]
fn a_reset_peer_is_an_error_value() {
    use std::os::fd::AsRawFd;
    asyncio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: setsockopt on a descriptor the stream owns, with a
        // properly sized, initialised option value.
        #[allow(unsafe_code)]
        let set = unsafe {
            libc::setsockopt(
                client.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                std::ptr::from_ref(&linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        };
        assert_eq!(set, 0);
        drop(client);
        let mut buf = [0; 16];
        let read = server.read(&mut buf).await.unwrap_err();
        assert_eq!(read.kind(), std::io::ErrorKind::ConnectionReset);
        let write = server.write_all(b"anyone?").await.unwrap_err();
        assert!(
            matches!(
                write.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ),
            "{write:?}"
        );
        // The loop goes on serving.
        let again = TcpStream::connect(listener.local_addr().unwrap()).await;
        assert!(again.is_ok());
    });
}

/// Out of descriptors (the soft limit lowered in a child process): accept
/// and connect are `EMFILE` error values, the loop keeps running, and the
/// connection waiting in the backlog is not lost: once a descriptor is
/// free, the next accept takes it with its bytes.
#[test]
fn out_of_descriptors_is_an_error_value() {
    let out = crate::common::run_child(module_path!(), "child_sockets_without_descriptors");
    let emfile = libc::EMFILE;
    assert!(
        out.contains(&format!("accept: {emfile}, connect: {emfile}, then: hello")),
        "{out}"
    );
}

#[test]
#[ignore = "the child half of out_of_descriptors_is_an_error_value"]
fn child_sockets_without_descriptors() {
    use std::os::fd::AsRawFd;
    assert!(crate::common::in_child(), "run only as a child process");
    asyncio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"hello").await.unwrap();
        // Fill every descriptor below a lowered limit with /dev/null.
        let highest = client.as_raw_fd().max(listener.as_raw_fd());
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: a plain libc call filling a properly initialised struct.
        #[allow(unsafe_code)]
        let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
        assert_eq!(got, 0);
        limit.rlim_cur = (highest + 32) as libc::rlim_t;
        // SAFETY: a plain libc call reading a properly initialised struct.
        #[allow(unsafe_code)]
        let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
        assert_eq!(set, 0);
        let mut fillers = Vec::new();
        while let Ok(file) = std::fs::File::open("/dev/null") {
            fillers.push(file);
        }
        let accept = listener.accept().await.unwrap_err();
        let connect = TcpStream::connect(addr).await.unwrap_err();
        // The loop still runs callbacks and timers.
        asyncio::sleep(0.001).await;
        fillers.pop();
        let (server, _) = listener.accept().await.unwrap();
        let mut got = [0; 5];
        server.read_exact(&mut got).await.unwrap();
        println!(
            "accept: {}, connect: {}, then: {}",
            accept.raw_os_error().unwrap(),
            connect.raw_os_error().unwrap(),
            String::from_utf8_lossy(&got)
        );
    });
}

/// A read cancelled by a timeout mid-message loses no byte: the retry gets
/// the whole message, in order.
#[test]
fn a_cancelled_read_loses_nothing() {
    asyncio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sender = create_task(async move {
            let (stream, _) = listener.accept().await.unwrap();
            stream.write_all(b"first half, ").await.unwrap();
            asyncio::sleep(0.2).await;
            stream.write_all(b"second half").await.unwrap();
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut whole = Vec::new();
        let mut timeouts = 0;
        while whole.len() < 23 {
            let mut buf = [0; 64];
            match wait_for(stream.read(&mut buf), 0.05).await {
                Ok(n) => whole.extend_from_slice(&buf[..n.unwrap()]),
                Err(TimeoutError) => timeouts += 1,
            }
        }
        assert_eq!(whole, b"first half, second half");
        assert!(timeouts >= 1, "a read was cancelled mid-message");
        sender.await.unwrap();
    });
}

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// 10,000 connect/accept/close cycles leave the descriptor count as it
/// was (in a child process: other tests open descriptors meanwhile).
#[test]
fn no_descriptor_leaks() {
    let out = crate::common::run_child(module_path!(), "child_connect_close_cycles");
    assert!(out.contains("descriptors before = after"), "{out}");
}

#[test]
#[ignore = "the child half of no_descriptor_leaks"]
fn child_connect_close_cycles() {
    assert!(crate::common::in_child(), "run only as a child process");
    asyncio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let before = open_descriptors();
        for _ in 0..10_000 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            drop(client);
            drop(server);
        }
        assert_eq!(open_descriptors(), before);
        println!("descriptors before = after: {before}");
    });
}

/// Owned halves in tasks of their own: one reads, one writes; reunited
/// afterwards.
#[test]
fn owned_split_halves() {
    asyncio::run(async {
        let addr = echo_server().await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        let writing = create_task(async move {
            for i in 0..50u8 {
                writer.write_all(&[i; 100]).await.unwrap();
            }
            writer
        });
        let reading = create_task(async move {
            let mut got = vec![0; 5000];
            reader.read_exact(&mut got).await.unwrap();
            (reader, got)
        });
        let writer = writing.await.unwrap();
        let (reader, got) = reading.await.unwrap();
        let expected: Vec<u8> = (0..50u8).flat_map(|i| [i; 100]).collect();
        assert_eq!(got, expected);
        let stream = reader
            .reunite(writer)
            .map_err(|_| "not halves of one stream")
            .unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
    });
}
