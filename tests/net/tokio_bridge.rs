//! The tokio bridge: futures that need tokio's reactor run from this loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use asyncio::compat::tokio::run as on_tokio;
use asyncio::net::TcpListener;

/// tokio's timer and a tokio socket talking to one of ours.
#[test]
fn tokio_timers_and_sockets_through_the_bridge() {
    asyncio::run(async {
        let value = on_tokio(async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            7
        })
        .await
        .unwrap();
        assert_eq!(value, 7);

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = on_tokio(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut stream = tokio::net::TcpStream::connect(addr).await?;
            stream.write_all(b"from tokio").await?;
            let mut back = [0; 7];
            stream.read_exact(&mut back).await?;
            Ok::<_, std::io::Error>(back)
        });
        let (stream, _) = listener.accept().await.unwrap();
        let mut buf = [0; 10];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"from tokio");
        stream.write_all(b"from us").await.unwrap();
        assert_eq!(&client.await.unwrap().unwrap(), b"from us");
    });
}

/// A panic on the tokio side is `Err(Panicked)` here; cancelling the
/// awaiting task aborts the tokio task.
#[test]
fn panics_are_errors_and_cancellation_aborts() {
    let finished = Arc::new(AtomicBool::new(false));
    let f = finished.clone();
    asyncio::run(async move {
        let failed: Result<(), _> = on_tokio(async { panic!("tokio side") }).await;
        let error = failed.unwrap_err();
        assert!(error.to_string().contains("tokio side"), "{error}");

        let waiter = asyncio::create_task(async move {
            on_tokio(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                f.store(true, Ordering::SeqCst);
            })
            .await
        });
        asyncio::sleep(0.02).await;
        waiter.cancel();
        assert!(waiter.await.unwrap_err().is_cancelled());
        asyncio::sleep(0.4).await;
    });
    assert!(
        !finished.load(Ordering::SeqCst),
        "the aborted tokio task ran on"
    );
}
