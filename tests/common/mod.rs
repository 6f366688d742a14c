//! Helpers shared by the integration tests: an event log and a runner on a
//! virtual clock.
// Each test binary uses a different subset of these.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};

use asyncio::Runner;

/// The order of events, as the test observes them.
pub(crate) type Log = Rc<RefCell<Vec<String>>>;

pub(crate) fn new_log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

pub(crate) fn push(log: &Log, entry: impl Into<String>) {
    log.borrow_mut().push(entry.into());
}

/// Runs `main` on a virtual clock.
pub(crate) fn run_virtual<F: std::future::Future + 'static>(main: F) -> F::Output
where
    F::Output: 'static,
{
    Runner::new().virtual_time(true).run(main)
}

/// A gate that work on other threads waits at until the test opens it.
#[derive(Clone, Default)]
pub(crate) struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    /// Blocks this thread until the gate is open.
    pub(crate) fn wait(&self) {
        let (open, cond) = &*self.0;
        let mut open = open.lock().unwrap();
        while !*open {
            open = cond.wait(open).unwrap();
        }
    }

    /// Opens the gate for every waiter, present and future.
    pub(crate) fn open(&self) {
        let (open, cond) = &*self.0;
        *open.lock().unwrap() = true;
        cond.notify_all();
    }
}

/// A small deterministic generator (xorshift64*), one stream per seed.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The variable that marks a child process of a test binary.
const CHILD: &str = "ASYNCIO_TEST_CHILD";

/// Runs the test `name` of `module` (pass `module_path!()`) in a child
/// process (this test binary, one test selected), so what it does to the
/// process (limits, signal handlers, descriptor counts) cannot disturb or
/// be disturbed by the other tests; returns what it printed.
pub(crate) fn run_child(module: &str, name: &str) -> String {
    // The harness names tests by their path below the crate root.
    let module = module.split_once("::").map_or("", |(_, m)| m);
    let test = format!("{module}::{name}");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test.as_str(), "--exact", "--include-ignored", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "child {name} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

/// Whether this process is a child started by [`run_child`].
pub(crate) fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}
