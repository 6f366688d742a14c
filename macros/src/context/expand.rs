//! Code generation for both forms of `async_context!`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, GenericParam, Signature, Visibility};

use super::validate;
use crate::generator::expand::Site;
use crate::generator::rewrite::handle;

/// The hygienic name of the slot the `yield` keeps the outcome in.
pub(crate) fn slot() -> syn::Ident {
    syn::Ident::new("__asyncio_exit", Span::mixed_site())
}

/// The manager around a rewritten `body`, for values `V` and bodies `R`:
///
/// ```text
/// {
///     let body = generator_body::<V, Option<Outcome<R>>, _, _>(move |co| async move {
///         let mut slot = None;
///         async { body }.await;
///         slot
///     });
///     AsyncContext::__from_gen(unsafe { AsyncGen::__from_raw(body) })
/// }
/// ```
///
/// The user's code runs in an inner `async` block so that its `return`
/// ends the teardown (as a generator's does) rather than skip the slot.
pub(crate) fn context(
    site: &Site<'_>,
    body: &TokenStream,
    value_ty: &TokenStream,
    body_ty: &TokenStream,
) -> TokenStream {
    let co = handle();
    let slot = slot();
    let make = syn::Ident::new("__asyncio_body", Span::mixed_site());
    let krate = site.krate;
    let at = Span::call_site().located_at(site.at);
    let user = quote_spanned!(at=> async { #body });
    quote! {
        {
            let #make = #krate::__private::generator_body::<
                #value_ty,
                ::core::option::Option<#krate::Outcome<#body_ty>>,
                _,
                _,
            >(move |#co| async move {
                let mut #slot = ::core::option::Option::None;
                #user.await;
                #slot
            });
            #krate::AsyncContext::__from_gen(
                #[allow(unused_unsafe)]
                unsafe { #krate::__private::AsyncGen::__from_raw(#make) }
            )
        }
    }
}

/// The fn form: a plain `fn` returning the manager. Without a declared
/// body type the fn gains a generic parameter for it: the manager then
/// guards bodies of any output.
pub(crate) fn function(
    site: &Site<'_>,
    attrs: Vec<Attribute>,
    vis: Visibility,
    mut sig: Signature,
    types: &validate::Signature,
    body: &TokenStream,
) -> TokenStream {
    let krate = site.krate;
    let span = types
        .declared
        .as_ref()
        .map_or_else(|| sig.ident.span(), |t| t.span());
    sig.asyncness = None;
    sig.constness = None;
    let path = match &types.path {
        Some(path) => quote!(#path),
        None => quote_spanned!(span=> #krate::AsyncContext),
    };
    if !types.valid {
        // The return type was reported: keep the fn callable and the body
        // type-checked (its value agrees with itself, `_`) without adding
        // errors that only repeat it.
        sig.output = syn::parse_quote_spanned!(span=>
            -> #path<
                (),
                (),
                ::core::future::Pending<::core::option::Option<#krate::Outcome<()>>>,
            >
        );
        let expr = context(site, body, &quote!(_), &quote!(()));
        return quote_spanned! {sig.fn_token.span=>
            #(#attrs)*
            #vis #sig {
                let _ = #expr;
                ::core::unreachable!()
            }
        };
    }
    let value_ty = &types.value_ty;
    let body_ty = match &types.body_ty {
        Some(ty) => quote!(#ty),
        None => {
            let param = syn::Ident::new("__AsyncioBody", Span::mixed_site());
            sig.generics
                .params
                .push(GenericParam::Type(syn::parse_quote!(#param)));
            quote!(#param)
        }
    };
    sig.output = syn::parse_quote_spanned!(span=>
        -> #path<
            #value_ty,
            #body_ty,
            impl ::core::future::Future<Output = ::core::option::Option<#krate::Outcome<#body_ty>>>,
        >
    );
    let expr = context(site, body, &quote!(#value_ty), &body_ty);
    quote_spanned! {sig.fn_token.span=>
        #(#attrs)*
        #[allow(clippy::type_complexity)]
        #vis #sig {
            #expr
        }
    }
}
