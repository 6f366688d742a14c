//! `async_context!`: parse → validate (while rewriting the `yield`) →
//! expand.
//!
//! Python's `@asynccontextmanager`. The body is an async generator that
//! yields once, built on `async_gen!`'s machinery (the same parser and
//! `yield` rewriting), with two differences: the `yield` evaluates to the
//! `&mut Outcome<R>` the exit sends in, kept in a slot the generator
//! returns; and the body must `yield` exactly once, which is checked where
//! it can be seen (no `yield` at all, two on one path).

mod expand;
mod validate;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{ItemFn, Stmt};

use crate::errors::combine;
use crate::generator::expand::Site;
use crate::generator::{parse, rewrite, split_crate};

/// Expands one `async_context!` (the facade passes `$crate;` first).
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let (krate, input) = split_crate(input);
    let at = input
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |token| token.span());
    let site = Site { krate: &krate, at };
    match parse::parse(input.clone(), "async_context") {
        Ok(parse::Input::Block(stmts)) => {
            let mut errors = validate::yields(&stmts, at);
            let (body, rewrite_errors) = rewrite_body(&krate, stmts);
            errors.extend(rewrite_errors);
            let expr = expand::context(&site, &body, &quote!(_), &quote!(_));
            with_errors(errors, expr)
        }
        Ok(parse::Input::Fns(fns, errors)) => {
            let mut out = crate::errors::to_compile_errors(errors);
            out.extend(fns.into_iter().map(|f| function(&krate, f)));
            out
        }
        Err(error) => {
            let mut rewriter = rewrite::Rewriter::for_context(&krate, expand::slot());
            let body = rewriter.rewrite_tokens(input);
            let body = rewriter.finish(body);
            let mut errors = vec![error];
            errors.extend(rewriter.errors);
            let expr = expand::context(&site, &body, &quote!(_), &quote!(_));
            with_errors(errors, expr)
        }
    }
}

fn with_errors(errors: Vec<syn::Error>, expr: TokenStream) -> TokenStream {
    match combine(errors) {
        None => expr,
        Some(error) => {
            let error = error.to_compile_error();
            quote!({ #error #expr })
        }
    }
}

/// One `async fn` of the fn form.
fn function(krate: &TokenStream, func: ItemFn) -> TokenStream {
    let mut errors = Vec::new();
    let signature = validate::signature(&func, &mut errors);
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let at = block.brace_token.span.join();
    errors.extend(validate::yields(&block.stmts, sig.ident.span()));
    let (body, body_errors) = rewrite_body(krate, block.stmts);
    errors.extend(body_errors);
    let mut out = crate::errors::to_compile_errors(errors);
    let site = Site { krate, at };
    out.extend(expand::function(&site, attrs, vis, sig, &signature, &body));
    out
}

/// Rewrites the `yield`s of `stmts`; returns the new body and the errors.
fn rewrite_body(krate: &TokenStream, mut stmts: Vec<Stmt>) -> (TokenStream, Vec<syn::Error>) {
    let mut rewriter = rewrite::Rewriter::for_context(krate, expand::slot());
    for stmt in &mut stmts {
        syn::visit_mut::VisitMut::visit_stmt_mut(&mut rewriter, stmt);
    }
    let body = rewriter.finish(quote!(#(#stmts)*));
    (body, rewriter.errors)
}
