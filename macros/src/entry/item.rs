//! The annotated function, parsed loosely: signature by syn, body kept as
//! tokens.
//!
//! The body is not parsed as statements: its tokens (and their spans) go into
//! the expansion untouched, so syntax syn does not know yet still works and
//! rust-analyzer sees the user's code as written.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility, braced, token};

/// A function item: `#[attrs] vis sig { #![inner] body }`.
pub(crate) struct EntryFn {
    /// Outer attributes, in order (doc comments included).
    pub(crate) attrs: Vec<Attribute>,
    /// The visibility, possibly inherited (empty).
    pub(crate) vis: Visibility,
    /// The signature, as written (still `async`).
    pub(crate) sig: Signature,
    /// The body's braces, whose span is the user's.
    pub(crate) brace: token::Brace,
    /// Inner attributes at the top of the body (`#![...]`).
    pub(crate) inner_attrs: Vec<Attribute>,
    /// The body's statements, as raw tokens.
    pub(crate) stmts: TokenStream,
}

impl Parse for EntryFn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        let brace = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let stmts = content.parse()?;
        Ok(EntryFn {
            attrs,
            vis,
            sig,
            brace,
            inner_attrs,
            stmts,
        })
    }
}
