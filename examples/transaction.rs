//! The transaction pattern: commit when the body succeeds, roll back when
//! it fails, is cancelled or panics — with an async teardown either way.
//!
//! ```python
//! @asynccontextmanager
//! async def transaction(db):
//!     await db.execute('BEGIN')
//!     try:
//!         yield db
//!     except BaseException:
//!         await db.execute('ROLLBACK')
//!         raise
//!     else:
//!         await db.execute('COMMIT')
//! ```
//!
//! In Rust the teardown gets the body's outcome from the `yield` instead
//! of an exception. A cancelled transfer rolls back too, and the rollback
//! (which awaits) finishes before the task reports that it was cancelled.
//!
//! Run with `cargo run --example transaction`.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{AsyncContext, async_context, async_with};

/// A toy database: balances, and a log of the statements it ran.
#[derive(Default)]
struct Db {
    balances: RefCell<Vec<i64>>,
    saved: RefCell<Vec<i64>>,
}

impl Db {
    async fn execute(&self, statement: &str) {
        asyncio::sleep(0.01).await; // a round trip to the server
        match statement {
            "BEGIN" => *self.saved.borrow_mut() = self.balances.borrow().clone(),
            "ROLLBACK" => *self.balances.borrow_mut() = self.saved.borrow().clone(),
            _ => {}
        }
        println!("  {statement}");
    }
}

async_context! {
    /// Commits on `Ok`, rolls back on anything else.
    async fn transaction(db: Rc<Db>) -> AsyncContext<Rc<Db>, Result<(), String>> {
        db.execute("BEGIN").await;
        let outcome = yield db.clone();
        if outcome.is_ok() {
            db.execute("COMMIT").await;
        } else {
            db.execute("ROLLBACK").await;
        }
    }
}

async fn transfer(db: Rc<Db>, from: usize, to: usize, amount: i64) -> Result<(), String> {
    async_with!(transaction(db) as db => {
        db.balances.borrow_mut()[from] -= amount;
        asyncio::sleep(0.05).await; // the second statement of the transfer
        if db.balances.borrow()[from] < 0 {
            return Err(format!("account {from} would be overdrawn"));
        }
        db.balances.borrow_mut()[to] += amount;
        Ok(())
    })
}

#[asyncio::main]
async fn main() {
    let db = Rc::new(Db::default());
    *db.balances.borrow_mut() = vec![100, 0];

    println!("transfer 30 from 0 to 1:");
    println!("  -> {:?}", transfer(db.clone(), 0, 1, 30).await);
    println!("transfer 500 from 0 to 1:");
    println!("  -> {:?}", transfer(db.clone(), 0, 1, 500).await);

    println!("transfer 10 from 1 to 0, cancelled half-way:");
    let task = asyncio::create_task(transfer(db.clone(), 1, 0, 10));
    asyncio::sleep(0.03).await;
    task.cancel();
    let cancelled = task.await.unwrap_err().is_cancelled();
    println!("  -> cancelled: {cancelled}");

    println!("balances: {:?}", db.balances.borrow());
    assert_eq!(*db.balances.borrow(), [70, 30]);
}
