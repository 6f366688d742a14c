//! `#[asyncio::test]` as users write it: plain, with `virtual_time`, with
//! `debug`, returning a `Result`, and combined with `#[should_panic]`.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{create_task, current_task, get_running_loop, sleep};

#[asyncio::test]
async fn runs_the_body_as_the_main_task() {
    let me = current_task().unwrap();
    assert_eq!(me.get_name(), "Task-1");
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let child = create_task(async move {
        l.borrow_mut().push("child");
        5
    });
    log.borrow_mut().push("main");
    assert_eq!(child.await.unwrap(), 5);
    assert_eq!(*log.borrow(), ["main", "child"]);
    assert!(!get_running_loop().unwrap().is_virtual_time());
}

#[asyncio::test(virtual_time = true)]
async fn virtual_time_makes_long_sleeps_exact_and_instant() {
    let lp = get_running_loop().unwrap();
    assert!(lp.is_virtual_time());
    sleep(3600.0).await;
    assert_eq!(lp.time(), 3600.0);
    let order = Rc::new(RefCell::new(Vec::new()));
    let mut tasks = Vec::new();
    for delay in [3, 1, 2] {
        let (o, lp) = (order.clone(), lp.clone());
        tasks.push(create_task(async move {
            sleep(delay).await;
            o.borrow_mut().push((delay, lp.time()));
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(*order.borrow(), [(1, 3601.0), (2, 3602.0), (3, 3603.0)]);
}

#[asyncio::test(virtual_time = false)]
async fn virtual_time_false_uses_the_real_clock() {
    assert!(!get_running_loop().unwrap().is_virtual_time());
}

#[asyncio::test(debug = true)]
async fn debug_true_turns_debug_mode_on() {
    assert!(get_running_loop().unwrap().get_debug());
}

#[asyncio::test(debug = false, virtual_time = true)]
async fn options_combine() {
    let lp = get_running_loop().unwrap();
    assert!(!lp.get_debug());
    assert!(lp.is_virtual_time());
}

#[asyncio::test]
async fn a_test_may_return_a_result() -> Result<(), asyncio::Error> {
    let fut = asyncio::Future::new();
    fut.set_result(1u8)?;
    let v = fut.await?;
    assert_eq!(v, 1);
    Ok(())
}

#[asyncio::test]
#[should_panic(expected = "failing async test")]
async fn should_panic_works_with_async_tests() {
    sleep(0).await;
    panic!("failing async test");
}
