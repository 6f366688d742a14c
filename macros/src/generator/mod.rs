//! `async_gen!`: parse → validate (while rewriting the `yield`s) → expand.
//!
//! Two forms, one expansion: a block body (an expression) and `async fn`
//! items returning `AsyncGen<..>`. Either way the body becomes an `async
//! move` block in a closure taking the hidden handle, given to
//! `AsyncGen::__from_raw`. On error the expansion is still produced (the
//! offending `yield`s replaced by placeholders) next to the errors, so the
//! generator's type stays known to the rest of the crate and to the IDE.
//!
//! There is no attribute form (`#[async_gen] async fn`): rustc
//! feature-gates `yield` while parsing, so a bare `yield` in the body of
//! an item an attribute is applied to is an error on stable Rust before
//! any attribute can rewrite it. Tokens inside a `macro!{..}` are not
//! parsed that way, hence the fn form lives inside `async_gen!`.

mod expand;
mod parse;
mod rewrite;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ItemFn, Stmt};

pub(crate) use rewrite::stray_yields;

use crate::errors::combine;

/// Expands one `async_gen!`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match parse::parse(input.clone()) {
        Ok(parse::Input::Block(stmts)) => {
            let (body, errors, _) = rewrite_body(stmts);
            let expr = expand::generator(&body, &quote!(_), &quote!(()));
            match combine(errors) {
                None => expr,
                Some(error) => {
                    let error = error.to_compile_error();
                    quote!({ #error #expr })
                }
            }
        }
        Ok(parse::Input::Fns(fns, errors)) => {
            let mut out = crate::errors::to_compile_errors(errors);
            out.extend(fns.into_iter().map(function));
            out
        }
        // Unparsable body: say so, and keep the type for the IDE. The body
        // still follows, its `yield`s rewritten token by token, so rustc's
        // own recovery sees no bare `yield` (an unstable feature error).
        Err(error) => {
            let mut rewriter = rewrite::Rewriter::new();
            let body = rewriter.rewrite_tokens(input);
            let body = rewriter.finish(body);
            let error = combine(std::iter::once(error).chain(rewriter.errors).collect())
                .map(|error| error.to_compile_error());
            let expr = expand::generator(&body, &quote!(_), &quote!(()));
            quote!({ #error #expr })
        }
    }
}

/// One `async fn` of the fn form.
fn function(func: ItemFn) -> TokenStream {
    let mut errors = Vec::new();
    let signature = validate::check(&func, &mut errors);
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let (body, body_errors, yields) = rewrite_body(block.stmts);
    errors.extend(body_errors);
    let mut out = crate::errors::to_compile_errors(errors);
    out.extend(expand::function(attrs, vis, sig, &signature, &body, yields));
    out
}

/// Rewrites the `yield`s of `stmts`; returns the new body, the errors and
/// whether there was any `yield`.
fn rewrite_body(mut stmts: Vec<Stmt>) -> (TokenStream, Vec<syn::Error>, bool) {
    let mut rewriter = rewrite::Rewriter::new();
    for stmt in &mut stmts {
        syn::visit_mut::VisitMut::visit_stmt_mut(&mut rewriter, stmt);
    }
    let body = rewriter.finish(quote!(#(#stmts)*));
    (body, rewriter.errors, rewriter.yields > 0)
}
