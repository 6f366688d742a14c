//! Reads past the caller's buffer (the read-ahead that lets a short read
//! skip the `WouldBlock` system call) and writes cut short by a full
//! kernel buffer: every byte arrives once and in order, whatever the buffer
//! sizes and whichever of the stream's read paths takes it, and an end of
//! stream after a short read is still seen.

use std::net::Shutdown;

use asyncio::net::{TcpListener, TcpStream, UnixStream};
use asyncio::{create_task, wait_for};
use futures::{AsyncReadExt, AsyncWriteExt};

use crate::common::Rng;

/// A connected loopback TCP pair.
async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connect = create_task(async move { TcpStream::connect(addr).await.unwrap() });
    let (accepted, _) = listener.accept().await.unwrap();
    (connect.await.unwrap(), accepted)
}

/// The byte at `i` of the test pattern (a prime period, so an offset
/// error shows).
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// Reads to end of stream with seeded buffer sizes from 1 to 5,000 bytes,
/// through the inherent `read`, `futures-io` on `&stream` and the owned
/// read half in turn; checks each byte against the pattern.
macro_rules! read_all_checked {
    ($stream:expr, $rng:expr, $total:expr) => {{
        let stream = $stream;
        let rng: &mut Rng = $rng;
        let mut got = 0usize;
        let mut buf = vec![0u8; 5000];
        let (mut half, writer) = stream.into_split();
        loop {
            let len = 1 + rng.below(5000) as usize;
            let n = match rng.below(3) {
                0 => half.get_ref().read(&mut buf[..len]).await.unwrap(),
                1 => (&*half.get_ref()).read(&mut buf[..len]).await.unwrap(),
                _ => half.read(&mut buf[..len]).await.unwrap(),
            };
            if n == 0 {
                break;
            }
            for (k, byte) in buf[..n].iter().enumerate() {
                assert_eq!(*byte, pattern(got + k), "byte {} of {}", got + k, $total);
            }
            got += n;
        }
        drop(writer);
        got
    }};
}

/// Feeds the pattern from `writer` in pieces of `piece` bytes (so reads
/// meet partly filled queues), then half-closes; reads it all from `reader`.
macro_rules! feed_and_read {
    ($writer:expr, $reader:expr, $rng:expr, $total:expr, $piece:expr) => {{
        let writer = $writer;
        let feeder = create_task(async move {
            let data: Vec<u8> = (0..$total).map(pattern).collect();
            for piece in data.chunks($piece) {
                writer.write_all(piece).await.unwrap();
            }
            writer.shutdown(Shutdown::Write).unwrap();
        });
        let got = read_all_checked!($reader, $rng, $total);
        feeder.await.unwrap();
        got
    }};
}

#[test]
fn small_and_large_reads_take_every_byte_once_in_order() {
    const TOTAL: usize = 300_000;
    for seed in 0..20 {
        let run = async move {
            let mut rng = Rng::new(seed);
            let piece = 1 + rng.below(20_000) as usize;
            if seed % 2 == 0 {
                let (a, b) = UnixStream::pair().unwrap();
                feed_and_read!(a, b, &mut rng, TOTAL, piece)
            } else {
                let (a, b) = tcp_pair().await;
                feed_and_read!(a, b, &mut rng, TOTAL, piece)
            }
        };
        let got = asyncio::run(async move { wait_for(run, 30.0).await });
        assert_eq!(got.expect("finished before 30 s"), TOTAL, "seed {seed}");
    }
}

#[test]
fn end_of_stream_after_a_short_read_is_seen() {
    asyncio::run(async {
        // Data and end of stream both queued before the first read.
        let (a, b) = tcp_pair().await;
        a.write_all(b"hello").await.unwrap();
        a.shutdown(Shutdown::Write).unwrap();
        let mut buf = [0u8; 64];
        let first = wait_for(b.read(&mut buf), 5.0).await.unwrap().unwrap();
        assert_eq!(&buf[..first], b"hello");
        let end = wait_for(b.read(&mut buf), 5.0).await;
        assert_eq!(end.unwrap().unwrap(), 0);

        // Both reported by the poller in one report before the read (the
        // loop waits on the OS during the sleep): the short read that
        // drains the data must not make the next read wait for a report
        // that will never come.
        let (a, b) = tcp_pair().await;
        a.write_all(b"bye").await.unwrap();
        a.shutdown(Shutdown::Write).unwrap();
        asyncio::sleep(0.02).await;
        let n = wait_for(b.read(&mut buf), 5.0).await.unwrap().unwrap();
        assert_eq!(&buf[..n], b"bye");
        let end = wait_for(b.read(&mut buf), 5.0).await;
        assert_eq!(end.expect("end of stream seen").unwrap(), 0);

        // The end of stream arriving only after a short read drained the
        // queue: the read waits for it, then sees it.
        let (a, b) = tcp_pair().await;
        a.write_all(b"abc").await.unwrap();
        let n = wait_for(b.read(&mut buf), 5.0).await.unwrap().unwrap();
        assert_eq!(&buf[..n], b"abc");
        let closer = create_task(async move {
            asyncio::sleep(0).await;
            a.shutdown(Shutdown::Write).unwrap();
            a
        });
        let end = wait_for(b.read(&mut buf), 5.0).await;
        assert_eq!(end.unwrap().unwrap(), 0);
        // And it stays at end of stream.
        assert_eq!(b.read(&mut buf).await.unwrap(), 0);
        drop(closer.await.unwrap());
    });
}

#[test]
fn bytes_read_ahead_survive_a_reunite_and_a_peer_that_left() {
    asyncio::run(async {
        let (a, b) = UnixStream::pair().unwrap();
        a.write_all(b"0123456789").await.unwrap();
        drop(a);
        // A 2-byte read takes 10 from the kernel; 8 wait here.
        let (mut read_half, write_half) = b.into_split();
        let mut two = [0u8; 2];
        read_half.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"01");
        let b = read_half.reunite(write_half).unwrap();
        let mut rest = Vec::new();
        (&b).read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"23456789");
    });
}

#[test]
fn writes_cut_short_by_a_full_buffer_go_on_when_room_is_made() {
    asyncio::run(async {
        let (a, b) = tcp_pair().await;
        // Far more than the kernel buffers hold: writes come back short,
        // and each next one must wait for room, then go on.
        const TOTAL: usize = 16 << 20;
        let writer = create_task(async move {
            let data: Vec<u8> = (0..TOTAL).map(pattern).collect();
            let mut sent = 0;
            let mut short = 0;
            while sent < TOTAL {
                let end = (sent + (1 << 20)).min(TOTAL);
                let n = a.write(&data[sent..end]).await.unwrap();
                if n < end - sent {
                    short += 1;
                }
                sent += n;
            }
            (&a).close().await.unwrap();
            short
        });
        let mut received = Vec::with_capacity(TOTAL);
        wait_for((&b).read_to_end(&mut received), 30.0)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(received.len(), TOTAL);
        assert!(received.iter().enumerate().all(|(i, &x)| x == pattern(i)));
        assert!(writer.await.unwrap() > 0, "no write was cut short");
    });
}
