//! Seed 003's two async context managers, each with its Python twin: the
//! `@asynccontextmanager` generator `connection()` and the `Connection`
//! class with `__aenter__` / `__aexit__`.
//!
//! ```python
//! @asynccontextmanager
//! async def connection():
//!     print('Setting up connection')
//!     await asyncio.sleep(1)
//!     yield {'driver': 'sqlite'}
//!     await asyncio.sleep(1)
//!     print('Shutting down')
//!
//! class Connection:
//!     async def __aenter__(self):
//!         print('Setting up a connection')
//!         await asyncio.sleep(1)
//!         return {'driver': 'sqlite'}
//!
//!     async def __aexit__(self, exc_type, exc, tb):
//!         await asyncio.sleep(1)
//!         print('Connection is closed')
//!
//! async def main():
//!     async with connection() as db:
//!         print(db, 'is ready')
//!     async with Connection() as db:
//!         print(db, 'is ready')
//!
//! asyncio.run(main())
//! ```
//!
//! Prints, as Python does (about 4 s):
//!
//! ```text
//! Setting up connection
//! {'driver': 'sqlite'} is ready
//! Shutting down
//! Setting up a connection
//! {'driver': 'sqlite'} is ready
//! Connection is closed
//! ```
//!
//! Run with `cargo run --example async_context_manager`.

use std::collections::BTreeMap;
use std::fmt;

use asyncio::{AsyncContext, AsyncContextManager, Outcome, async_context, async_with};

/// Python's `{'driver': 'sqlite'}`, printed the way Python prints it.
struct Db(BTreeMap<&'static str, &'static str>);

impl Db {
    fn sqlite() -> Db {
        Db(BTreeMap::from([("driver", "sqlite")]))
    }
}

impl fmt::Display for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("'{k}': '{v}'"))
            .collect();
        write!(f, "{{{}}}", items.join(", "))
    }
}

async_context! {
    /// `@asynccontextmanager async def connection()`.
    async fn connection() -> AsyncContext<Db> {
        println!("Setting up connection");
        asyncio::sleep(1).await;
        yield Db::sqlite();
        asyncio::sleep(1).await;
        println!("Shutting down");
    }
}

/// `class Connection` with `__aenter__` / `__aexit__`.
struct Connection;

impl<R> AsyncContextManager<R> for Connection {
    type Value = Db;

    async fn aenter(&mut self) -> Db {
        println!("Setting up a connection");
        asyncio::sleep(1).await;
        Db::sqlite()
    }

    /// `(exc_type, exc, tb)` is the outcome: how the body ended.
    async fn aexit(self, _outcome: &mut Outcome<R>) {
        asyncio::sleep(1).await;
        println!("Connection is closed");
    }
}

#[asyncio::main]
async fn main() {
    async_with!(connection() as db => println!("{db} is ready"));
    async_with!(Connection as db => println!("{db} is ready"));
}
