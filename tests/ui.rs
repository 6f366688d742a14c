//! Compile-fail and compile-pass cases for `#[asyncio::main]` and
//! `#[asyncio::test]`, one file per case under `ui-tests/`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui-tests/*.rs");
    t.pass("ui-tests/pass/*.rs");
}
