//! Checks that the annotated function can be an entry point: `async`, no
//! arguments, no generics, no `const`/`unsafe`/`extern`, no own `#[test]`.

use quote::ToTokens;
use syn::{Attribute, Error, Signature};

use super::Kind;
use super::item::EntryFn;

/// Pushes one error per problem with `func` onto `errors`, each spanned at
/// the offending tokens.
pub(crate) fn check(kind: Kind, func: &EntryFn, errors: &mut Vec<Error>) {
    check_signature(kind, &func.sig, errors);
    errors.extend(
        crate::generator::stray_yields(&func.stmts)
            .into_iter()
            .map(|span| {
                let msg = format!(
                    "`yield` outside a generator: a `{}` function cannot yield; put the `yield` \
             in an `asyncio::async_gen! {{ .. }}` body or in an `async fn` declared inside `async_gen!`",
                    kind.attr()
                );
                Error::new(span, msg)
            }),
    );
    if kind == Kind::Test {
        errors.extend(
            func.attrs
                .iter()
                .filter(|attr| is_test_attr(attr))
                .map(|attr| {
                    let msg = format!(
                        "`{}` already adds `#[test]`: remove this attribute",
                        Kind::Test.attr()
                    );
                    Error::new_spanned(attr, msg)
                }),
        );
    }
}

/// The signature checks, in source order.
fn check_signature(kind: Kind, sig: &Signature, errors: &mut Vec<Error>) {
    let m = kind.attr();
    let mut error = |tokens: &dyn ToTokens, msg: String| {
        errors.push(Error::new_spanned(tokens, msg));
    };
    if let Some(constness) = &sig.constness {
        error(
            constness,
            format!("`{m}` functions cannot be `const`: remove `const`"),
        );
    }
    if sig.asyncness.is_none() {
        error(
            &sig.fn_token,
            format!("`{m}` needs an `async fn`: add `async` before `fn`"),
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        let msg = format!(
            "`{m}` functions cannot be `unsafe`: remove `unsafe` and use an `unsafe {{}}` block inside"
        );
        error(unsafety, msg);
    }
    if let Some(abi) = &sig.abi {
        let abi_text = abi.to_token_stream().to_string();
        error(
            abi,
            format!("`{m}` functions cannot have an ABI: remove `{abi_text}`"),
        );
    }
    if !sig.generics.params.is_empty() {
        let msg = format!("`{m}` functions cannot be generic: remove the generic parameters");
        error(&sig.generics, msg);
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        let mut args = sig.inputs.to_token_stream();
        sig.variadic.to_tokens(&mut args);
        let hint = match kind {
            Kind::Main => " (read command-line arguments with `std::env::args()`)",
            Kind::Test => "",
        };
        error(
            &args,
            format!("`{m}` functions cannot take arguments: remove them{hint}"),
        );
    }
    if let Some(where_clause) = &sig.generics.where_clause {
        error(
            where_clause,
            format!("`{m}` functions cannot have a `where` clause: remove it"),
        );
    }
}

/// Whether `attr` is the built-in `#[test]` (`test`, `core::prelude::v1::test`,
/// `::std::prelude::rust_2024::test`, ...).
pub(crate) fn is_test_attr(attr: &Attribute) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.as_slice() {
        [only] => only == "test",
        [root, .., last] => (root == "core" || root == "std") && last == "test",
        [] => false,
    }
}
