//! Sections 21–23 of the tour: async context managers (`async with`) —
//! seed 003's generator and class forms, what the exit sees (commit or
//! roll back, even on cancellation), and `AsyncExitStack` with the
//! runtime's own managers (a lock, a timeout). On a virtual clock.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{
    AsyncContext, AsyncContextManager, AsyncExitStack, Error, Lock, Outcome, async_context,
    async_with, sleep, timeout,
};

use super::header;

pub(crate) fn tour() {
    asyncio::Runner::new().virtual_time(true).run(async {
        seed_managers().await;
        outcomes().await;
        exit_stack_and_primitives().await;
    });
}

// ---------------------------------------------------------------------------
// 21. async with (seed 003)
// ---------------------------------------------------------------------------

async_context! {
    // @asynccontextmanager
    // async def connection():
    //     print('Setting up connection')
    //     await asyncio.sleep(1)
    //     yield {'driver': 'sqlite'}
    //     await asyncio.sleep(1)
    //     print('Shutting down')
    async fn connection() -> AsyncContext<&'static str> {
        println!("Setting up connection");
        sleep(1).await;
        yield "{'driver': 'sqlite'}";
        sleep(1).await;
        println!("Shutting down");
    }
}

// class Connection:
//     async def __aenter__(self): ...
//     async def __aexit__(self, exc_type, exc, tb): ...
struct Connection;

impl<R> AsyncContextManager<R> for Connection {
    type Value = &'static str;

    async fn aenter(&mut self) -> &'static str {
        println!("Setting up a connection");
        sleep(1).await;
        "{'driver': 'sqlite'}"
    }

    async fn aexit(self, _outcome: &mut Outcome<R>) {
        sleep(1).await;
        println!("Connection is closed");
    }
}

async fn seed_managers() {
    header("21. async with: @asynccontextmanager and __aenter__/__aexit__");
    // async with connection() as db:
    //     print(db, 'is ready')
    async_with!(connection() as db => println!("{db} is ready"));
    // async with Connection() as db:
    //     print(db, 'is ready')
    async_with!(Connection as db => println!("{db} is ready"));
}

// ---------------------------------------------------------------------------
// 22. What the exit sees: commit or roll back
// ---------------------------------------------------------------------------

async_context! {
    // try: yield  except: rollback; raise  else: commit
    async fn transaction(log: Rc<RefCell<Vec<String>>>) -> AsyncContext<(), Result<u32, String>> {
        log.borrow_mut().push("BEGIN".into());
        let outcome = yield ();
        sleep(0.1).await; // the teardown may await, even when cancelled
        let verdict = if outcome.is_ok() { "COMMIT" } else { "ROLLBACK" };
        log.borrow_mut().push(verdict.into());
    }
}

async fn outcomes() {
    header("22. The exit sees how the body ended");
    let log = Rc::new(RefCell::new(Vec::new()));
    let ok = async_with!(transaction(log.clone()) => Ok(1));
    let failed = async_with!(transaction(log.clone()) => {
        let parsed: u32 = "x".parse().map_err(|_| "not a number".to_string())?;
        Ok(parsed)
    });
    println!("ok -> {ok:?}, failed -> {failed:?}");
    let l = log.clone();
    let task = asyncio::create_task(async move {
        async_with!(transaction(l) => {
            sleep(3600).await;
            Ok(2)
        })
    });
    sleep(1).await;
    task.cancel();
    println!(
        "cancelled task -> cancelled: {}",
        task.await.unwrap_err().is_cancelled()
    );
    println!("statements: {:?}", log.borrow());
}

// ---------------------------------------------------------------------------
// 23. AsyncExitStack, async with lock, async with timeout
// ---------------------------------------------------------------------------

async fn exit_stack_and_primitives() {
    header("23. AsyncExitStack, async with lock / timeout");
    // async with AsyncExitStack() as stack:
    //     for name in names: await stack.enter_async_context(open(name))
    let open = |name: &'static str| {
        async_context! {
            println!("open {name}");
            yield name;
            println!("close {name}");
        }
    };
    async_with!(AsyncExitStack::new() as stack => {
        for name in ["a.txt", "b.txt"] {
            stack.enter_async_context(open(name)).await;
        }
        println!("both open");
    });
    // async with lock: ...
    let lock = Lock::new();
    async_with!(&lock => println!("holding the lock: {}", lock.locked()));
    // async with asyncio.timeout(1): await asyncio.sleep(10)
    let late: Result<(), Error> = async_with!(timeout(1) => {
        sleep(10).await;
        Ok(())
    });
    println!(
        "timeout(1) around sleep(10) -> timed out: {}",
        late.unwrap_err().is_timeout()
    );
}
