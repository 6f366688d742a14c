//! Code generation: nested `with` calls, the body an async closure.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::With;

/// `async_with!(a as x, b as y => body)` becomes
///
/// ```text
/// with(a, async |x| with(b, async |y| body).await).await
/// ```
///
/// An item without `as` (or `as _`) binds a hidden name, so the value (a
/// lock's guard) lives until the body ends rather than being dropped at
/// once as `let _ = ..` would.
pub(crate) fn with(krate: &TokenStream, with: With) -> TokenStream {
    let With { items, body } = with;
    let mut inner = quote!(#body);
    // The closure is located at the body, so an error about the body's
    // type points there, not at the whole macro.
    let body_at = inner
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    for item in items.into_iter().rev() {
        let manager = item.manager;
        let at = manager.span();
        let binding = match item.binding {
            Some(syn::Pat::Wild(_)) | None => {
                let hidden = syn::Ident::new("__asyncio_value", Span::mixed_site());
                quote!(#hidden)
            }
            Some(pat) => quote!(#pat),
        };
        // Located at the manager: a value that is not one is then one
        // error there, not a second one at the whole macro for the await.
        let closure = quote_spanned!(body_at=> async |#binding| #inner);
        // The call starts with a name located at the manager (not with
        // `$crate`, whose span is the macro's): an error about the
        // manager's type is then reported at the manager only.
        let with = syn::Ident::new("__asyncio_with", Span::mixed_site().located_at(at));
        inner = quote_spanned! {at=>
            {
                use #krate::__private::with as #with;
                #with(#manager, #closure).await
            }
        };
    }
    inner
}
