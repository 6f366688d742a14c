//! Compile-fail and compile-pass cases for `#[asyncio::main]`,
//! `#[asyncio::test]`, `async_gen!` (the `gen_*` files), `async_context!`
//! (`ctx_*`) and `async_with!` (`with_*`), one file per
//! case under `ui-tests/` (pass cases, which also run, under `pass/`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui-tests/*.rs");
    t.pass("ui-tests/pass/*.rs");
}
