//! OS failures are error values, never panics inside the runtime: a loop
//! that cannot get a file descriptor for its poller, and signals that
//! interrupt the loop's wait. Each case runs in a child process (this test
//! binary, re-run with one test selected), so lowering the process's limits
//! or installing a signal handler cannot disturb the other tests.

// The OS error paths need libc calls (setrlimit, sigaction, pthread_kill).
#![allow(unsafe_code)]

use std::time::Duration;

use asyncio::{EventLoop, Runner};

/// Runs the test `name` of this module in a child process.
fn run_child(name: &str) -> String {
    crate::common::run_child(module_path!(), name)
}

use crate::common::in_child;

/// Lowers the soft descriptor limit so that no new descriptor can be made.
fn exhaust_descriptors() {
    use std::os::fd::AsRawFd;
    let probe = std::fs::File::open("/dev/null").unwrap();
    // Descriptors are handed out lowest first: with the limit at this one,
    // the next open fails with EMFILE.
    let next = probe.as_raw_fd() as libc::rlim_t;
    drop(probe);
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: a plain libc call filling a properly initialised struct.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(got, 0);
    limit.rlim_cur = next;
    // SAFETY: a plain libc call reading a properly initialised struct.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(set, 0);
}

#[test]
#[ignore = "the child half of a_loop_without_descriptors_is_an_emfile_error_value"]
fn child_out_of_descriptors() {
    assert!(in_child(), "run only as a child process");
    exhaust_descriptors();
    let error = EventLoop::new().unwrap_err();
    println!("new: {:?}", error.raw_os_error());
    let error = EventLoop::builder().virtual_time(true).build().unwrap_err();
    println!("build: {:?}", error.raw_os_error());
    let error = Runner::new().try_run(async { 7 }).unwrap_err();
    println!("try_run: {:?}", error.raw_os_error());
    let error = asyncio::get_event_loop().unwrap_err();
    println!("get_event_loop: {:?}", error.raw_os_error());
    let panic = std::panic::catch_unwind(|| asyncio::run(async { 7 })).unwrap_err();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    println!("run: {message}");
}

#[test]
fn a_loop_without_descriptors_is_an_emfile_error_value() {
    let out = run_child("child_out_of_descriptors");
    let emfile = Some(libc::EMFILE);
    for call in ["new", "build", "try_run", "get_event_loop"] {
        assert!(
            out.contains(&format!("{call}: {emfile:?}")),
            "{call} did not report EMFILE:\n{out}"
        );
    }
    assert!(
        out.contains("run: asyncio::run(): cannot create the event loop: Too many open files"),
        "asyncio::run's panic does not name the cause:\n{out}"
    );
}

extern "C" fn ignore_signal(_: libc::c_int) {}

#[test]
#[ignore = "the child half of signals_interrupting_the_wait_are_retried_not_errors"]
fn child_signals_during_the_wait() {
    assert!(in_child(), "run only as a child process");
    // A handler without SA_RESTART: the loop's epoll_wait returns EINTR.
    // SAFETY: all-zero bytes are a valid `sigaction` (no flags, no mask).
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = ignore_signal as *const () as libc::sighandler_t;
    // SAFETY: initialises the mask of the struct we own.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: installs a handler that does nothing, from a valid struct.
    let installed = unsafe { libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()) };
    assert_eq!(installed, 0);
    // SAFETY: pthread_self has no preconditions.
    let loop_thread = unsafe { libc::pthread_self() } as usize;
    let signaller = std::thread::spawn(move || {
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(10));
            // SAFETY: the loop thread outlives this one (joined below).
            unsafe { libc::pthread_kill(loop_thread as libc::pthread_t, libc::SIGUSR1) };
        }
    });
    let lp = EventLoop::new().unwrap();
    let out = lp.run_until_complete(async {
        let lp = asyncio::get_running_loop().unwrap();
        let start = lp.time();
        asyncio::sleep(0.3).await;
        lp.time() - start
    });
    signaller.join().unwrap();
    let slept = out.unwrap();
    println!("slept through the signals: {}", slept >= 0.3);
    lp.close().unwrap();
}

#[test]
fn signals_interrupting_the_wait_are_retried_not_errors() {
    let out = run_child("child_signals_during_the_wait");
    assert!(out.contains("slept through the signals: true"), "{out}");
}
