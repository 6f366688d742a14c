//! What `async_with!` was given: managers (each with an optional `as`
//! binding), `=>`, and the body. Each slip is an error at the user's token
//! that shows the right form.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Pat};

/// The form every message shows.
const FORM: &str = "`async_with!(manager as value => { body })`";

/// One `manager as pattern`.
pub(crate) struct Item {
    pub(crate) manager: Expr,
    /// `None`: no `as`; the value is still held for the whole body (a
    /// lock's guard, say), under a hidden name.
    pub(crate) binding: Option<Pat>,
}

/// The parsed macro input.
pub(crate) struct With {
    pub(crate) items: Vec<Item>,
    pub(crate) body: Expr,
}

/// Parses the macro's tokens.
pub(crate) fn parse(input: TokenStream) -> syn::Result<With> {
    let trees: Vec<TokenTree> = input.into_iter().collect();
    if trees.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!("`async_with!` needs a manager and a body: write {FORM}"),
        ));
    }
    let Some(arrow) = find_arrow(&trees) else {
        let last = trees.last().map_or_else(Span::call_site, TokenTree::span);
        let message = match trees.last() {
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                format!("missing `=>` before the body: write {FORM}")
            }
            _ => format!("missing the body: `async_with!` ends with `=> {{ body }}`, as in {FORM}"),
        };
        return Err(syn::Error::new(last, message));
    };
    let head = &trees[..arrow];
    let body_tokens: TokenStream = trees[arrow + 2..].iter().cloned().collect();
    if body_tokens.is_empty() {
        return Err(syn::Error::new(
            trees[arrow + 1].span(),
            format!("missing the body after `=>`: write {FORM}"),
        ));
    }
    let body: Expr = syn::parse2(body_tokens)?;
    let items = split_items(head)
        .into_iter()
        .map(|(tokens, comma)| item(tokens, comma, trees[arrow].span()))
        .collect::<syn::Result<Vec<_>>>()?;
    Ok(With { items, body })
}

/// The index of the top-level `=>`.
fn find_arrow(trees: &[TokenTree]) -> Option<usize> {
    trees.windows(2).position(|pair| {
        matches!(pair, [TokenTree::Punct(eq), TokenTree::Punct(gt)]
            if eq.as_char() == '=' && gt.as_char() == '>' && eq.spacing() == proc_macro2::Spacing::Joint)
    })
}

/// Splits the managers at top-level commas (not those of a turbofish's
/// `::<A, B>`); each with the span of the comma after it, if any.
fn split_items(head: &[TokenTree]) -> Vec<(Vec<TokenTree>, Option<Span>)> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    let mut angle = 0usize;
    for (i, tree) in head.iter().enumerate() {
        if let TokenTree::Punct(p) = tree {
            match p.as_char() {
                '<' if angle > 0 || is_path_sep(&head[..i]) => angle += 1,
                '>' if angle > 0 => angle -= 1,
                ',' if angle == 0 => {
                    items.push((std::mem::take(&mut current), Some(p.span())));
                    continue;
                }
                _ => {}
            }
        }
        current.push(tree.clone());
    }
    if !current.is_empty() || items.is_empty() {
        items.push((current, None));
    }
    items
}

/// Whether `before` ends with `::`.
fn is_path_sep(before: &[TokenTree]) -> bool {
    matches!(before, [.., TokenTree::Punct(a), TokenTree::Punct(b)] if a.as_char() == ':' && b.as_char() == ':')
}

/// One manager, `expr` or `expr as pattern`.
fn item(tokens: Vec<TokenTree>, comma: Option<Span>, arrow: Span) -> syn::Result<Item> {
    if tokens.is_empty() {
        return Err(syn::Error::new(
            comma.unwrap_or(arrow),
            format!(
                "a manager is missing here: write {FORM}, or `async_with!(a as x, b as y => {{ .. }})` for several"
            ),
        ));
    }
    let as_at = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(id) if id == "as"));
    let Some(as_at) = as_at else {
        let all: TokenStream = tokens.iter().cloned().collect();
        return match syn::parse2::<Expr>(all) {
            Ok(manager) => Ok(Item {
                manager,
                binding: None,
            }),
            Err(error) => Err(missing_as(&tokens).unwrap_or(error)),
        };
    };
    let manager_tokens: TokenStream = tokens[..as_at].iter().cloned().collect();
    if manager_tokens.is_empty() {
        return Err(syn::Error::new(
            tokens[as_at].span(),
            format!("the manager is missing before `as`: write {FORM}"),
        ));
    }
    let manager: Expr = syn::parse2(manager_tokens)?;
    let pattern_tokens: TokenStream = tokens[as_at + 1..].iter().cloned().collect();
    if pattern_tokens.is_empty() {
        return Err(syn::Error::new(
            tokens[as_at].span(),
            format!("a name is missing after `as`: write {FORM}"),
        ));
    }
    let binding = Pat::parse_single.parse2(pattern_tokens).map_err(|error| {
        syn::Error::new(
            error.span(),
            format!("expected a name (or a pattern) after `as`: write {FORM}"),
        )
    })?;
    Ok(Item {
        manager,
        binding: Some(binding),
    })
}

/// `manager value` (a name where `as value` belongs): the error at the
/// name, if that is the slip.
fn missing_as(tokens: &[TokenTree]) -> Option<syn::Error> {
    let (_, rest) =
        (|input: ParseStream| Ok((input.parse::<Expr>()?, input.parse::<TokenStream>()?)))
            .parse2(tokens.iter().cloned().collect())
            .ok()?;
    let first = rest.into_iter().next()?;
    match &first {
        TokenTree::Ident(name) => Some(syn::Error::new(
            first.span(),
            format!(
                "expected `as` before `{name}`: write `async_with!(manager as {name} => {{ body }})`"
            ),
        )),
        _ => None,
    }
}
