//! A crate that uses `asyncio` only through another crate's re-export
//! (`renamed::aio`): it has no `asyncio` (or `aio`) dependency of its own.

use renamed::aio;

/// The generator macro, reached through the re-export.
pub fn squares(n: u64) -> aio::AsyncGen<u64> {
    renamed::aio::async_gen! {
        for i in 1..=n {
            yield i * i;
        }
    }
    .boxed()
}

/// A manager and an `async with`, reached through the re-export.
pub async fn doubled(n: u64) -> u64 {
    let cm = renamed::aio::async_context! {
        yield n;
    };
    renamed::aio::async_with!(cm as v => v * 2)
}

#[cfg(test)]
mod tests {
    #[renamed::aio::test(crate = "renamed::aio")]
    async fn macros_work_through_a_re_export() {
        assert_eq!(super::squares(3).collect::<Vec<_>>().await, [1, 4, 9]);
        let evens = renamed::evens(3).collect::<Vec<_>>().await;
        assert_eq!(evens, [0, 2]);
        assert_eq!(super::doubled(21).await, 42);
    }
}
