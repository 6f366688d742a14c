//! `async_with!`: parse (checking each slip as it goes) → expand.
//!
//! `async_with!(a as x, b as y => body)` is Python's `async with a as x,
//! b as y: body`: each manager entered in order, the body an async closure
//! (so `?` and `return` leave the body with its value), the managers
//! exited in reverse order. The whole is awaited: the macro is the
//! statement, and its value is the body's.

mod expand;
mod parse;

use proc_macro2::TokenStream;

use crate::generator::split_crate;

/// Expands one `async_with!` (the facade passes `$crate;` first).
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let (krate, input) = split_crate(input);
    expand_in(&krate, input)
}

/// Expands `async_with!`'s `input` naming the runtime by `krate`. Also
/// used by the generator macros, which expand an `async_with!` whose body
/// yields themselves (see `generator::rewrite`).
pub(crate) fn expand_in(krate: &TokenStream, input: TokenStream) -> TokenStream {
    match parse::parse(input) {
        Ok(with) => expand::with(krate, with),
        Err(error) => error.to_compile_error(),
    }
}
