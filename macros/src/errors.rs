//! Error collection shared by the macros: every problem is reported at
//! once, each at its own span.

use proc_macro2::TokenStream;

/// Folds `errors` into one [`syn::Error`] that reports them all, if any.
pub(crate) fn combine(errors: Vec<syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(|mut all, err| {
        all.combine(err);
        all
    })
}

/// `compile_error!` invocations for all `errors`.
pub(crate) fn to_compile_errors(errors: Vec<syn::Error>) -> TokenStream {
    combine(errors).map_or_else(TokenStream::new, |err| err.to_compile_error())
}
