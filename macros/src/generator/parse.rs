//! What `async_gen!` was given: a block body, or `async fn` items.

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Block, Item, ItemFn, Stmt};

/// The macro's input.
pub(crate) enum Input {
    /// `async_gen! { stmts }`: an expression.
    Block(Vec<Stmt>),
    /// `async_gen! { async fn f(..) -> AsyncGen<Y> { .. } .. }`: items,
    /// with an error for each item that is not an `fn` or does not parse
    /// (a broken `fn` whose signature parses is kept with an empty body,
    /// so its callers still type-check).
    Fns(Vec<ItemFn>, Vec<syn::Error>),
}

/// Parses `tokens`. Input that starts like a function item is the fn form
/// (a block body of nothing but items would never yield), unless what
/// follows is not items: then it is a body that starts with a helper fn.
/// Anything else is a body.
pub(crate) fn parse(tokens: TokenStream, name: &str) -> syn::Result<Input> {
    let tokens = parenthesize_scrutinee_yields(tokens);
    if !starts_with_fn(&tokens) {
        return Block::parse_within.parse2(tokens).map(Input::Block);
    }
    if let Ok(Items(items)) = syn::parse2::<Items>(tokens.clone()) {
        let mut fns = Vec::new();
        let mut errors = Vec::new();
        for item in items {
            match item {
                Item::Fn(f) => fns.push(f),
                other => errors.push(not_a_fn(&other, name)),
            }
        }
        return Ok(Input::Fns(fns, errors));
    }
    let chunks = split_items(tokens.clone());
    if !chunks.iter().all(starts_like_item) {
        return Block::parse_within.parse2(tokens).map(Input::Block);
    }
    // The fn form with a syntax error: item by item, so that one broken
    // `fn` neither hides the others nor leaves its callers unresolved.
    let mut fns = Vec::new();
    let mut errors = Vec::new();
    for chunk in chunks {
        match syn::parse2::<Item>(chunk.clone()) {
            Ok(Item::Fn(f)) => fns.push(f),
            Ok(other) => errors.push(not_a_fn(&other, name)),
            Err(error) => {
                errors.push(error);
                fns.extend(stub(chunk));
            }
        }
    }
    Ok(Input::Fns(fns, errors))
}

fn not_a_fn(item: &Item, name: &str) -> syn::Error {
    syn::Error::new_spanned(
        item,
        format!(
            "the fn form of `{name}!` takes only `async fn` items; put other items outside the macro"
        ),
    )
}

/// Splits `tokens` after each top-level `{ .. }` (and a `;` right after
/// it) or `;`: one chunk per item, when they are items.
fn split_items(tokens: TokenStream) -> Vec<TokenStream> {
    let mut chunks = Vec::new();
    let mut chunk = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        let ends = match &tree {
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            TokenTree::Punct(p) => p.as_char() == ';',
            _ => false,
        };
        let brace = matches!(&tree, TokenTree::Group(_));
        chunk.push(tree);
        if ends {
            if brace && matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
                chunk.extend(iter.next());
            }
            chunks.push(chunk.drain(..).collect());
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk.into_iter().collect());
    }
    chunks
}

/// Whether `tokens` start like an item: attributes, a visibility,
/// qualifiers, then an item keyword (or `name!` for an item macro).
fn starts_like_item(tokens: &TokenStream) -> bool {
    const ITEMS: &[&str] = &[
        "fn", "struct", "enum", "union", "trait", "impl", "mod", "use", "static", "type",
    ];
    let mut iter = tokens.clone().into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                iter.next();
            }
            TokenTree::Ident(i) if i == "pub" => {
                if matches!(iter.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                {
                    iter.next();
                }
            }
            // Never an expression: `extern "C" fn`, `extern crate`, ...
            TokenTree::Ident(i) if i == "extern" => return true,
            // `const fn`, `const X: T`, but not a `const { .. }` block.
            TokenTree::Ident(i) if i == "const" => {
                return matches!(iter.peek(), Some(TokenTree::Ident(_)));
            }
            // `async fn`, `unsafe impl`, but not an `async`/`unsafe` block.
            TokenTree::Ident(i) if i == "async" || i == "unsafe" => {
                if !matches!(iter.peek(), Some(TokenTree::Ident(next)) if next != "move") {
                    return false;
                }
            }
            TokenTree::Ident(i) => {
                return ITEMS.iter().any(|kw| i == kw)
                    || matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!');
            }
            _ => return false,
        }
    }
    false
}

/// A broken `fn` with its body replaced, if that leaves it parsable: its
/// signature still declares the function for the rest of the crate.
fn stub(chunk: TokenStream) -> Option<ItemFn> {
    let mut trees: Vec<TokenTree> = chunk.into_iter().collect();
    let body = trees
        .iter()
        .rposition(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))?;
    let span = trees[body].span();
    let mut empty = Group::new(
        Delimiter::Brace,
        quote::quote_spanned!(span=> ::core::unreachable!()),
    );
    empty.set_span(span);
    trees[body] = TokenTree::Group(empty);
    let mut f: ItemFn = syn::parse2(trees.into_iter().collect()).ok()?;
    f.attrs.push(syn::parse_quote!(#[allow(unused_variables)]));
    Some(f)
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
                if matches!(iter.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                {
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
            TokenTree::Ident(ident)
                if ident == "yield" && in_head && heads_expression(&trees[..i]) =>
            {
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
            let mut new = Group::new(
                group.delimiter(),
                parenthesize_scrutinee_yields(group.stream()),
            );
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
        [.., prev, TokenTree::Punct(eq)]
            if eq.as_char() == '=' && eq.spacing() == Spacing::Alone =>
        {
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
