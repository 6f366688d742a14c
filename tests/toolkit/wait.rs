//! `wait`: each `return_when`, the timeout, and the rule that `wait` never
//! cancels anything (compared with `wait_for`, which does).

use crate::common::*;

use asyncio::{
    ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, Task, create_task, get_running_loop, sleep,
    wait, wait_for,
};

fn now() -> f64 {
    get_running_loop().unwrap().time()
}

fn sleeper(log: &Log, delay: u32) -> Task<u32> {
    let log = log.clone();
    create_task(async move {
        sleep(delay).await;
        push(&log, format!("{delay} done"));
        delay
    })
}

fn outputs(tasks: &[Task<u32>]) -> Vec<u32> {
    tasks.iter().map(|t| t.result().unwrap()).collect()
}

#[test]
fn all_completed_waits_for_every_task() {
    let log = new_log();
    run_virtual(async move {
        let tasks = [3, 1, 2].map(|d| sleeper(&log, d));
        let (done, pending) = wait(tasks).return_when(ALL_COMPLETED).await;
        assert_eq!(now(), 3.0);
        assert!(pending.is_empty());
        assert_eq!(outputs(&done), [3, 1, 2], "done keeps the order given");
        assert_eq!(*log.borrow(), ["1 done", "2 done", "3 done"]);
    });
}

#[test]
fn first_completed_returns_at_the_first_and_leaves_the_rest_running() {
    let log = new_log();
    run_virtual(async move {
        let tasks = [3, 1, 2].map(|d| sleeper(&log, d));
        let (done, pending) = wait(tasks).return_when(FIRST_COMPLETED).await;
        assert_eq!(now(), 1.0);
        assert_eq!(outputs(&done), [1]);
        assert_eq!(pending.len(), 2);
        assert!(pending.iter().all(|t| !t.done() && !t.cancelled()));
        // The rest keep running and finish on their own.
        let (done, pending) = wait(pending).await;
        assert!(pending.is_empty());
        assert_eq!(outputs(&done), [3, 2]);
        assert_eq!(*log.borrow(), ["1 done", "2 done", "3 done"]);
    });
}

#[test]
fn first_completed_with_one_already_done_returns_at_once() {
    run_virtual(async {
        let quick = create_task(async { 7 });
        let slow = create_task(async {
            sleep(10).await;
            8
        });
        sleep(0).await;
        sleep(0).await;
        let (done, pending) = wait([quick, slow]).return_when(FIRST_COMPLETED).await;
        assert_eq!(now(), 0.0);
        assert_eq!(done[0].result().unwrap(), 7);
        assert_eq!(pending.len(), 1);
    });
}

#[test]
fn first_exception_returns_at_the_first_panic() {
    run_virtual(async {
        let ok = create_task(async {
            sleep(1).await;
            1
        });
        let boom = create_task(async {
            sleep(2).await;
            if now() > 0.0 {
                panic!("boom");
            }
            2
        });
        let slow = create_task(async {
            sleep(5).await;
            3
        });
        let (done, pending) = wait([ok, boom, slow]).return_when(FIRST_EXCEPTION).await;
        assert_eq!(now(), 2.0);
        assert_eq!(done.len(), 2);
        assert_eq!(done[0].result().unwrap(), 1);
        let error = done[1]
            .exception()
            .unwrap()
            .expect("the panic is the exception");
        assert!(error.is_panic() && error.to_string().contains("boom"));
        assert_eq!(pending.len(), 1);
        assert!(!pending[0].done());
    });
}

#[test]
fn first_exception_ignores_cancellation_and_waits_for_all() {
    run_virtual(async {
        let cancelled = create_task(sleep(100));
        let other = create_task(async { sleep(3).await });
        sleep(0).await;
        cancelled.cancel();
        let (done, pending) = wait([cancelled, other]).return_when(FIRST_EXCEPTION).await;
        // A cancellation is not an exception (CPython): it waited for all.
        assert_eq!(now(), 3.0);
        assert!(pending.is_empty());
        assert!(done[0].cancelled());
        assert!(done[1].done() && !done[1].cancelled());
    });
}

#[test]
fn first_exception_sees_a_future_exception() {
    run_virtual(async {
        let fut = asyncio::Future::<u32>::new();
        let never = asyncio::Future::<u32>::new();
        let setter = fut.clone();
        get_running_loop().unwrap().call_later(2, move || {
            setter.set_exception(std::io::Error::other("bad")).unwrap();
        });
        let (done, pending) = wait([fut, never]).return_when(FIRST_EXCEPTION).await;
        assert_eq!(now(), 2.0);
        assert_eq!(done.len(), 1);
        assert!(done[0].exception().unwrap().is_some());
        assert_eq!(pending.len(), 1);
    });
}

#[test]
fn timeout_returns_what_is_done_and_cancels_nothing() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let tasks = [1, 5, 9].map(|d| sleeper(&l, d));
        let (done, pending) = wait(tasks).timeout(3).await;
        assert_eq!(now(), 3.0);
        assert_eq!(outputs(&done), [1]);
        assert_eq!(pending.len(), 2);
        assert!(pending.iter().all(|t| !t.cancelled()));
        // Still running after the timeout: both finish later.
        for task in pending {
            let _ = task.await.unwrap();
        }
        assert_eq!(now(), 9.0);
    });
    assert_eq!(*log.borrow(), ["1 done", "5 done", "9 done"]);
}

#[test]
fn wait_for_cancels_on_timeout_where_wait_does_not() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let with_wait = sleeper(&l, 5);
        let (_, pending) = wait([with_wait]).timeout(1).await;
        push(&l, format!("wait timed out, pending={}", pending.len()));

        let l2 = l.clone();
        let with_wait_for = create_task(async move {
            sleep(5).await;
            push(&l2, "wait_for's work done");
        });
        let out = wait_for(&with_wait_for, 1).await;
        push(
            &l,
            format!("wait_for: {}", if out.is_err() { "timeout" } else { "ok" }),
        );
        sleep(10).await;
        assert!(!pending[0].cancelled());
        assert!(with_wait_for.cancelled());
    });
    assert_eq!(
        *log.borrow(),
        ["wait timed out, pending=1", "wait_for: timeout", "5 done"]
    );
}

#[test]
fn cancelling_the_waiter_leaves_the_tasks_running() {
    let log = new_log();
    let l = log.clone();
    run_virtual(async move {
        let children = [sleeper(&l, 2), sleeper(&l, 4)];
        let refs: Vec<_> = children.iter().map(|t| t.as_task_ref().clone()).collect();
        let waiter = create_task(async move { wait(children).await.0.len() });
        sleep(1).await;
        waiter.cancel();
        assert!((&waiter).await.unwrap_err().is_cancelled());
        assert!(refs.iter().all(|t| !t.done()));
        let (done, _) = wait(refs).await;
        assert!(done.iter().all(|t| !t.cancelled()));
    });
    assert_eq!(*log.borrow(), ["2 done", "4 done"]);
}

#[test]
fn empty_wait_returns_at_once() {
    run_virtual(async {
        let (done, pending) = wait(Vec::<Task<()>>::new()).await;
        assert!(done.is_empty() && pending.is_empty());
        assert_eq!(now(), 0.0);
    });
}

#[test]
fn wait_on_futures_and_task_refs_mixes_nothing_up() {
    run_virtual(async {
        let a = asyncio::Future::<&str>::new();
        let b = asyncio::Future::<&str>::new();
        let setter = b.clone();
        get_running_loop().unwrap().call_later(1, move || {
            setter.set_result("b").unwrap();
        });
        let (done, pending) = wait([a.clone(), b.clone()])
            .return_when(FIRST_COMPLETED)
            .await;
        assert_eq!(done[0].result().unwrap(), "b");
        assert!(!pending[0].done());
    });
}
