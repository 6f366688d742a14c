//! How a task reads in reports and `Debug`: Python's
//! `<Task pending name='Task-2' coro=<main()> created at src/main.rs:4:5>`.
//!
//! Built only when something is shown (a warning, a `{:?}`): never on a
//! task's normal path.

use crate::error::Error;
use crate::scheduler::header::{Stage, TaskHeader};

/// `<Task pending name='Task-2' coro=<main()> created at src/main.rs:4:5>`,
/// for a task whose future has the type named `coro`.
pub(crate) fn describe(header: &TaskHeader, coro: &str) -> String {
    let state = match header.stage() {
        Stage::Running if header.cancel_requested() => "cancelling",
        Stage::Running => "pending",
        Stage::CleaningUp => "cleaning up",
        Stage::Done => match header.peek_failure() {
            None => "finished",
            Some(Error::Cancelled(_)) => "cancelled",
            Some(_) => "failed",
        },
    };
    format!(
        "<Task {state} name='{}' coro=<{}> created at {}>",
        header.name(),
        coro_display(coro),
        header.location
    )
}

/// `my_crate::lap_timer::{{closure}}` as `lap_timer()`, the way Python
/// shows a coroutine; a named future type keeps its last path segment.
fn coro_display(type_name: &str) -> String {
    let mut name = type_name;
    let mut is_async_fn = false;
    while let Some(outer) = name.strip_suffix("::{{closure}}") {
        name = outer;
        is_async_fn = true;
    }
    let name = name.split('<').next().unwrap_or(name);
    let last = name.rsplit("::").next().unwrap_or(name);
    if is_async_fn {
        format!("{last}()")
    } else {
        last.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::coro_display;

    #[test]
    fn coroutine_names_read_like_python() {
        assert_eq!(coro_display("tour::lap_timer::{{closure}}"), "lap_timer()");
        assert_eq!(
            coro_display("app::main::{{closure}}::{{closure}}"),
            "main()"
        );
        assert_eq!(coro_display("asyncio_runtime::sleep::Sleep"), "Sleep");
        assert_eq!(
            coro_display("futures::future::Ready<alloc::string::String>"),
            "Ready"
        );
    }
}
