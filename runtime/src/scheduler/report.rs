//! Warnings and errors the loop reports about user code.
//!
//! They go through the `log` facade (target `asyncio`) when the program has
//! installed a logger; otherwise straight to stderr, so a panic nobody
//! retrieved is never silent.

/// Reports a problem the user should see.
pub(crate) fn warn(message: &str) {
    if log::max_level() == log::LevelFilter::Off {
        eprintln!("asyncio warning: {message}");
    } else {
        log::warn!(target: "asyncio", "{message}");
    }
}

/// Reports a failure in a callback or a lost result.
pub(crate) fn error(message: &str) {
    if log::max_level() == log::LevelFilter::Off {
        eprintln!("asyncio error: {message}");
    } else {
        log::error!(target: "asyncio", "{message}");
    }
}
