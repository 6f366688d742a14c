//! `Semaphore` and `BoundedSemaphore`: FIFO permits, cancel safety, the
//! bound.

use crate::common::*;

use asyncio::{
    BoundedSemaphore, Semaphore, SemaphoreAcquire, Task, catch_cancelled, create_task, sleep,
};

fn worker(acquire: SemaphoreAcquire, log: &Log, name: &'static str) -> Task<()> {
    let log = log.clone();
    create_task(async move {
        let _permit = acquire.await;
        push(&log, format!("{name} in"));
        sleep(1).await;
        push(&log, format!("{name} out"));
    })
}

#[test]
fn permits_go_to_waiters_in_fifo_order() {
    run_virtual(async {
        let log = new_log();
        let sem = Semaphore::new(2);
        let tasks: Vec<_> = ["a", "b", "c", "d", "e"]
            .into_iter()
            .map(|name| worker(sem.acquire(), &log, name))
            .collect();
        sleep(0).await;
        assert!(sem.locked());
        assert_eq!(sem.value(), 0);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            *log.borrow(),
            [
                "a in", "b in", "a out", "b out", "c in", "d in", "c out", "d out", "e in", "e out"
            ]
        );
        assert_eq!(sem.value(), 2);
        assert!(!sem.locked());
    });
}

#[test]
fn an_acquire_cancelled_after_a_permit_was_handed_over_passes_it_on() {
    run_virtual(async {
        let log = new_log();
        let sem = Semaphore::new(1);
        let permit = sem.acquire().await;
        let a = worker(sem.acquire(), &log, "a");
        let b = worker(sem.acquire(), &log, "b");
        sleep(0).await;
        drop(permit); // handed to `a`...
        assert_eq!(sem.value(), 0);
        assert!(sem.try_acquire().is_none()); // ...so no latecomer gets it
        a.cancel(); // ...which is cancelled before it runs
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        assert_eq!(*log.borrow(), ["b in", "b out"]);
        assert_eq!(sem.value(), 1);
    });
}

#[test]
fn a_caught_cancellation_of_an_acquire_keeps_the_permit_count() {
    run_virtual(async {
        let log = new_log();
        let sem = Semaphore::new(1);
        let permit = sem.acquire().await;
        let a = {
            let (sem, log) = (sem.clone(), log.clone());
            create_task(async move {
                if catch_cancelled(sem.acquire()).await.is_err() {
                    push(&log, "a cancelled");
                }
            })
        };
        let waiting = {
            let (sem, log) = (sem.clone(), log.clone());
            create_task(async move {
                if catch_cancelled(sem.acquire()).await.is_err() {
                    push(&log, "w cancelled");
                }
            })
        };
        sleep(0).await;
        waiting.cancel(); // cancelled while waiting, nothing handed over yet
        sleep(0).await;
        sem.release().unwrap(); // an extra permit: goes to `a`
        a.cancel();
        a.await.unwrap();
        waiting.await.unwrap();
        drop(permit);
        assert_eq!(*log.borrow(), ["w cancelled", "a cancelled"]);
        assert_eq!(sem.value(), 2);
    });
}

#[test]
fn forget_and_release_mirror_pythons_bare_acquire_and_release() {
    run_virtual(async {
        let sem = Semaphore::new(1);
        sem.acquire().await.forget();
        assert!(sem.locked());
        let s = sem.clone();
        let waiter = create_task(async move {
            let _permit = s.acquire().await;
            "got it"
        });
        sleep(1).await;
        assert!(!waiter.done());
        sem.release().unwrap();
        assert_eq!(waiter.await.unwrap(), "got it");
        assert_eq!(sem.value(), 1);
        sem.release().unwrap(); // an unbounded semaphore may grow
        assert_eq!(sem.value(), 2);
        assert_eq!(format!("{sem:?}"), "<Semaphore value=2 waiters=0>");
    });
}

#[test]
fn bounded_semaphore_refuses_to_grow_beyond_its_initial_value() {
    run_virtual(async {
        let sem = BoundedSemaphore::new(2);
        let err = sem.release().unwrap_err();
        assert_eq!(err.to_string(), "BoundedSemaphore released too many times");
        let a = sem.acquire().await;
        let b = sem.acquire().await;
        assert!(sem.locked());
        drop(a);
        b.forget();
        assert_eq!(sem.value(), 1);
        sem.release().unwrap();
        assert_eq!(sem.value(), 2);
        assert!(sem.release().is_err());
        assert_eq!(format!("{sem:?}"), "<BoundedSemaphore value=2/2 waiters=0>");
    });
}

#[test]
fn bounded_semaphore_counts_a_permit_in_flight_to_a_waiter() {
    run_virtual(async {
        let log = new_log();
        let sem = BoundedSemaphore::new(1);
        sem.acquire().await.forget();
        let a = worker(sem.acquire(), &log, "a");
        sleep(0).await;
        sem.release().unwrap(); // handed to `a`, not yet taken
        assert!(sem.release().is_err()); // still one permit in all
        a.await.unwrap();
        assert_eq!(sem.value(), 1);
        assert!(sem.release().is_err());
    });
}

#[test]
fn a_guard_dropped_after_a_manual_release_keeps_the_bound() {
    run_virtual(async {
        let sem = BoundedSemaphore::new(1);
        let permit = sem.acquire().await;
        sem.release().unwrap();
        drop(permit);
        assert_eq!(sem.value(), 1);
    });
}

#[test]
fn releasing_a_semaphore_past_usize_max_is_an_error_not_a_wrap() {
    let sem = Semaphore::new(usize::MAX);
    let err = sem.release().unwrap_err();
    assert!(err.reason().contains("usize::MAX"), "{err}");
    assert_eq!(sem.value(), usize::MAX);
    // A permit taken and given back by its guard keeps the count right.
    run_virtual(async move {
        let permit = sem.acquire().await;
        assert_eq!(sem.value(), usize::MAX - 1);
        drop(permit);
        assert_eq!(sem.value(), usize::MAX);
    });
}
