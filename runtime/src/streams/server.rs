//! asyncio's `Server`: a listener whose accept loop runs a callback per
//! connection.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;

use super::reader::StreamReader;
use super::transport::Transport;
use super::writer::StreamWriter;
use crate::net::{TcpListener, UnixListener};
use crate::sync::Event;
use crate::task::{self, Task};

/// A listening server made by [`start_server`](super::start_server) or
/// [`start_unix_server`](super::start_unix_server): it accepts connections
/// and runs the callback for each in a task of its own.
pub struct Server {
    pub(crate) accept_loop: RefCell<Option<Task<()>>>,
    pub(crate) addrs: Vec<SocketAddr>,
    pub(crate) state: Rc<ServerState>,
}

/// What the accept loop and the connection tasks share with the server.
#[derive(Default)]
pub(crate) struct ServerState {
    /// Connections whose callback has not finished.
    pub(crate) active: Cell<usize>,
    /// Set when the server is closed and no callback runs any more.
    pub(crate) idle: Event,
    pub(crate) closed: Cell<bool>,
}

impl ServerState {
    /// A connection's callback starts; the returned guard ends it.
    pub(crate) fn enter(self: &Rc<Self>) -> ConnectionGuard {
        self.active.set(self.active.get() + 1);
        ConnectionGuard(self.clone())
    }
}

/// Counts a connection's callback as running while it lives.
pub(crate) struct ConnectionGuard(Rc<ServerState>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let state = &self.0;
        state.active.set(state.active.get() - 1);
        if state.closed.get() && state.active.get() == 0 {
            state.idle.set();
        }
    }
}

impl Server {
    /// The addresses it listens on (Python's `sockets`); empty for a Unix
    /// server.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Whether it still accepts connections.
    pub fn is_serving(&self) -> bool {
        !self.state.closed.get()
    }

    /// Stops accepting and closes the listening socket (Python's `close`);
    /// connections already accepted go on.
    pub fn close(&self) {
        if self.state.closed.replace(true) {
            return;
        }
        if let Some(accept_loop) = self.accept_loop.borrow_mut().take() {
            accept_loop.cancel();
        }
        if self.state.active.get() == 0 {
            self.state.idle.set();
        }
    }

    /// Waits until the server is closed and every connection's callback has
    /// finished (Python 3.12's `wait_closed`).
    pub async fn wait_closed(&self) {
        self.state.idle.wait().await;
    }

    /// Serves until cancelled (Python's `serve_forever`); closes the server
    /// when cancelled.
    pub async fn serve_forever(&self) {
        struct CloseOnDrop<'a>(&'a Server);
        impl Drop for CloseOnDrop<'_> {
            fn drop(&mut self) {
                self.0.close();
            }
        }
        let _close = CloseOnDrop(self);
        std::future::pending::<()>().await;
    }

    /// Number of connections whose callback runs now.
    pub fn active_connections(&self) -> usize {
        self.state.active.get()
    }
}

/// A listener the accept loop takes connections from.
pub(crate) trait Accept: 'static {
    /// The next connection.
    async fn accept_transport(&self) -> io::Result<Rc<dyn Transport>>;
}

impl Accept for TcpListener {
    async fn accept_transport(&self) -> io::Result<Rc<dyn Transport>> {
        let (stream, _) = self.accept().await?;
        Ok(Rc::new(stream))
    }
}

impl Accept for UnixListener {
    async fn accept_transport(&self) -> io::Result<Rc<dyn Transport>> {
        let (stream, _) = self.accept().await?;
        Ok(Rc::new(stream))
    }
}

/// The callback a server runs per connection.
pub(crate) type Callback =
    Rc<dyn Fn(StreamReader, StreamWriter) -> Pin<Box<dyn Future<Output = ()>>>>;

/// Starts serving `listener`: the accept loop runs each connection's
/// callback in a task of its own.
pub(crate) fn serve(
    listener: impl Accept,
    addrs: Vec<SocketAddr>,
    limit: usize,
    callback: Callback,
) -> Server {
    let state = Rc::new(ServerState::default());
    let shared = state.clone();
    let accept_loop = task::create_task(async move {
        loop {
            match listener.accept_transport().await {
                Ok(transport) => {
                    let guard = shared.enter();
                    let reader = StreamReader::new(transport.clone(), limit);
                    let writer = StreamWriter::new(transport);
                    let run = callback(reader, writer);
                    drop(task::create_task(async move {
                        run.await;
                        drop(guard);
                    }));
                }
                // Out of descriptors, say: wait a little and go on, as
                // asyncio does, rather than spin or stop serving.
                Err(_) => crate::sleep::sleep(0.1).await,
            }
        }
    });
    Server {
        accept_loop: RefCell::new(Some(accept_loop)),
        addrs,
        state,
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addrs", &self.addrs)
            .field("serving", &self.is_serving())
            .field("active", &self.state.active.get())
            .finish()
    }
}
