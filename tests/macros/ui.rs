//! Compile-fail and compile-pass cases for `#[asyncio::main]`,
//! `#[asyncio::test]` and `async_gen!` (the `gen_*` files), one file per
//! case under `ui-tests/` (pass cases, which also run, under `pass/`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui-tests/*.rs");
    t.pass("ui-tests/pass/*.rs");
}
