//! Address resolution off the loop's thread.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use crate::threads::to_thread;

/// Resolves `addr` on the blocking pool (Python's `loop.getaddrinfo`).
pub(crate) async fn resolve<A>(addr: A) -> io::Result<Vec<SocketAddr>>
where
    A: ToSocketAddrs + Send + 'static,
{
    let found = to_thread(move || addr.to_socket_addrs().map(Iterator::collect::<Vec<_>>))
        .await
        .map_err(|error| io::Error::other(format!("address lookup failed: {error}")))??;
    if found.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to nothing",
        ));
    }
    Ok(found)
}
