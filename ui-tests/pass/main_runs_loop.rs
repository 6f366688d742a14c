#![deny(warnings)]

use std::cell::Cell;
use std::rc::Rc;

/// The body really runs on an event loop: tasks (even `!Send` ones) and
/// timers work, and the result comes back out of the generated `main`.
#[asyncio::main(debug = true)]
async fn main() {
    let hits = Rc::new(Cell::new(0));
    let task = asyncio::create_task({
        let hits = Rc::clone(&hits);
        async move {
            asyncio::sleep(0.001).await;
            hits.set(hits.get() + 1);
            "done"
        }
    });
    assert_eq!(task.await.unwrap(), "done");
    assert_eq!(hits.get(), 1);
}
