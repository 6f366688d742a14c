#![deny(warnings)]

// Temporaries in a yield's value are dropped before the generator suspends
// (the value is computed, then yielded, as in Python): a `MutexGuard` taken
// to compute it is not held across the `yield`, so the lock is free while
// the generator waits and the generator stays `Send`.
use std::sync::{Arc, Mutex};

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    let shared = Arc::new(Mutex::new(5u32));
    let inner = Arc::clone(&shared);
    let mut agen = assert_send(asyncio::async_gen! {
        yield *inner.lock().unwrap();
        yield *inner.lock().unwrap() + 1;
    });
    asyncio::run(async move {
        assert_eq!(agen.next().await, Some(5));
        assert!(shared.try_lock().is_ok(), "the lock is free at the yield");
        assert_eq!(agen.next().await, Some(6));
        assert_eq!(agen.next().await, None);
    });
}
