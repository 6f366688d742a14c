//! A producer/worker pipeline on `asyncio::Queue`, the shape of Python's
//! classic queue example:
//!
//! ```python
//! import asyncio, random
//!
//! async def worker(name, queue, results):
//!     while True:
//!         delay = await queue.get()
//!         await asyncio.sleep(delay)
//!         results.append((name, delay))
//!         queue.task_done()
//!
//! async def main():
//!     queue = asyncio.Queue(maxsize=4)
//!     results = []
//!     workers = [asyncio.create_task(worker(f"worker-{i}", queue, results))
//!                for i in range(3)]
//!     for delay in [0.05, 0.01, 0.03, 0.02, 0.04, 0.01, 0.02, 0.03]:
//!         await queue.put(delay)      # waits while 4 jobs are queued
//!     await queue.join()              # every job marked task_done()
//!     for w in workers:
//!         w.cancel()
//!     await asyncio.gather(*workers, return_exceptions=True)
//!     print(len(results), "jobs done")
//!
//! asyncio.run(main())
//! ```
//!
//! The workers hold `Rc`s: tasks need not be `Send`. Cancelling a worker
//! while it waits in `get()` never loses a queued job.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Queue, create_task_named, sleep};

async fn worker(name: String, queue: Queue<f64>, results: Rc<RefCell<Vec<(String, f64)>>>) {
    loop {
        let delay = queue.get().await;
        sleep(delay).await;
        println!("{name} finished a {delay:.2}s job");
        results.borrow_mut().push((name.clone(), delay));
        queue.task_done().expect("one task_done per job");
    }
}

#[asyncio::main]
async fn main() {
    let queue = Queue::new(4);
    let results = Rc::new(RefCell::new(Vec::new()));
    let workers: Vec<_> = (0..3)
        .map(|i| {
            let name = format!("worker-{i}");
            let job = worker(name.clone(), queue.clone(), results.clone());
            create_task_named(job, name)
        })
        .collect();

    for delay in [0.05, 0.01, 0.03, 0.02, 0.04, 0.01, 0.02, 0.03] {
        queue.put(delay).await; // waits while 4 jobs are queued
    }
    queue.join().await;

    for w in &workers {
        w.cancel();
    }
    for w in workers {
        assert!(w.await.unwrap_err().is_cancelled());
    }
    println!(
        "{} jobs done, queue empty: {}",
        results.borrow().len(),
        queue.empty()
    );
}
