#![forbid(unsafe_code)]
#![deny(warnings)]

// Both macros in a crate that forbids `unsafe` and denies warnings: the
// expression and fn forms of `async_context!`, a manager for one body
// type, `async_with!` with several managers, patterns, `?` in the body.
use asyncio::{AsyncContext, async_context, async_with};

async_context! {
    /// Any body.
    async fn resource(name: &'static str) -> AsyncContext<&'static str> {
        yield name;
    }

    /// Only bodies that return `Result<u32, String>`.
    async fn checked() -> AsyncContext<u32, Result<u32, String>> {
        let outcome = yield 1;
        if outcome.error().is_some() {
            outcome.set_error("checked".to_string());
        }
    }
}

async fn parse(text: &str) -> Result<u32, String> {
    let n = async_with!(checked() as base, resource("r") as _r => {
        let n: u32 = text.parse().map_err(|_| "not a number".to_string())?;
        Ok(base + n)
    })?;
    Ok(n)
}

fn main() {
    asyncio::run(async {
        assert_eq!(parse("41").await, Ok(42));
        assert_eq!(parse("x").await, Err("checked".to_string()));
        let lock = asyncio::Lock::new();
        let cm = async_context! {
            let outcome = yield 2u8;
            assert!(outcome.is_returned());
        };
        let (a, b) = async_with!(&lock, cm as two => (lock.locked(), two));
        assert!(a && b == 2);
    });
}
