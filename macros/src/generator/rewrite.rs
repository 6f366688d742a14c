//! Finds the body's `yield`s, turns each into an await on the generator's
//! handle, and reports every `yield` that cannot belong to the generator.
//!
//! `yield v` becomes `__asyncio_co.__yield(v).await`. The handle's name is
//! hygienic (mixed-site), so user code cannot reach it; the method name
//! carries the `yield` keyword's span, so a type error at a `yield` points
//! there. A `yield` inside a closure, a nested `async` block or a nested
//! item is an error at that `yield`: it would not suspend the generator.
//! Macro arguments are searched too (`println!`, `select!`, `join!`...);
//! a nested `async_gen!` keeps its own `yield`s.
//!
//! A macro may put its arguments anywhere, a closure or an `async move`
//! block included, where the handle could escape the generator (to another
//! thread, or past its end). So a `yield` found in a macro's arguments
//! also breaks, in dead code, to a label on the body: labels do not reach
//! through closures, `async` blocks or items, so rustc rejects the one a
//! macro has wrapped in one (E0767, naming the label below), and the handle
//! can only be awaited by the body itself.

use proc_macro2::{Delimiter, Group, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprYield, Item, Macro, Stmt, Token};

/// The hygienic name of the handle in generated code.
pub(crate) fn handle() -> syn::Ident {
    syn::Ident::new("__asyncio_co", Span::mixed_site())
}

/// The body's label, which a `yield` in a macro breaks to (see the module
/// docs). Its name is what rustc shows when a macro wraps the `yield` in
/// a closure or an `async` block.
fn body_label(location: Span) -> syn::Lifetime {
    syn::Lifetime::new(
        "'yield_in_a_macro_closure_or_async_block__move_it_out_of_the_macro",
        Span::mixed_site().located_at(location),
    )
}

/// Where a `yield` is, seen from the generator's body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Body,
    Closure,
    AsyncBlock,
    Item,
}

impl Scope {
    fn error(self, span: Span, context: bool) -> Option<syn::Error> {
        let msg = match self {
            Scope::Body => return None,
            Scope::AsyncBlock if context => {
                "`yield` inside a nested `async` block cannot suspend the context manager: the \
                 block is a separate future; `yield` in the body of `async_context!` itself"
            }
            Scope::Closure => {
                "`yield` inside a closure cannot suspend the generator: the closure is a function \
                 of its own; move the `yield` out of the closure (a `for` loop instead of \
                 `for_each`, say)"
            }
            Scope::AsyncBlock => {
                "`yield` inside a nested `async` block cannot suspend the generator: the block is \
                 a separate future; `yield` its awaited result in the body, or build the generator \
                 with `asyncio::generator::from_fn` and yield through the shared `Co` handle"
            }
            Scope::Item => {
                "`yield` inside a nested item cannot suspend the generator: a nested `fn` has its \
                 own body; return the value and `yield` it in the generator's body"
            }
        };
        Some(syn::Error::new(span, msg))
    }
}

/// Rewrites the `yield`s of `stmts`, collecting errors.
pub(crate) struct Rewriter {
    /// The path of the `asyncio` crate in the generated code.
    krate: TokenStream,
    scope: Scope,
    pub(crate) errors: Vec<syn::Error>,
    /// Whether any `yield` was found (errors included).
    pub(crate) yields: usize,
    /// How many macro invocations the visit is inside.
    macro_depth: usize,
    /// Whether a `yield` in a macro's arguments breaks to the body's label.
    guarded: bool,
    /// `async_context!`: where a `yield`'s resumed outcome is kept (the
    /// generator returns it after the exit).
    slot: Option<syn::Ident>,
}

impl Rewriter {
    pub(crate) fn new(krate: &TokenStream) -> Self {
        Rewriter {
            krate: krate.clone(),
            scope: Scope::Body,
            errors: Vec::new(),
            yields: 0,
            macro_depth: 0,
            guarded: false,
            slot: None,
        }
    }

    /// A rewriter for `async_context!`: `yield v` evaluates to a `&mut
    /// Outcome<R>` kept in `slot`.
    pub(crate) fn for_context(krate: &TokenStream, slot: syn::Ident) -> Self {
        Rewriter {
            slot: Some(slot),
            ..Rewriter::new(krate)
        }
    }

    /// The rewritten `body`, labelled if a `yield` breaks to it.
    pub(crate) fn finish(&self, body: TokenStream) -> TokenStream {
        if !self.guarded {
            return body;
        }
        let label = body_label(Span::call_site());
        quote!(#label: { #body })
    }

    /// Visits `f` inside `scope` (an inner scope never returns to `Body`).
    fn within(&mut self, scope: Scope, f: impl FnOnce(&mut Self)) {
        let outer = self.scope;
        if outer == Scope::Body {
            self.scope = scope;
        }
        f(self);
        self.scope = outer;
    }

    /// The replacement for one `yield`.
    fn replace(&mut self, yield_token: Span, value: Option<Box<Expr>>) -> Expr {
        self.yields += 1;
        let value = value.map_or_else(|| quote_spanned!(yield_token=> ()), |v| v.to_token_stream());
        if let Some(error) = self.scope.error(yield_token, self.slot.is_some()) {
            self.errors.push(error);
            // Keep the value's type checking (and the IDE) going. The
            // placeholder fits wherever the `yield` was, yet does not
            // diverge where it stands (the call of a closure whose return
            // type is inferred), so the code after it is not reported as
            // unreachable on top of the error.
            return syn::parse_quote_spanned!(yield_token=> {
                let _ = #value;
                (|| ::core::unreachable!())()
            });
        }
        // Hygienic as ever, but located at the `yield`: a type error in the
        // rewritten call then points into the user's code, not at the
        // whole macro invocation.
        let mut co = handle();
        co.set_span(co.span().located_at(yield_token));
        let method = syn::Ident::new("__yield", yield_token);
        // The value in a block of its own: a value of the wrong type is then
        // a plain "expected `Y`, found `T`" at the value, not an argument
        // error that names `__yield` and points into the runtime's source.
        // The braces are the macro's (not the user's), so `unused_braces`
        // leaves them alone.
        let mut value = Group::new(Delimiter::Brace, value);
        value.set_span(Span::call_site().located_at(yield_token));
        let mut call = quote_spanned!(yield_token=> #co.#method(#value).await);
        if let Some(slot) = &self.slot {
            let krate = &self.krate;
            call = quote_spanned!(yield_token=> #krate::__private::resumed(&mut #slot, #call));
        }
        if self.macro_depth == 0 {
            return syn::parse_quote!(#call);
        }
        self.guarded = true;
        let label = body_label(yield_token);
        let krate = &self.krate;
        syn::parse_quote_spanned!(yield_token=> {
            if false {
                break #label #krate::__private::label_check();
            }
            #call
        })
    }

    /// Expands an `async_with!` whose body yields, here: its body is an
    /// async closure that this crate's `with` polls in place, within the
    /// generator body's own poll, so a `yield` there suspends the
    /// generator like one in the body itself (Python's `yield` inside
    /// `async with`). Expanding it here, rather than trusting whatever
    /// macro is called `async_with`, is what makes that so; a `yield` in
    /// a closure or `async` block inside it is still an error.
    fn expand_with(&mut self, mac: &Macro) -> TokenStream {
        let tokens = self.rewrite_tokens(mac.tokens.clone());
        let expansion = crate::with::expand_in(&self.krate, tokens);
        // The user's path to the macro, called with nothing to expand, so
        // that their import of it is used.
        let path = &mac.path;
        quote!({
            #path!(@used);
            #expansion
        })
    }

    /// Rewrites the `yield`s in a macro's arguments.
    fn rewrite_macro(&mut self, mac: &mut Macro) {
        if is_generator_macro(mac) || !contains_yield(&mac.tokens) {
            return;
        }
        self.macro_depth += 1;
        self.rewrite_macro_args(mac);
        self.macro_depth -= 1;
    }

    fn rewrite_macro_args(&mut self, mac: &mut Macro) {
        // Most macros take expressions (`println!`, `vec!`, `join!`...).
        let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
        if let Ok(mut args) = parser.parse2(mac.tokens.clone()) {
            for arg in args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.into_token_stream();
            return;
        }
        // Others have their own grammar (`select! { x = f => yield x, }`):
        // rewrite `yield <expr>` token runs in place.
        mac.tokens = self.rewrite_tokens(mac.tokens.clone());
    }

    /// Token-level rewrite, for macro arguments that are not expressions:
    /// each `yield` and the expression after it (up to a `,` or `;` at the
    /// same depth) becomes the handle's await. Closures (`|x| ..`,
    /// `move |x| -> T { .. }`), `async` blocks and `fn` items are told
    /// apart from the rest, so a `yield` inside one is an error at it.
    pub(crate) fn rewrite_tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out = TokenStream::new();
        // Inside an item's head (`fn name(..) -> T`): its next brace group
        // is a nested item's body.
        let mut item_head = false;
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Ident(ident) if ident == "yield" => {
                    i += 1;
                    // The value: the longest expression that follows (so a
                    // grammar's `=>`, `,` or `;` after it ends it).
                    let value = if ends_value(&trees[i..]) {
                        None
                    } else {
                        match expr_prefix(&trees[i..]) {
                            Ok((mut expr, consumed)) => {
                                i += consumed;
                                self.visit_expr_mut(&mut expr);
                                Some(Box::new(expr))
                            }
                            Err(error) => {
                                // Not an expression: say so, and go on
                                // with the tokens after the `yield`.
                                self.errors.push(error);
                                continue;
                            }
                        }
                    };
                    let replaced = self.replace(ident.span(), value);
                    out.extend(quote!((#replaced)));
                }
                TokenTree::Punct(p) if p.as_char() == '|' && starts_closure(&trees[..i]) => {
                    // `|params|`, then `-> T { body }` or an expression body.
                    let close = (i + 1..trees.len())
                        .find(|&j| matches!(&trees[j], TokenTree::Punct(p) if p.as_char() == '|'))
                        .unwrap_or(trees.len() - 1);
                    let mut body_start = close + 1;
                    let body_end = if is_arrow(&trees[body_start.min(trees.len())..]) {
                        match (body_start..trees.len()).find(|&j| is_brace(&trees[j])) {
                            Some(j) => {
                                body_start = j;
                                j + 1
                            }
                            None => trees.len(),
                        }
                    } else {
                        expr_end(&trees, body_start)
                    };
                    let body_start = body_start.min(body_end);
                    out.extend(trees[i..body_start].iter().cloned());
                    let body: TokenStream = trees[body_start..body_end].iter().cloned().collect();
                    self.within(Scope::Closure, |this| out.extend(this.rewrite_tokens(body)));
                    i = body_end;
                }
                TokenTree::Punct(p) if p.as_char() == '|' => {
                    // A binary `|`, or `||` / `|=` as one operator.
                    out.extend([trees[i].clone()]);
                    i += 1;
                    if p.spacing() == Spacing::Joint
                        && matches!(trees.get(i), Some(TokenTree::Punct(q)) if q.as_char() == '|')
                    {
                        out.extend([trees[i].clone()]);
                        i += 1;
                    }
                }
                TokenTree::Group(_) if is_generator_call(&trees[..i]) => {
                    // A nested generator keeps its own `yield`s.
                    out.extend([trees[i].clone()]);
                    i += 1;
                }
                TokenTree::Group(group) => {
                    let async_block =
                        group.delimiter() == Delimiter::Brace && after_async(&trees[..i]);
                    let scope = if item_head && group.delimiter() == Delimiter::Brace {
                        item_head = false;
                        Scope::Item
                    } else if async_block {
                        Scope::AsyncBlock
                    } else {
                        Scope::Body
                    };
                    let mut inner = TokenStream::new();
                    self.within(scope, |this| inner = this.rewrite_tokens(group.stream()));
                    let mut new = Group::new(group.delimiter(), inner);
                    new.set_span(group.span());
                    out.extend([TokenTree::Group(new)]);
                    i += 1;
                }
                other => {
                    match other {
                        TokenTree::Ident(kw) if kw == "fn" => item_head = true,
                        TokenTree::Punct(p) if p.as_char() == ';' => item_head = false,
                        _ => {}
                    }
                    out.extend([other.clone()]);
                    i += 1;
                }
            }
        }
        out
    }
}

/// Where the expression starting at `start` ends: the next `,` or `;` at
/// this depth, or the end.
fn expr_end(trees: &[TokenTree], start: usize) -> usize {
    (start..trees.len())
        .find(|&j| matches!(&trees[j], TokenTree::Punct(p) if p.as_char() == ',' || p.as_char() == ';'))
        .unwrap_or(trees.len())
}

/// Whether `trees` (after a `yield`) start with no value: at the end, or
/// at a `,`, `;` or `=>`.
fn ends_value(trees: &[TokenTree]) -> bool {
    match trees {
        [] => true,
        [TokenTree::Punct(p), rest @ ..] => match p.as_char() {
            ',' | ';' => true,
            '=' => matches!(rest.first(), Some(TokenTree::Punct(q)) if q.as_char() == '>'),
            _ => false,
        },
        _ => false,
    }
}

/// The longest expression at the start of `trees`, and how many of them
/// it took.
fn expr_prefix(trees: &[TokenTree]) -> syn::Result<(Expr, usize)> {
    let parser = |input: ParseStream| Ok((input.parse::<Expr>()?, input.parse::<TokenStream>()?));
    let (expr, rest) = parser.parse2(trees.iter().cloned().collect())?;
    Ok((expr, trees.len() - rest.into_iter().count()))
}

/// Whether a `|` after `before` opens a closure's parameters rather than
/// being a binary operator: it does where an operand is expected (at the
/// start, after punctuation, after `move`/`async`/`return`...).
fn starts_closure(before: &[TokenTree]) -> bool {
    match before.last() {
        None => true,
        Some(TokenTree::Punct(p)) => p.as_char() != '?',
        Some(TokenTree::Ident(kw)) => ["move", "async", "return", "break", "in", "yield", "else"]
            .iter()
            .any(|k| kw == k),
        Some(TokenTree::Group(_) | TokenTree::Literal(_)) => false,
    }
}

/// Whether `before` ends with `async` or `async move`: a brace group next
/// is an `async` block.
fn after_async(before: &[TokenTree]) -> bool {
    match before {
        [.., TokenTree::Ident(kw)] if kw == "async" => true,
        [.., TokenTree::Ident(kw), TokenTree::Ident(mv)] => kw == "async" && mv == "move",
        _ => false,
    }
}

/// Whether `trees` start with `->`.
fn is_arrow(trees: &[TokenTree]) -> bool {
    matches!(
        trees,
        [TokenTree::Punct(a), TokenTree::Punct(b), ..] if a.as_char() == '-' && b.as_char() == '>'
    )
}

/// Puts `attrs` (a `yield`'s, such as `#[cfg(..)]`) on its replacement.
fn with_attrs(expr: &mut Expr, mut attrs: Vec<syn::Attribute>) {
    if attrs.is_empty() {
        return;
    }
    let own = match expr {
        Expr::Await(e) => &mut e.attrs,
        Expr::Block(e) => &mut e.attrs,
        other => {
            let inner = std::mem::replace(other, Expr::Verbatim(TokenStream::new()));
            *other = syn::parse_quote!(#(#attrs)* { #inner });
            return;
        }
    };
    attrs.append(own);
    *own = attrs;
}

fn is_brace(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
}

impl VisitMut for Rewriter {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Yield(ExprYield {
                attrs,
                yield_token,
                expr: value,
            }) => {
                let span = yield_token.span;
                let attrs = std::mem::take(attrs);
                let mut value = value.take();
                if let Some(v) = value.as_mut() {
                    self.visit_expr_mut(v);
                }
                *expr = self.replace(span, value);
                // `#[cfg(..)] yield v;` keeps its attributes.
                with_attrs(expr, attrs);
            }
            Expr::Closure(closure) => {
                self.within(Scope::Closure, |this| {
                    visit_mut::visit_expr_closure_mut(this, closure)
                });
            }
            Expr::Async(block) => {
                self.within(Scope::AsyncBlock, |this| {
                    visit_mut::visit_expr_async_mut(this, block)
                });
            }
            Expr::Macro(mac) if is_with_yielding(&mac.mac) => {
                *expr = Expr::Verbatim(self.expand_with(&mac.mac));
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, item: &mut Item) {
        self.within(Scope::Item, |this| visit_mut::visit_item_mut(this, item));
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        self.rewrite_macro(mac);
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Macro(mac) = stmt
            && is_with_yielding(&mac.mac)
        {
            let expr = Expr::Verbatim(self.expand_with(&mac.mac));
            *stmt = Stmt::Expr(expr, mac.semi_token.or_else(|| Some(Default::default())));
            return;
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }
}

/// Whether `mac` is a generator macro whose `yield`s are its own.
pub(crate) fn is_generator_macro(mac: &Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| is_generator_name(&s.ident))
}

/// Whether `mac` is an `async_with!` with a `yield` in it.
fn is_with_yielding(mac: &Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "async_with")
        && contains_yield(&mac.tokens)
}

/// Whether a group after `before` is a generator macro's input: `before`
/// ends with `async_gen !` (or `async_context !`).
fn is_generator_call(before: &[TokenTree]) -> bool {
    matches!(
        before,
        [.., TokenTree::Ident(id), TokenTree::Punct(bang)]
            if bang.as_char() == '!' && is_generator_name(id)
    )
}

/// The macros whose bodies have `yield`s of their own.
fn is_generator_name(ident: &proc_macro2::Ident) -> bool {
    ident == "async_gen" || ident == "async_context"
}

/// Whether a `yield` token occurs anywhere in `tokens`.
pub(crate) fn contains_yield(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == "yield",
        TokenTree::Group(group) => contains_yield(&group.stream()),
        _ => false,
    })
}

/// The spans of `yield`s in `tokens` outside nested generator macros: for
/// entry points, where any `yield` is outside a generator.
pub(crate) fn stray_yields(tokens: &TokenStream) -> Vec<Span> {
    let mut found = Vec::new();
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) if ident == "yield" => found.push(ident.span()),
            TokenTree::Group(group) if !is_generator_call(&trees[..i]) => {
                found.extend(stray_yields(&group.stream()));
            }
            _ => {}
        }
    }
    found
}
