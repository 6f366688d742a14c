//! Code generation for both forms.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Signature, Visibility};

use super::rewrite::handle;
use super::validate;

/// The generator expression around a rewritten `body`:
///
/// ```text
/// {
///     let body = move |__asyncio_co: RawCo<Y, S>| async move { body };
///     unsafe { AsyncGen::__from_raw(body) }
/// }
/// ```
///
/// The user's code sits in the closure, outside the `unsafe` block, so it
/// gets no `unsafe` powers. The handle is only awaited in place by the
/// rewritten `yield`s (the contract of `__from_raw`), and its name is
/// hygienic, so the body's own code cannot reach it.
pub(crate) fn generator(
    body: &TokenStream,
    yield_ty: &TokenStream,
    send_ty: &TokenStream,
) -> TokenStream {
    let co = handle();
    let make = syn::Ident::new("__asyncio_body", proc_macro2::Span::mixed_site());
    quote! {
        {
            let #make = move |#co: ::asyncio::__private::RawCo<#yield_ty, #send_ty>| async move { #body };
            #[allow(unused_unsafe)]
            unsafe { ::asyncio::__private::AsyncGen::__from_raw(#make) }
        }
    }
}

/// The fn form: a plain `fn` returning the generator.
pub(crate) fn function(
    attrs: Vec<Attribute>,
    vis: Visibility,
    mut sig: Signature,
    types: &validate::Signature,
    body: &TokenStream,
    yields: bool,
) -> TokenStream {
    let validate::Signature {
        yield_ty,
        return_ty,
        send_ty,
        declared,
        path,
        valid,
    } = types;
    let span = declared
        .as_ref()
        .map_or_else(|| sig.ident.span(), |t| t.span());
    sig.asyncness = None;
    // A `const` one was reported; the generator cannot be built in a const.
    sig.constness = None;
    // The user's own path to `AsyncGen` (so their import is used).
    let path = match path {
        Some(path) => quote!(#path),
        None => quote_spanned!(span=> ::asyncio::AsyncGen),
    };
    if !valid {
        // The return type was reported: it does not say what the body
        // yields. Let the body's yields agree among themselves (`_`), not
        // with a made-up type, and return a plain generator type.
        sig.output = syn::parse_quote_spanned!(span=> -> #path<()>);
        let yield_ty = if yields { quote!(_) } else { quote!(()) };
        let expr = generator(body, &yield_ty, &quote!(#send_ty));
        return quote_spanned! {sig.fn_token.span=>
            #(#attrs)*
            #vis #sig {
                let _ = #expr;
                ::core::unreachable!()
            }
        };
    }
    // The declared types, and the body's type as the fourth argument.
    sig.output = syn::parse_quote_spanned!(span=>
        -> #path<#yield_ty, #return_ty, #send_ty, impl ::core::future::Future<Output = #return_ty>>
    );
    let expr = generator(body, &quote!(#yield_ty), &quote!(#send_ty));
    // The user wrote `AsyncGen<Y, R, S>`; the fourth argument (repeating
    // `R`) is ours, so clippy's complexity count is not the user's concern.
    quote_spanned! {sig.fn_token.span=>
        #(#attrs)*
        #[allow(clippy::type_complexity)]
        #vis #sig {
            #expr
        }
    }
}
