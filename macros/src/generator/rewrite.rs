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

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprYield, Item, Macro, Stmt, Token};

/// The hygienic name of the handle in generated code.
pub(crate) fn handle() -> syn::Ident {
    syn::Ident::new("__asyncio_co", Span::mixed_site())
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
    fn error(self, span: Span) -> Option<syn::Error> {
        let msg = match self {
            Scope::Body => return None,
            Scope::Closure => {
                "`yield` inside a closure cannot suspend the generator: a closure runs on its own; \
                 move the `yield` out of the closure (a `for` loop instead of `for_each`, say)"
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
    scope: Scope,
    pub(crate) errors: Vec<syn::Error>,
    /// Whether any `yield` was found (errors included).
    pub(crate) yields: usize,
}

impl Rewriter {
    pub(crate) fn new() -> Self {
        Rewriter {
            scope: Scope::Body,
            errors: Vec::new(),
            yields: 0,
        }
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
        if let Some(error) = self.scope.error(yield_token) {
            self.errors.push(error);
            // Keep the value's type checking (and the IDE) going; the
            // placeholder diverges, so it fits wherever the `yield` was.
            return syn::parse_quote_spanned!(yield_token=> {
                let _ = #value;
                ::core::unreachable!()
            });
        }
        let co = handle();
        let method = syn::Ident::new("__yield", yield_token);
        syn::parse_quote_spanned!(yield_token=> #co.#method(#value).await)
    }

    /// Rewrites the `yield`s in a macro's arguments.
    fn rewrite_macro(&mut self, mac: &mut Macro) {
        if is_generator_macro(mac) || !contains_yield(&mac.tokens) {
            return;
        }
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

    /// Token-level rewrite: each `yield` and the expression after it (up to
    /// a `,` or `;` at the same depth) becomes the handle's await.
    fn rewrite_tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let mut out = TokenStream::new();
        let mut iter = tokens.into_iter().peekable();
        // What the last tokens were, to tell an `async { .. }` block or a
        // closure body `|..| { .. }` from a plain group.
        let mut after_async = false;
        let mut in_params = false;
        let mut closure_next = false;
        while let Some(tree) = iter.next() {
            let (was_async, was_closure) = (after_async, closure_next);
            after_async = false;
            closure_next = false;
            match tree {
                TokenTree::Ident(ident) if ident == "yield" && !in_params => {
                    let mut value = TokenStream::new();
                    while let Some(next) = iter.peek() {
                        if matches!(next, TokenTree::Punct(p) if p.as_char() == ',' || p.as_char() == ';')
                        {
                            break;
                        }
                        value.extend(iter.next());
                    }
                    let value = if value.is_empty() {
                        None
                    } else {
                        match syn::parse2::<Expr>(value.clone()) {
                            Ok(mut expr) => {
                                self.visit_expr_mut(&mut expr);
                                Some(Box::new(expr))
                            }
                            Err(error) => {
                                self.errors.push(error);
                                out.extend(value);
                                continue;
                            }
                        }
                    };
                    let scope = if was_closure { Scope::Closure } else { self.scope };
                    let mut replaced = None;
                    self.within(scope, |this| replaced = Some(this.replace(ident.span(), value)));
                    out.extend(quote!((#replaced)));
                }
                TokenTree::Group(group) => {
                    let scope = if was_async {
                        Scope::AsyncBlock
                    } else if was_closure {
                        Scope::Closure
                    } else {
                        Scope::Body
                    };
                    let mut inner = TokenStream::new();
                    self.within(scope, |this| inner = this.rewrite_tokens(group.stream()));
                    let mut new = Group::new(group.delimiter(), inner);
                    new.set_span(group.span());
                    out.extend([TokenTree::Group(new)]);
                }
                other => {
                    match &other {
                        TokenTree::Ident(i) if i == "async" => after_async = true,
                        TokenTree::Ident(i) if i == "move" => {
                            after_async = was_async;
                            closure_next = was_closure;
                        }
                        TokenTree::Punct(p) if p.as_char() == '|' => {
                            in_params = !in_params;
                            closure_next = !in_params;
                        }
                        _ => {}
                    }
                    out.extend([other]);
                }
            }
        }
        out
    }
}

impl VisitMut for Rewriter {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Yield(ExprYield {
                yield_token, expr: value, ..
            }) => {
                let span = yield_token.span;
                let mut value = value.take();
                if let Some(v) = value.as_mut() {
                    self.visit_expr_mut(v);
                }
                *expr = self.replace(span, value);
            }
            Expr::Closure(closure) => {
                self.within(Scope::Closure, |this| visit_mut::visit_expr_closure_mut(this, closure));
            }
            Expr::Async(block) => {
                self.within(Scope::AsyncBlock, |this| visit_mut::visit_expr_async_mut(this, block));
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
        visit_mut::visit_stmt_mut(self, stmt);
    }
}

/// Whether `mac` is a generator macro whose `yield`s are its own.
fn is_generator_macro(mac: &Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "async_gen" || s.ident == "async_context")
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
            TokenTree::Group(group) => {
                // `async_gen! { .. }`: ident, `!`, group.
                let is_generator = i >= 2
                    && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '!')
                    && matches!(&trees[i - 2], TokenTree::Ident(id) if id == "async_gen" || id == "async_context");
                if !is_generator {
                    found.extend(stray_yields(&group.stream()));
                }
            }
            _ => {}
        }
    }
    found
}
