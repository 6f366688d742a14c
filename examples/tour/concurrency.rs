//! Sections 10–17 of the tour: running things concurrently. Sections 10–16
//! run on a virtual clock (`Runner::virtual_time`), so the seeds' multi-second
//! sleeps take no wall time and the interleavings print exactly as in
//! Python, ties included.

use std::cell::RefCell;
use std::io::Write;

use asyncio::{
    ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, Queue, Task, as_completed, create_task_named,
    gather, get_running_loop, shield, sleep, task_group, wait, wait_for,
};

use super::header;

fn now() -> f64 {
    get_running_loop().unwrap().time()
}

pub(crate) fn tour() {
    asyncio::Runner::new().virtual_time(true).run(async {
        gather_section().await;
        timeouts_section().await;
        wait_section().await;
        shield_section().await;
        as_completed_section().await;
        task_group_section().await;
        queue_section().await;
    });
    // Threads work in real time: a virtual clock would wait for them.
    asyncio::run(threads_section());
}

// ---------------------------------------------------------------------------
// 10. gather (seeds 002, 004)
// ---------------------------------------------------------------------------

// async def say_after(delay, what):
//     for i in range(5):
//         await asyncio.sleep(delay)
//         print(what, end='')
//     return "Done."
async fn say_after(delay: u64, what: &str) -> &'static str {
    for _ in 0..5 {
        sleep(delay).await;
        print!("{what}");
        std::io::stdout().flush().unwrap();
    }
    "Done."
}

// async def count():
//     print("One"); await asyncio.sleep(1); print("Two")
async fn count() {
    println!("One");
    sleep(1).await;
    println!("Two");
}

async fn gather_section() {
    header("10. gather: results in argument order (virtual clock)");
    // result = await asyncio.gather(say_after(3, '3-'), say_after(1, '1-'), say_after(2, '2-'))
    let (a, b, c) = asyncio::gather!(say_after(3, "3-"), say_after(1, "1-"), say_after(2, "2-"))
        .await
        .unwrap();
    println!("{:?}", [a, b, c]);

    // await asyncio.gather(count(), count(), count())
    let start = now();
    gather([count(), count(), count()]).await.unwrap();
    println!("executed in {:0.2} seconds (of loop time).", now() - start);

    // gather(..., return_exceptions=True): every outcome, failures included
    // (here a child that is cancelled half-way).
    let children = gather([1, 5, 2].map(|d| async move {
        sleep(d).await;
        d * 10
    }));
    let second = children.tasks()[1].as_task_ref().clone();
    get_running_loop().unwrap().call_later(3, move || {
        second.cancel();
    });
    let outcomes = children.return_exceptions().await;
    let shown: Vec<String> = outcomes
        .iter()
        .map(|o| match o {
            Ok(v) => v.to_string(),
            Err(e) => format!("Err({e})"),
        })
        .collect();
    println!("return_exceptions: {shown:?}");
}

// ---------------------------------------------------------------------------
// 11. wait_for and the timeout scope (seeds 000, 002, 004)
// ---------------------------------------------------------------------------

async fn timeouts_section() {
    header("11. wait_for / timeout");
    // try:
    //     result = await asyncio.wait_for(say_after(5, 'hello'), timeout=2)
    // except asyncio.TimeoutError:
    //     print('Timeout exceed')
    let slow = async {
        sleep(5).await;
        "Done."
    };
    match wait_for(slow, 2).await {
        Ok(result) => println!("{result}"),
        Err(asyncio::TimeoutError) => println!("Timeout exceed"),
    }

    // async with asyncio.timeout(1) as scope: ...; scope.reschedule(...)
    let scope = asyncio::timeout(1);
    let out = scope
        .run(async {
            sleep(0.5).await;
            // More time, from inside the scope.
            scope.reschedule(Some(now() + 2.0)).unwrap();
            sleep(1).await;
            "finished after a reschedule"
        })
        .await;
    println!("{out:?}, expired: {}", scope.expired());
}

// ---------------------------------------------------------------------------
// 12. wait with return_when (seed 002)
// ---------------------------------------------------------------------------

fn job(name: &'static str, secs: u64) -> Task<&'static str> {
    create_task_named(
        async move {
            sleep(secs).await;
            name
        },
        name,
    )
}

fn names(tasks: &[Task<&'static str>]) -> Vec<String> {
    tasks.iter().map(|t| t.get_name()).collect()
}

async fn wait_section() {
    header("12. wait: (done, pending), never cancels");
    // done, pending = await asyncio.wait({...}, return_when=FIRST_COMPLETED, timeout=10)
    for (label, when) in [
        ("FIRST_COMPLETED", FIRST_COMPLETED),
        ("FIRST_EXCEPTION", FIRST_EXCEPTION),
        ("ALL_COMPLETED", ALL_COMPLETED),
    ] {
        let tasks = [job("one", 1), job("three", 3)];
        let (done, pending) = wait(tasks).return_when(when).timeout(10).await;
        println!(
            "{label}: done={:?} pending={:?}",
            names(&done),
            names(&pending)
        );
        wait(pending).await; // let the rest finish before the next round
    }
    // done, pending = await asyncio.wait(tasks, timeout=5)
    let (done, pending) = wait([job("long", 60)]).timeout(5).await;
    println!(
        "timeout=5: done={:?} pending={:?}, still running: {}",
        names(&done),
        names(&pending),
        !pending[0].done()
    );
    pending[0].cancel();
}

// ---------------------------------------------------------------------------
// 13. shield (seed 002)
// ---------------------------------------------------------------------------

async fn shield_section() {
    header("13. shield");
    // res = await shield(my_routine())
    let waiter = asyncio::create_task(shield(async {
        sleep(2).await;
        println!("the shielded routine finished at t+2");
    }));
    sleep(1).await;
    waiter.cancel();
    println!(
        "awaiter cancelled: {}",
        (&waiter).await.unwrap_err().is_cancelled()
    );
    sleep(2).await;
}

// ---------------------------------------------------------------------------
// 14. as_completed (seed 002)
// ---------------------------------------------------------------------------

async fn as_completed_section() {
    header("14. as_completed");
    // for routine in as_completed(my_routines):
    //     first_result = await routine
    let my_routines = [3, 1, 2].map(|d| async move {
        sleep(d).await;
        format!("slept {d}s")
    });
    let mut routines = as_completed(my_routines);
    while let Some(result) = routines.next().await {
        println!("{}", result.unwrap());
    }
}

// ---------------------------------------------------------------------------
// 15. TaskGroup (Python 3.11)
// ---------------------------------------------------------------------------

async fn task_group_section() {
    header("15. TaskGroup: one child fails, its siblings are cancelled");
    // async with asyncio.TaskGroup() as tg:
    //     tg.create_task(...) ...
    let log = RefCell::new(Vec::new()); // borrowed by the children
    let outcome = task_group(async |tg| {
        tg.create_task(async {
            sleep(1).await;
            log.borrow_mut().push("fast done");
        });
        tg.create_try_task(async {
            sleep(2).await;
            Err::<(), _>(std::io::Error::other("broken child failed"))
        });
        tg.create_task(async {
            if asyncio::catch_cancelled(sleep(10)).await.is_err() {
                log.borrow_mut().push("slow cancelled");
            }
        });
    })
    .await;
    println!("{:?}", log.borrow());
    println!("{}", outcome.unwrap_err());
}

// ---------------------------------------------------------------------------
// 16. Queue: producer and consumers
// ---------------------------------------------------------------------------

async fn queue_section() {
    header("16. Queue: a producer and two consumers");
    let queue = Queue::new(2); // bounded: put() waits while 2 are queued
    let start = now();
    let consumers = ["A", "B"].map(|name| {
        let queue = queue.clone();
        asyncio::create_task(async move {
            loop {
                let job: u64 = queue.get().await;
                sleep(job).await;
                println!("consumer {name} did a {job}s job, t+{}", now() - start);
                queue.task_done().unwrap();
            }
        })
    });
    for job in [2, 1, 1, 3] {
        queue.put(job).await;
    }
    queue.join().await; // every job marked task_done()
    for consumer in &consumers {
        consumer.cancel();
    }
    gather(consumers).return_exceptions().await;
}

// ---------------------------------------------------------------------------
// 17. Threads: to_thread and run_coroutine_threadsafe (seed 002)
// ---------------------------------------------------------------------------

async fn threads_section() {
    header("17. to_thread / run_coroutine_threadsafe");
    // def a_routine():
    //     time.sleep(1)
    //     print("Done.")
    // await asyncio.to_thread(a_routine)
    //
    // A blocking call runs on the loop's thread pool; the loop carries on.
    let ticker = asyncio::create_task(async {
        for i in 1..=2 {
            sleep(0.1).await;
            println!("tick {i} while the thread sleeps");
        }
    });
    let out = asyncio::to_thread(|| {
        std::thread::sleep(std::time::Duration::from_millis(300));
        "Done."
    })
    .await;
    println!("{}", out.unwrap());
    ticker.await.unwrap();

    // coro = asyncio.sleep(1, result=3)
    // future = asyncio.run_coroutine_threadsafe(coro, loop)
    // print(future.result(timeout))
    let handle = get_running_loop().unwrap().handle();
    let other_thread = std::thread::spawn(move || {
        let future = asyncio::run_coroutine_threadsafe(
            || async {
                sleep(0.2).await;
                3
            },
            &handle,
        );
        future.result(Some(std::time::Duration::from_secs(10)))
    });
    // Joining blocks, so it goes to the pool too; the loop stays free to
    // run the coroutine the other thread submitted.
    let result = asyncio::to_thread(move || other_thread.join().unwrap()).await;
    println!("from a plain thread: {:?}", result.unwrap());
}
