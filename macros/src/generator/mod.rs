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

pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod rewrite;
pub(crate) mod validate;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::quote;
use syn::{ItemFn, Stmt};

pub(crate) use rewrite::stray_yields;

use crate::errors::combine;
use expand::Site;

/// Expands one `async_gen!`. The facade's `async_gen!` passes the
/// `asyncio` crate's path first (`$crate;`), so the expansion names the
/// runtime however the user named the dependency.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let (krate, input) = split_crate(input);
    // Where the user's body starts: the generated block is located there.
    let at = input
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |token| token.span());
    match parse::parse(input.clone(), "async_gen") {
        Ok(parse::Input::Block(stmts)) => {
            let (body, errors, _) = rewrite_body(&krate, stmts);
            let expr =
                expand::generator(&Site { krate: &krate, at }, &body, &quote!(_), &quote!(()));
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
            out.extend(fns.into_iter().map(|f| function(&krate, f)));
            out
        }
        // Unparsable body: say so, and keep the type for the IDE. The body
        // still follows, its `yield`s rewritten token by token, so rustc's
        // own recovery sees no bare `yield` (an unstable feature error).
        Err(error) => {
            let mut rewriter = rewrite::Rewriter::new(&krate);
            let body = rewriter.rewrite_tokens(input);
            let body = rewriter.finish(body);
            let error = combine(std::iter::once(error).chain(rewriter.errors).collect())
                .map(|error| error.to_compile_error());
            let expr =
                expand::generator(&Site { krate: &krate, at }, &body, &quote!(_), &quote!(()));
            quote!({ #error #expr })
        }
    }
}

/// Splits the crate path the facade's `macro_rules!` shim puts first
/// (`$crate ;`) off the user's tokens; `::asyncio` when it is absent (the
/// proc macro called directly).
pub(crate) fn split_crate(input: TokenStream) -> (TokenStream, TokenStream) {
    let mut tokens = input.clone().into_iter();
    if let (Some(TokenTree::Ident(krate)), Some(TokenTree::Punct(semi))) =
        (tokens.next(), tokens.next())
        && krate == "$crate"
        && semi.as_char() == ';'
    {
        return (TokenTree::Ident(krate).into(), tokens.collect());
    }
    (quote!(::asyncio), input)
}

/// One `async fn` of the fn form.
fn function(krate: &TokenStream, func: ItemFn) -> TokenStream {
    let mut errors = Vec::new();
    let signature = validate::check(&func, &mut errors);
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let at = block.brace_token.span.join();
    let (body, body_errors, yields) = rewrite_body(krate, block.stmts);
    errors.extend(body_errors);
    let mut out = crate::errors::to_compile_errors(errors);
    let site = Site { krate, at };
    out.extend(expand::function(
        &site, attrs, vis, sig, &signature, &body, yields,
    ));
    out
}

/// Rewrites the `yield`s of `stmts`; returns the new body, the errors and
/// whether there was any `yield`.
fn rewrite_body(krate: &TokenStream, mut stmts: Vec<Stmt>) -> (TokenStream, Vec<syn::Error>, bool) {
    let mut rewriter = rewrite::Rewriter::new(krate);
    for stmt in &mut stmts {
        syn::visit_mut::VisitMut::visit_stmt_mut(&mut rewriter, stmt);
    }
    let body = rewriter.finish(quote!(#(#stmts)*));
    (body, rewriter.errors, rewriter.yields > 0)
}
