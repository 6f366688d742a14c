//! Checks for `async_context!`: exactly one `yield` where it can be seen,
//! and the fn form's signature, `-> AsyncContext<V>` or
//! `-> AsyncContext<V, R>`.

use proc_macro2::Span;
use quote::ToTokens;
use syn::visit::{self, Visit};
use syn::{BinOp, Expr, ItemFn, ReturnType, Stmt, Type};

use crate::generator::validate::{check_async, generator_args};

/// The types a context fn declares: yields `V` to bodies returning `R`
/// (`None`: any `R`, a generic parameter the expansion adds).
pub(crate) struct Signature {
    pub(crate) value_ty: Type,
    pub(crate) body_ty: Option<Type>,
    /// The user's path to `AsyncContext` (arguments removed).
    pub(crate) path: Option<syn::Path>,
    /// The declared return type, for spans.
    pub(crate) declared: Option<Type>,
    /// Whether the return type declares the types; when not, an error
    /// said so.
    pub(crate) valid: bool,
}

const FORMS: &str = "`-> AsyncContext<V>` for a manager whose body receives a `V`, or \
    `-> AsyncContext<V, R>` for one that guards only bodies returning `R` (to inspect or \
    replace their `Result`)";

const USAGE: &str = "write the setup, one `yield value;` (or `let outcome = yield value;` to see \
    how the body ended), then the teardown";

/// Checks `func`'s signature, pushing one error per problem.
pub(crate) fn signature(func: &ItemFn, errors: &mut Vec<syn::Error>) -> Signature {
    let sig = &func.sig;
    check_async(sig, "an async context manager fn", errors);
    let mut out = Signature {
        value_ty: syn::parse_quote!(()),
        body_ty: None,
        path: None,
        declared: None,
        valid: false,
    };
    let ty = match &sig.output {
        ReturnType::Type(_, ty) => ty.as_ref(),
        ReturnType::Default => {
            errors.push(syn::Error::new_spanned(
                &sig.ident,
                format!(
                    "an async context manager fn needs a return type that says what its body \
                     receives: write {FORMS}"
                ),
            ));
            return out;
        }
    };
    out.declared = Some(ty.clone());
    match generator_args(ty, "AsyncContext") {
        Some((path, args)) if (1..=2).contains(&args.len()) => {
            let mut args = args.into_iter();
            out.value_ty = args.next().unwrap_or(out.value_ty);
            out.body_ty = args.next();
            out.path = Some(path);
            out.valid = true;
        }
        Some((path, args)) => {
            errors.push(syn::Error::new_spanned(
                ty.to_token_stream(),
                if args.is_empty() {
                    format!("`AsyncContext` needs the type of the value it yields: write {FORMS}")
                } else {
                    format!(
                        "`AsyncContext` takes one or two types here (the value, the body's \
                         output; `async_context!` fills in the rest): write {FORMS}"
                    )
                },
            ));
            out.path = Some(path);
        }
        None => errors.push(syn::Error::new_spanned(
            ty.to_token_stream(),
            format!(
                "`{}` is not an async context manager type: write {FORMS}",
                ty.to_token_stream()
            ),
        )),
    }
    out
}

/// Errors for a body that cannot yield exactly once: no `yield` at all
/// (reported at `at`), or a second one on a path that already yielded.
pub(crate) fn yields(stmts: &[Stmt], at: Span) -> Vec<syn::Error> {
    let mut all = Count::default();
    for stmt in stmts {
        all.visit_stmt(stmt);
    }
    if all.found == 0 {
        return vec![syn::Error::new(
            at,
            format!(
                "an async context manager must `yield` exactly once, and this one has no `yield` \
                 (Python: \"generator didn't yield\"): {USAGE}"
            ),
        )];
    }
    let mut sure = Sure::default();
    for stmt in stmts {
        sure.visit_stmt(stmt);
    }
    let mut errors = Vec::new();
    if let [first, rest @ ..] = sure.spans.as_slice() {
        for second in rest {
            let mut error = syn::Error::new(
                *second,
                "a second `yield` on the same path: an async context manager must `yield` \
                 exactly once (Python: \"generator didn't stop\"); keep one `yield`, or put \
                 them in separate branches",
            );
            error.combine(syn::Error::new(*first, "the first `yield` on that path"));
            errors.push(error);
        }
    }
    errors
}

/// Counts every `yield` written in the body (not those of nested
/// generator macros).
#[derive(Default)]
struct Count {
    found: usize,
}

impl Visit<'_> for Count {
    fn visit_expr_yield(&mut self, node: &syn::ExprYield) {
        self.found += 1;
        visit::visit_expr_yield(self, node);
    }
    fn visit_macro(&mut self, mac: &syn::Macro) {
        if !crate::generator::rewrite::is_generator_macro(mac)
            && crate::generator::rewrite::contains_yield(&mac.tokens)
        {
            self.found += 1;
        }
    }
    // A `yield` in a closure, a nested `async` block or an item is counted:
    // it gets its own error there, not "no `yield`" as well.
}

/// The `yield`s that run whenever the body reaches their statement: not
/// in a branch, a loop body or a macro's arguments.
#[derive(Default)]
struct Sure {
    spans: Vec<Span>,
}

impl Visit<'_> for Sure {
    fn visit_expr_yield(&mut self, node: &syn::ExprYield) {
        visit::visit_expr_yield(self, node);
        self.spans.push(node.yield_token.span);
    }
    fn visit_expr_if(&mut self, node: &syn::ExprIf) {
        self.visit_expr(&node.cond);
    }
    fn visit_expr_match(&mut self, node: &syn::ExprMatch) {
        self.visit_expr(&node.expr);
    }
    fn visit_expr_while(&mut self, node: &syn::ExprWhile) {
        self.visit_expr(&node.cond);
    }
    fn visit_expr_for_loop(&mut self, node: &syn::ExprForLoop) {
        self.visit_expr(&node.expr);
    }
    fn visit_expr_loop(&mut self, _: &syn::ExprLoop) {}
    fn visit_expr_binary(&mut self, node: &syn::ExprBinary) {
        self.visit_expr(&node.left);
        if !matches!(node.op, BinOp::And(_) | BinOp::Or(_)) {
            self.visit_expr(&node.right);
        }
    }
    fn visit_expr(&mut self, node: &Expr) {
        match node {
            Expr::Closure(_) | Expr::Async(_) | Expr::Macro(_) => {}
            _ => visit::visit_expr(self, node),
        }
    }
    fn visit_local_init(&mut self, node: &syn::LocalInit) {
        // `let .. else { .. }`: the `else` block is a branch.
        self.visit_expr(&node.expr);
    }
    fn visit_item(&mut self, _: &syn::Item) {}
    fn visit_macro(&mut self, _: &syn::Macro) {}
}
