//! Code generation: the runner call on success, a quiet stand-in on error.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ReturnType, Token, Type};

use super::Kind;
use super::item::EntryFn;
use super::options::Options;
use super::validate::is_test_attr;

/// The expansion of a valid `func`:
///
/// ```text
/// #[::core::prelude::v1::test] // `Kind::Test` only
/// #attrs #vis fn name() -> R {
///     ::asyncio::__private::Runner::new().debug(..).virtual_time(..)
///         .run(async move { body })
/// }
/// ```
///
/// with `crate = "path"`'s path in place of `::asyncio`.
pub(crate) fn expand(kind: Kind, options: &Options, func: EntryFn) -> TokenStream {
    let EntryFn {
        attrs,
        vis,
        mut sig,
        brace,
        inner_attrs,
        stmts,
    } = func;
    sig.asyncness = None;
    let test_attr = (kind == Kind::Test).then(|| quote!(#[::core::prelude::v1::test]));
    let debug = options
        .debug
        .as_ref()
        .map(|(name, value)| quote_spanned!(name.span()=> .debug(#value)));
    let virtual_time = options
        .virtual_time
        .as_ref()
        .map(|(name, value)| quote_spanned!(name.span()=> .virtual_time(#value)));
    let krate = match &options.krate {
        Some(path) => quote!(#path),
        None => quote!(::asyncio),
    };
    let pin = pin_output(&sig.output);
    let mut body = TokenStream::new();
    brace.surround(&mut body, |body| {
        body.extend(quote!(#(#inner_attrs)* #pin #stmts));
    });
    quote! {
        #test_attr
        #(#attrs)*
        #vis #sig {
            #krate::__private::Runner::new() #debug #virtual_time .run(async move #body)
        }
    }
}

/// A statement fixing the `async` block's output type to the function's
/// return type before the body is checked, so `return Err(Box::new(e))` and
/// `?` coerce and convert as they would in a plain `fn` (the same trick as
/// async-trait). Omitted when the return type is `!` (unstable as a type
/// argument) or contains `impl Trait`, which cannot be named there.
fn pin_output(output: &ReturnType) -> Option<TokenStream> {
    let (ret, span) = match output {
        ReturnType::Default => (quote!(()), Span::call_site()),
        ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)) || mentions_impl(ty) => {
            return None;
        }
        ReturnType::Type(_, ty) => (ty.to_token_stream(), ty.span()),
    };
    // Spanned at the return type: rustc's "return type inferred to be `R`
    // here" note then points at the user's `-> R`.
    let ret_stmt = quote_spanned!(span=> return __asyncio_ret;);
    Some(quote! {
        if let ::core::option::Option::Some(__asyncio_ret) = ::core::option::Option::None::<#ret> {
            #[allow(unreachable_code)]
            #ret_stmt
        }
    })
}

/// Whether the type `ty` contains the `impl` keyword anywhere.
fn mentions_impl(ty: &Type) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tt| match tt {
            TokenTree::Ident(ident) => ident == "impl",
            TokenTree::Group(group) => walk(group.stream()),
            _ => false,
        })
    }
    walk(ty.to_token_stream())
}

/// What to emit next to the errors for an invalid `func`: a plain `fn name()`
/// that holds the user's function, as an unused inner `async fn` without any
/// `#[test]`.
///
/// The outer function stands in for the expansion (a crate still has its
/// `main`, so rustc adds no "`main` function not found" error), and takes no
/// arguments and returns `()`, so it is valid whatever the user wrote. The
/// inner copy keeps the body type-checked and visible to rust-analyzer
/// without rustc's own complaints about an `async`, generic or argument-
/// taking `main`.
pub(crate) fn fallback(kind: Kind, func: EntryFn) -> TokenStream {
    let EntryFn {
        attrs,
        vis,
        mut sig,
        brace,
        inner_attrs,
        stmts,
    } = func;
    // Always `async`, so a body that awaits but lacks the keyword adds no
    // "`await` is only allowed inside `async` functions" error; `const` and
    // `extern` go, as rustc rejects them next to `async`.
    sig.asyncness = Some(Token![async](sig.fn_token.span));
    (sig.constness, sig.abi) = (None, None);
    let name = &sig.ident;
    let attrs = attrs.iter().filter(|attr| !is_test_attr(attr));
    let mut body = TokenStream::new();
    brace.surround(&mut body, |body| {
        body.extend(quote!(#(#inner_attrs)* #stmts));
    });
    let dead_code = (kind == Kind::Test).then(|| quote!(#[allow(dead_code)]));
    quote! {
        #dead_code
        #vis fn #name() {
            #[allow(dead_code)]
            #(#attrs)*
            #sig #body
        }
    }
}
