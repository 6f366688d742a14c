//! Unix domain sockets and UDP, over the local machine only.

use asyncio::create_task;
use asyncio::net::{UdpSocket, UnixListener, UnixStream};

fn socket_path(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("asyncio-{name}-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn unix_echo_and_refusal() {
    let path = socket_path("echo");
    let p = path.clone();
    asyncio::run(async move {
        let listener = UnixListener::bind(&p).unwrap();
        let server = create_task(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut buf = [0; 5];
            stream.read_exact(&mut buf).await.unwrap();
            stream.write_all(&buf).await.unwrap();
        });
        let client = UnixStream::connect(&p).await.unwrap();
        client.write_all(b"hello").await.unwrap();
        let mut back = [0; 5];
        client.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"hello");
        server.await.unwrap();
        std::fs::remove_file(&p).unwrap();
        let gone = UnixStream::connect(&p).await.unwrap_err();
        assert!(matches!(
            gone.kind(),
            std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
        ));
    });
}

/// A socket pair: what one end writes the other reads, and dropping one
/// end is end of stream for the other.
#[test]
fn unix_pair() {
    asyncio::run(async {
        let (a, b) = UnixStream::pair().unwrap();
        a.write_all(b"over the pair").await.unwrap();
        drop(a);
        let mut all = Vec::new();
        let mut buf = [0; 4];
        loop {
            match b.read(&mut buf).await.unwrap() {
                0 => break,
                n => all.extend_from_slice(&buf[..n]),
            }
        }
        assert_eq!(all, b"over the pair");
    });
}

#[test]
fn udp_datagrams_both_ways() {
    asyncio::run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();
        let echo = create_task(async move {
            let mut buf = [0; 64];
            for _ in 0..3 {
                let (n, from) = b.recv_from(&mut buf).await.unwrap();
                b.send_to(&buf[..n], from).await.unwrap();
            }
        });
        a.connect(b_addr).await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), b_addr);
        for word in ["one", "two", "three"] {
            a.send(word.as_bytes()).await.unwrap();
            let mut buf = [0; 64];
            let n = a.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], word.as_bytes());
        }
        echo.await.unwrap();
    });
}
