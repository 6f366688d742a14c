//! Address resolution off the loop's thread.

use std::any::Any;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6, ToSocketAddrs};

use crate::threads::to_thread;

/// Resolves `addr` (Python's `loop.getaddrinfo`): a literal address (a
/// `SocketAddr`, `"127.0.0.1:80"`, `("::1", 80)`, ...) at once, as
/// asyncio's `_ipaddr_info` does; a host name on the blocking pool, so a
/// slow lookup never blocks the loop.
pub(crate) async fn resolve<A>(addr: A) -> io::Result<Vec<SocketAddr>>
where
    A: ToSocketAddrs + Send + 'static,
{
    if let Some(literal) = literal(&addr) {
        return Ok(vec![literal]);
    }
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

/// `addr` as a socket address, if it is one already (no lookup needed).
fn literal(addr: &dyn Any) -> Option<SocketAddr> {
    let host_port = |host: &str, port: u16| {
        host.parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, port))
    };
    if let Some(a) = addr.downcast_ref::<SocketAddr>() {
        return Some(*a);
    }
    if let Some(a) = addr.downcast_ref::<SocketAddrV4>() {
        return Some((*a).into());
    }
    if let Some(a) = addr.downcast_ref::<SocketAddrV6>() {
        return Some((*a).into());
    }
    if let Some((ip, port)) = addr.downcast_ref::<(IpAddr, u16)>() {
        return Some(SocketAddr::new(*ip, *port));
    }
    if let Some((ip, port)) = addr.downcast_ref::<(Ipv4Addr, u16)>() {
        return Some(SocketAddr::new((*ip).into(), *port));
    }
    if let Some((ip, port)) = addr.downcast_ref::<(Ipv6Addr, u16)>() {
        return Some(SocketAddr::new((*ip).into(), *port));
    }
    if let Some(s) = addr.downcast_ref::<&str>() {
        return s.parse().ok();
    }
    if let Some(s) = addr.downcast_ref::<String>() {
        return s.parse().ok();
    }
    if let Some((host, port)) = addr.downcast_ref::<(&str, u16)>() {
        return host_port(host, *port);
    }
    if let Some((host, port)) = addr.downcast_ref::<(String, u16)>() {
        return host_port(host, *port);
    }
    None
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use super::literal;

    #[test]
    fn literal_addresses_need_no_lookup() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(literal(&v4), Some(v4));
        assert_eq!(literal(&"127.0.0.1:80"), Some(v4));
        assert_eq!(literal(&String::from("[::1]:80")), Some(v6));
        assert_eq!(literal(&("127.0.0.1", 80u16)), Some(v4));
        assert_eq!(literal(&(String::from("::1"), 80u16)), Some(v6));
        assert_eq!(literal(&(Ipv4Addr::LOCALHOST, 80u16)), Some(v4));
        assert_eq!(literal(&"localhost:80"), None, "a name is looked up");
        assert_eq!(literal(&("example.org", 80u16)), None);
    }
}
