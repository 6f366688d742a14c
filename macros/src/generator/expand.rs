//! Code generation for both forms.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Signature, Visibility};

use super::rewrite::handle;
use super::validate;

/// Where an expansion goes: the path of the `asyncio` crate, and the
/// user's body, where the generated `async` block is located.
pub(crate) struct Site<'a> {
    pub(crate) krate: &'a TokenStream,
    pub(crate) at: Span,
}

/// The generator expression around a rewritten `body`:
///
/// ```text
/// {
///     let body = generator_body::<Y, S, _, _>(move |__asyncio_co| async move { body });
///     unsafe { AsyncGen::__from_raw(body) }
/// }
/// ```
///
/// The user's code sits in the closure, outside the `unsafe` block, so it
/// gets no `unsafe` powers. The handle is only awaited in place by the
/// rewritten `yield`s (the contract of `__from_raw`), and its name is
/// hygienic, so the body's own code cannot reach it.
///
/// The `async` block is located at the user's body, so rustc names its
/// type after the user's code (`{async block@src/main.rs:4:5}`).
pub(crate) fn generator(
    site: &Site<'_>,
    body: &TokenStream,
    yield_ty: &TokenStream,
    send_ty: &TokenStream,
) -> TokenStream {
    let co = handle();
    let make = syn::Ident::new("__asyncio_body", Span::mixed_site());
    let krate = site.krate;
    let at = Span::call_site().located_at(site.at);
    let block = quote_spanned!(at=> async move { #body });
    quote! {
        {
            let #make = #krate::__private::generator_body::<#yield_ty, #send_ty, _, _>(
                move |#co| #block
            );
            #[allow(unused_unsafe)]
            unsafe { #krate::__private::AsyncGen::__from_raw(#make) }
        }
    }
}

/// The fn form: a plain `fn` returning the generator.
pub(crate) fn function(
    site: &Site<'_>,
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
        None => {
            let krate = site.krate;
            quote_spanned!(span=> #krate::AsyncGen)
        }
    };
    if !valid {
        // The return type was reported: it does not say what the body
        // yields. Let the body's yields agree among themselves (`_`), not
        // with a made-up type, and return a plain generator type.
        sig.output = syn::parse_quote_spanned!(span=> -> #path<()>);
        let yield_ty = if yields { quote!(_) } else { quote!(()) };
        let expr = generator(site, body, &yield_ty, &quote!(#send_ty));
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
    let expr = generator(site, body, &quote!(#yield_ty), &quote!(#send_ty));
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
