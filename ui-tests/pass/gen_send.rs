#![deny(warnings)]

// A generator whose state is all `Send` is `Send` itself, in both forms:
// the hidden handle a rewritten `yield` awaits does not spoil it.
use std::sync::Arc;

use asyncio::AsyncGen;

fn assert_send<T: Send>(value: T) -> T {
    value
}

asyncio::async_gen! {
    async fn shared_counts(shared: Arc<u32>) -> AsyncGen<u32, String> {
        for i in 0..*shared {
            std::future::ready(()).await;
            yield i;
        }
        format!("counted to {shared}")
    }
}

fn main() {
    let block = assert_send(asyncio::async_gen! {
        let shared = Arc::new(String::from("held across yields"));
        yield shared.len();
        yield shared.len() + 1;
    });
    let mut items = assert_send(shared_counts(Arc::new(2)));
    asyncio::run(async move {
        assert_eq!(block.collect::<Vec<_>>().await, [18, 19]);
        // So is the future of its `next()`.
        assert_eq!(assert_send(items.next()).await, Some(0));
        assert_eq!(items.next().await, Some(1));
        assert_eq!(items.next().await, None);
        assert_eq!(items.take_return().as_deref(), Some("counted to 2"));
    });
}
