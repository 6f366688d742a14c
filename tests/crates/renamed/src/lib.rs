//! A user crate that depends on `asyncio` under another name, `aio`, and
//! re-exports it: every macro must expand here without an `asyncio` in
//! sight (the generated code may not hard-code `::asyncio`).

pub use aio;

use aio::AsyncGen;

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

#[cfg(test)]
mod tests {
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
