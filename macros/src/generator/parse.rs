//! What `async_gen!` was given: a block body, or `async fn` items.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Block, Item, ItemFn, Stmt};

/// The macro's input.
pub(crate) enum Input {
    /// `async_gen! { stmts }`: an expression.
    Block(Vec<Stmt>),
    /// `async_gen! { async fn f(..) -> AsyncGen<Y> { .. } .. }`: items.
    Fns(Vec<ItemFn>),
}

/// Parses `tokens`. Input made only of `fn` items is the fn form (a block
/// body of nothing but items would never yield); anything else is a body.
pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Input> {
    if let Ok(Items(items)) = syn::parse2::<Items>(tokens.clone())
        && !items.is_empty()
        && items.iter().all(|item| matches!(item, Item::Fn(_)))
    {
        let fns = items
            .into_iter()
            .filter_map(|item| match item {
                Item::Fn(f) => Some(f),
                _ => None,
            })
            .collect();
        return Ok(Input::Fns(fns));
    }
    Block::parse_within.parse2(tokens).map(Input::Block)
}

/// A run of items up to the end of input.
struct Items(Vec<Item>);

impl Parse for Items {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(Items(items))
    }
}
