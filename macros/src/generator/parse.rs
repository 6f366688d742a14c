//! What `async_gen!` was given: a block body, or `async fn` items.

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Block, Item, ItemFn, Stmt};

/// The macro's input.
pub(crate) enum Input {
    /// `async_gen! { stmts }`: an expression.
    Block(Vec<Stmt>),
    /// `async_gen! { async fn f(..) -> AsyncGen<Y> { .. } .. }`: items.
    Fns(Vec<ItemFn>),
}

/// Parses `tokens`. Input that starts like a function item is the fn form
/// (a block body of nothing but items would never yield); anything else is
/// a body.
pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Input> {
    let tokens = parenthesize_scrutinee_yields(tokens);
    if !starts_with_fn(&tokens) {
        return Block::parse_within.parse2(tokens).map(Input::Block);
    }
    let Items(items) = syn::parse2::<Items>(tokens)?;
    items
        .into_iter()
        .map(|item| match item {
            Item::Fn(f) => Ok(f),
            other => Err(syn::Error::new_spanned(
                other,
                "the fn form of `async_gen!` takes only `async fn` items; \
                 put other items outside the macro",
            )),
        })
        .collect::<syn::Result<_>>()
        .map(Input::Fns)
}

/// Whether `tokens` start like a function item: attributes, a visibility,
/// qualifiers, then `fn`.
fn starts_with_fn(tokens: &TokenStream) -> bool {
    let mut iter = tokens.clone().into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            // `#[attr]` (a doc comment arrives in this shape too).
            TokenTree::Punct(p) if p.as_char() == '#' => {
                iter.next();
            }
            TokenTree::Ident(i) if i == "pub" => {
                if matches!(iter.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis) {
                    iter.next();
                }
            }
            TokenTree::Ident(i) if i == "async" || i == "const" || i == "unsafe" => {}
            TokenTree::Ident(i) => return i == "fn",
            _ => return false,
        }
    }
    false
}

/// Wraps a `yield` that heads a `match`, `if` or `while` scrutinee in
/// an invisible group: syn would read `match yield x { .. }` as yielding a struct
/// literal `x { .. }`, where rustc's grammar (no struct literal in a
/// scrutinee) reads a `match` on `yield x`.
fn parenthesize_scrutinee_yields(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut in_head = false;
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Ident(ident) if ident == "match" || ident == "if" || ident == "while" => {
                in_head = true;
            }
            TokenTree::Ident(ident) if ident == "yield" && in_head && heads_expression(&trees[..i]) => {
                let end = (i..trees.len())
                    .find(|&j| matches!(&trees[j], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
                    .unwrap_or(trees.len());
                let inner: TokenStream = trees[i..end].iter().cloned().map(recurse).collect();
                // Invisible parentheses: syn parses them as one expression,
                // and rustc's `unused_parens` lint has nothing to say.
                let mut group = Group::new(Delimiter::None, inner);
                group.set_span(ident.span());
                out.push(TokenTree::Group(group));
                i = end;
                continue;
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => in_head = false,
            TokenTree::Punct(p) if p.as_char() == ';' => in_head = false,
            _ => {}
        }
        out.push(recurse(trees[i].clone()));
        i += 1;
    }
    out.into_iter().collect()
}

/// Applies the rewrite inside a group.
fn recurse(tree: TokenTree) -> TokenTree {
    match tree {
        TokenTree::Group(group) => {
            let mut new = Group::new(group.delimiter(), parenthesize_scrutinee_yields(group.stream()));
            new.set_span(group.span());
            TokenTree::Group(new)
        }
        other => other,
    }
}

/// Whether the tokens before a `yield` end where an expression starts in a
/// head: right after `match`/`if`/`while`, or after the `=` of a `let`.
fn heads_expression(before: &[TokenTree]) -> bool {
    match before {
        [.., TokenTree::Ident(kw)] => kw == "match" || kw == "if" || kw == "while",
        [.., prev, TokenTree::Punct(eq)] if eq.as_char() == '=' && eq.spacing() == Spacing::Alone => {
            !matches!(prev, TokenTree::Punct(p) if p.spacing() == Spacing::Joint)
        }
        _ => false,
    }
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
