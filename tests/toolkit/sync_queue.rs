//! `Queue`, `LifoQueue` and `PriorityQueue`: FIFO service of waiters,
//! the nowait errors, `task_done`/`join`, and cancel safety (a cancelled
//! get never swallows an item, a cancelled put never inserts).

use crate::common::*;

use std::cmp::Ordering;

use asyncio::{
    LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull, catch_cancelled, create_task, sleep,
};

fn getter(queue: &Queue<u32>, log: &Log, name: &'static str) -> asyncio::Task<()> {
    let (queue, log) = (queue.clone(), log.clone());
    create_task(async move {
        let item = queue.get().await;
        push(&log, format!("{name} got {item}"));
    })
}

fn putter(queue: &Queue<u32>, log: &Log, name: &'static str, item: u32) -> asyncio::Task<()> {
    let (queue, log) = (queue.clone(), log.clone());
    create_task(async move {
        queue.put(item).await;
        push(&log, format!("{name} put {item}"));
    })
}

#[test]
fn waiting_getters_are_served_in_fifo_order() {
    run_virtual(async {
        let log = new_log();
        let queue = Queue::new(0);
        let tasks = [
            getter(&queue, &log, "a"),
            getter(&queue, &log, "b"),
            getter(&queue, &log, "c"),
        ];
        sleep(0).await;
        for i in 1..=3 {
            queue.put(i).await;
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*log.borrow(), ["a got 1", "b got 2", "c got 3"]);
    });
}

#[test]
fn waiting_putters_are_served_in_fifo_order_and_put_waits_while_full() {
    run_virtual(async {
        let log = new_log();
        let queue = Queue::new(1);
        queue.put_nowait(0).unwrap();
        assert!(queue.full());
        let tasks = [
            putter(&queue, &log, "a", 1),
            putter(&queue, &log, "b", 2),
            putter(&queue, &log, "c", 3),
        ];
        sleep(1).await;
        assert!(log.borrow().is_empty());
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(queue.get().await);
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(got, [0, 1, 2, 3]);
        assert_eq!(*log.borrow(), ["a put 1", "b put 2", "c put 3"]);
    });
}

#[test]
fn a_get_cancelled_right_after_a_put_does_not_swallow_the_item() {
    run_virtual(async {
        let log = new_log();
        let queue = Queue::new(0);
        let a = getter(&queue, &log, "a");
        let b = getter(&queue, &log, "b");
        sleep(0).await;
        queue.put_nowait(7).unwrap(); // wakes `a` for the item...
        a.cancel(); // ...but `a` is cancelled before it runs
        let a_out = a.await;
        assert!(a_out.unwrap_err().is_cancelled());
        b.await.unwrap();
        assert_eq!(*log.borrow(), ["b got 7"]);
        assert!(queue.empty());
    });
}

#[test]
fn a_lone_get_cancelled_after_a_put_leaves_the_item_in_the_queue() {
    run_virtual(async {
        let log = new_log();
        let queue = Queue::new(0);
        let a = getter(&queue, &log, "a");
        sleep(0).await;
        queue.put_nowait(7).unwrap();
        a.cancel();
        assert!(a.await.unwrap_err().is_cancelled());
        assert_eq!(queue.get_nowait(), Ok(7));
        assert!(log.borrow().is_empty());
    });
}

#[test]
fn a_caught_cancellation_of_a_get_leaves_the_item_for_the_next_get() {
    run_virtual(async {
        let log = new_log();
        let queue = Queue::new(0);
        let a = {
            let (queue, log) = (queue.clone(), log.clone());
            create_task(async move {
                match catch_cancelled(queue.get()).await {
                    Ok(item) => push(&log, format!("a got {item}")),
                    Err(_) => push(&log, "a cancelled"),
                }
                // The task carries on and can still get items.
                let item = queue.get().await;
                push(&log, format!("a then got {item}"));
            })
        };
        let b = getter(&queue, &log, "b");
        sleep(0).await;
        queue.put_nowait(1).unwrap();
        a.cancel();
        sleep(0).await;
        sleep(0).await;
        queue.put_nowait(2).unwrap();
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(*log.borrow(), ["a cancelled", "b got 1", "a then got 2"]);
    });
}

#[test]
fn a_get_cancelled_while_waiting_keeps_later_getters_in_order() {
    run_virtual(async {
        let log = new_log();
        let queue = Queue::new(0);
        let a = getter(&queue, &log, "a");
        let b = getter(&queue, &log, "b");
        let c = getter(&queue, &log, "c");
        sleep(0).await;
        a.cancel();
        sleep(0).await;
        queue.put_nowait(1).unwrap();
        queue.put_nowait(2).unwrap();
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        c.await.unwrap();
        assert_eq!(*log.borrow(), ["b got 1", "c got 2"]);
    });
}

#[test]
fn a_cancelled_put_never_inserts_and_passes_its_slot_on() {
    run_virtual(async {
        let log = new_log();
        let queue = Queue::new(1);
        queue.put_nowait(0).unwrap();
        let a = putter(&queue, &log, "a", 1);
        let b = putter(&queue, &log, "b", 2);
        sleep(0).await;
        assert_eq!(queue.get_nowait(), Ok(0)); // frees a slot for `a`...
        a.cancel(); // ...which is cancelled before it runs
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
        assert_eq!(*log.borrow(), ["b put 2"]);
        assert_eq!(queue.get_nowait(), Ok(2));
        assert_eq!(queue.get_nowait(), Err(QueueEmpty));
    });
}

#[test]
fn a_put_cancelled_while_waiting_drops_its_item() {
    run_virtual(async {
        let queue = Queue::new(1);
        queue.put_nowait(0).unwrap();
        let caught = {
            let queue = queue.clone();
            create_task(async move { catch_cancelled(queue.put(1)).await.is_err() })
        };
        sleep(0).await;
        caught.cancel();
        assert!(caught.await.unwrap());
        assert_eq!(queue.qsize(), 1);
        assert_eq!(queue.get_nowait(), Ok(0));
        assert!(queue.empty());
    });
}

#[test]
fn nowait_errors_give_the_item_back() {
    let queue = Queue::new(2);
    assert_eq!(queue.maxsize(), 2);
    assert_eq!(queue.get_nowait(), Err(QueueEmpty));
    queue.put_nowait("a").unwrap();
    queue.put_nowait("b").unwrap();
    assert!(queue.full());
    let err = queue.put_nowait("c").unwrap_err();
    assert_eq!(err.to_string(), "the queue is full");
    assert_eq!(err, QueueFull("c"));
    assert_eq!(err.into_inner(), "c");
    assert_eq!(queue.qsize(), 2);
    assert_eq!(QueueEmpty.to_string(), "the queue is empty");
    let unbounded = Queue::default();
    for i in 0..1000 {
        unbounded.put_nowait(i).unwrap();
    }
    assert!(!unbounded.full());
    assert_eq!(unbounded.qsize(), 1000);
}

#[test]
fn join_waits_for_every_task_done_and_extra_task_done_is_an_error() {
    run_virtual(async {
        let log = new_log();
        let queue = Queue::new(0);
        assert!(queue.task_done().is_err());
        queue.join().await; // nothing unfinished: returns at once
        for i in 0..3 {
            queue.put_nowait(i).unwrap();
        }
        let worker = {
            let (queue, log) = (queue.clone(), log.clone());
            create_task(async move {
                for _ in 0..3 {
                    let item = queue.get().await;
                    sleep(1).await;
                    push(&log, format!("done {item}"));
                    queue.task_done().unwrap();
                }
            })
        };
        let joiner = {
            let (queue, log) = (queue.clone(), log.clone());
            create_task(async move {
                queue.join().await;
                push(&log, "joined");
            })
        };
        sleep(0).await; // the joiner waits first, so it is woken first
        queue.join().await;
        push(&log, "main joined");
        worker.await.unwrap();
        joiner.await.unwrap();
        assert_eq!(
            *log.borrow(),
            ["done 0", "done 1", "done 2", "joined", "main joined"]
        );
        let err = queue.task_done().unwrap_err();
        assert_eq!(err.to_string(), "task_done() called too many times");
    });
}

#[test]
fn a_cancelled_join_does_not_disturb_other_joiners() {
    run_virtual(async {
        let queue = Queue::new(0);
        queue.put_nowait(1).unwrap();
        let a = {
            let queue = queue.clone();
            create_task(async move { queue.join().await })
        };
        let b = {
            let queue = queue.clone();
            create_task(async move { queue.join().await })
        };
        sleep(0).await;
        a.cancel();
        sleep(0).await;
        queue.get_nowait().unwrap();
        queue.task_done().unwrap();
        assert!(a.await.unwrap_err().is_cancelled());
        b.await.unwrap();
    });
}

#[derive(Debug, PartialEq, Eq)]
struct Job {
    priority: u32,
    name: &'static str,
}

impl Ord for Job {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority.cmp(&other.priority)
    }
}

impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[test]
fn priority_queue_hands_out_the_smallest_first_and_ties_in_fifo_order() {
    let queue = PriorityQueue::new(0);
    for (priority, name) in [(2, "c"), (1, "a"), (3, "e"), (1, "b"), (2, "d"), (1, "b2")] {
        queue.put_nowait(Job { priority, name }).unwrap();
    }
    let names: Vec<_> = std::iter::from_fn(|| queue.get_nowait().ok())
        .map(|j| j.name)
        .collect();
    assert_eq!(names, ["a", "b", "b2", "c", "d", "e"]);
}

#[test]
fn priority_queue_serves_a_waiting_getter() {
    run_virtual(async {
        let queue = PriorityQueue::new(2);
        let q = queue.clone();
        let getter = create_task(async move { (q.get().await, q.get().await) });
        sleep(0).await;
        queue.put(5).await;
        queue.put(3).await;
        // The getter runs after both puts: the smaller comes out first.
        assert_eq!(getter.await.unwrap(), (3, 5));
        queue.put(9).await;
        queue.put(4).await;
        assert!(queue.full());
        assert_eq!(queue.get().await, 4);
    });
}

#[test]
fn lifo_queue_hands_out_the_newest_first() {
    run_virtual(async {
        let queue = LifoQueue::new(3);
        for i in 1..=3 {
            queue.put(i).await;
        }
        assert_eq!(queue.put_nowait(4), Err(QueueFull(4)));
        assert_eq!(queue.get().await, 3);
        queue.put(10).await;
        assert_eq!(queue.get().await, 10);
        assert_eq!(queue.get().await, 2);
        assert_eq!(queue.get().await, 1);
        assert!(queue.empty());
    });
}

#[test]
fn many_producers_and_consumers_lose_nothing_under_cancellation() {
    run_virtual(async {
        let queue = Queue::new(2);
        let got = new_log();
        let mut consumers = Vec::new();
        for c in 0..4 {
            let (queue, got) = (queue.clone(), got.clone());
            consumers.push(create_task(async move {
                loop {
                    let item: u32 = queue.get().await;
                    push(&got, item.to_string());
                    sleep(c + 1).await;
                }
            }));
        }
        for i in 0..20 {
            queue.put(i).await;
            if i == 7 {
                // Cancel a consumer in the middle of the stream.
                consumers[1].cancel();
            }
        }
        while !queue.empty() {
            sleep(1).await;
        }
        let mut items: Vec<u32> = got.borrow().iter().map(|s| s.parse().unwrap()).collect();
        items.sort();
        assert_eq!(items, (0..20).collect::<Vec<_>>());
        for consumer in &consumers {
            consumer.cancel();
        }
    });
}
