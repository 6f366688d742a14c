//! A user crate that depends on `asyncio` under another name, `aio`, and
//! re-exports it: every macro must expand here without an `asyncio` in
//! sight (the generated code may not hard-code `::asyncio`).

pub use aio;

use aio::{AsyncContext, AsyncGen};

aio::async_gen! {
    /// The fn form of the generator macro.
    pub async fn evens(limit: u32) -> AsyncGen<u32> {
        for i in (0..limit).step_by(2) {
            aio::sleep(0).await;
            yield i;
        }
    }
}

/// The expression form, with a `yield` inside another macro's arguments
/// (which the rewrite guards with the crate's own `label_check`).
pub fn tens() -> AsyncGen<u32> {
    aio::async_gen! {
        for i in 1..=3u32 {
            let sent: Vec<()> = vec![yield i * 10];
            assert_eq!(sent.len(), 1);
        }
    }
    .boxed()
}

aio::async_context! {
    /// The fn form of the context-manager macro.
    pub async fn counted(log: std::rc::Rc<std::cell::RefCell<Vec<&'static str>>>) -> AsyncContext<u32> {
        log.borrow_mut().push("enter");
        let outcome = yield 5;
        aio::sleep(0).await;
        log.borrow_mut().push(if outcome.is_returned() { "exit" } else { "exit early" });
    }
}

aio::async_gen! {
    /// A generator whose `yield` is inside an `async_with!`: the with is
    /// expanded by the generator macro, under the renamed crate.
    pub async fn guarded(log: std::rc::Rc<std::cell::RefCell<Vec<&'static str>>>) -> AsyncGen<u32> {
        aio::async_with!(counted(log.clone()) as n => {
            yield n;
            yield n + 1;
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_context_macros_need_no_crate_option() {
        let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let l = log.clone();
        let (n, items) = aio::run(async move {
            let n = aio::async_with!(super::counted(l.clone()) as n => n * 2);
            let items = super::guarded(l.clone()).collect::<Vec<_>>().await;
            (n, items)
        });
        assert_eq!((n, items), (10, vec![5, 6]));
        assert_eq!(*log.borrow(), ["enter", "exit", "enter", "exit"]);
    }

    #[aio::test(crate = "aio", virtual_time = true)]
    async fn the_test_macro_runs_under_a_renamed_dependency() {
        aio::sleep(3600).await;
        assert_eq!(aio::get_running_loop().unwrap().time(), 3600.0);
        assert_eq!(super::evens(7).collect::<Vec<_>>().await, [0, 2, 4, 6]);
    }

    #[test]
    fn the_generator_macro_needs_no_crate_option() {
        let all = aio::run(async { super::tens().collect::<Vec<_>>().await });
        assert_eq!(all, [10, 20, 30]);
    }
}
