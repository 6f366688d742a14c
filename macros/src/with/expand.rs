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
        let call = quote_spanned!(at=> #krate::__private::with);
        inner = quote! {
            #call(#manager, async |#binding| #inner).await
        };
    }
    inner
}
