//! Running futures that need tokio's reactor (tokio's timers and sockets,
//! and crates on them, such as reqwest) from this loop.
//!
//! Awaited here, such a future panics with "there is no reactor running"
//! or "must be called from the context of a Tokio runtime". [`run`] sends
//! it to a tokio runtime on a helper thread (started on first use, one per
//! process, with tokio's I/O and time drivers) and awaits its result here;
//! the loop keeps running meanwhile.
//!
//! The cost: the future must be `Send + 'static`, and each call is a hop to
//! the helper thread and back (a few microseconds), so bridge whole
//! requests, not single reads. Cancelling the awaiting task aborts the
//! tokio task.
//!
//! ```
//! asyncio::run(async {
//!     let slept = asyncio::compat::tokio::run(async {
//!         tokio::time::sleep(std::time::Duration::from_millis(10)).await;
//!         "slept on tokio's timer"
//!     })
//!     .await;
//!     assert_eq!(slept.unwrap(), "slept on tokio's timer");
//! });
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::error::{Error, PanicError};

/// The helper thread's runtime, started on first use.
fn handle() -> &'static Handle {
    static HANDLE: OnceLock<Handle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("asyncio-tokio-bridge".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the tokio bridge's runtime starts");
                sender
                    .send(runtime.handle().clone())
                    .expect("the bridge's starter waits for its handle");
                runtime.block_on(std::future::pending::<()>());
            })
            .expect("the tokio bridge's thread starts");
        receiver
            .recv()
            .expect("the tokio bridge's thread sends its handle")
    })
}

/// Runs `fut` on the tokio bridge's runtime and awaits its output here.
///
/// # Errors
/// `Error::Panicked` if `fut` panicked (or was aborted: the bridge's
/// runtime shut down).
pub fn run<F>(fut: F) -> TokioTask<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    TokioTask {
        handle: handle().spawn(fut),
    }
}

/// The future of [`run`]: the tokio task's output. Dropping it aborts the
/// task.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct TokioTask<T> {
    handle: JoinHandle<T>,
}

impl<T> Future for TokioTask<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.handle).poll(cx).map(|joined| {
            joined.map_err(|error| {
                let payload: Box<dyn std::any::Any + Send> = if error.is_panic() {
                    error.into_panic()
                } else {
                    Box::new(format!("the tokio bridge's task was aborted: {error}"))
                };
                Error::Panicked(PanicError::new(payload))
            })
        })
    }
}

impl<T> Drop for TokioTask<T> {
    fn drop(&mut self) {
        self.handle.abort();
    }
}
