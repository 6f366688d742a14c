//! The renamed crate's `#[aio::main]` binary builds, runs and prints.

#[test]
fn main_under_a_renamed_dependency_runs() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_asyncio-test-renamed"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "answer 42, evens [0, 2, 4]\n"
    );
}
