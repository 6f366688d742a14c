//! Checks on the fn form: an `async fn` whose return type says what it
//! yields, `-> AsyncGen<Y>`, `AsyncGen<Y, R>` or `AsyncGen<Y, R, S>`.

use quote::ToTokens;
use syn::{GenericArgument, ItemFn, PathArguments, ReturnType, Type};

/// The types a generator fn declares: yields `Y`, returns `R`, takes `S`.
pub(crate) struct Signature {
    pub(crate) yield_ty: Type,
    pub(crate) return_ty: Type,
    pub(crate) send_ty: Type,
    /// The declared return type, for spans.
    pub(crate) declared: Option<Type>,
    /// The user's path to `AsyncGen` (arguments removed), when the return
    /// type names it.
    pub(crate) path: Option<syn::Path>,
    /// Whether the return type declares the generator's types; when not,
    /// an error said so.
    pub(crate) valid: bool,
}

/// The return types the fn form accepts, for error messages.
const FORMS: &str = "`-> AsyncGen<Y>` for a generator of `Y`s, or `-> AsyncGen<Y, R>` to also \
    return an `R`, or `-> AsyncGen<Y, R, S>` to receive `S` values from `asend`";

/// Checks `func`; pushes one error per problem and returns the types (with
/// `()` standing in for what is missing, so expansion can go on).
pub(crate) fn check(func: &ItemFn, errors: &mut Vec<syn::Error>) -> Signature {
    let sig = &func.sig;
    check_async(sig, "an async generator fn", errors);
    let unit: Type = syn::parse_quote!(());
    let mut out = Signature {
        yield_ty: unit.clone(),
        return_ty: unit.clone(),
        send_ty: unit,
        declared: None,
        path: None,
        valid: false,
    };
    let ty = match &sig.output {
        ReturnType::Type(_, ty) => ty.as_ref(),
        ReturnType::Default => {
            errors.push(syn::Error::new_spanned(
                &sig.ident,
                format!("an async generator fn needs a return type that says what it yields: write {FORMS}"),
            ));
            return out;
        }
    };
    out.declared = Some(ty.clone());
    match generator_args(ty, "AsyncGen") {
        Some((path, args)) if (1..=3).contains(&args.len()) => {
            let mut args = args.into_iter();
            out.yield_ty = args.next().unwrap_or(out.yield_ty);
            out.return_ty = args.next().unwrap_or(out.return_ty);
            out.send_ty = args.next().unwrap_or(out.send_ty);
            out.path = Some(path);
            out.valid = true;
        }
        Some((path, args)) => {
            errors.push(syn::Error::new_spanned(
                ty.to_token_stream(),
                if args.is_empty() {
                    format!("`AsyncGen` needs the type the generator yields: write {FORMS}")
                } else {
                    format!(
                        "`AsyncGen` takes at most three types here (yield, return, send; \
                         `async_gen!` fills in the body's type): write {FORMS}"
                    )
                },
            ));
            out.path = Some(path);
        }
        None => errors.push(syn::Error::new_spanned(
            ty.to_token_stream(),
            format!(
                "`{}` is not an async generator type: the return type says what the \
                 generator yields; write {FORMS}",
                ty.to_token_stream()
            ),
        )),
    }
    out
}

/// The fn form's fn must be `async` and not `const`: an error at the
/// token otherwise; `what` names the fn in the message.
pub(crate) fn check_async(sig: &syn::Signature, what: &str, errors: &mut Vec<syn::Error>) {
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            format!("{what} must be an `async fn`: add `async` before `fn`"),
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            format!("{what} cannot be `const`: remove `const`"),
        ));
    }
}

/// The path (arguments removed) and type arguments of `name<..>` (any
/// path ending in `name`, such as `AsyncGen`; a bare `AsyncGen` has none).
pub(crate) fn generator_args(ty: &Type, name: &str) -> Option<(syn::Path, Vec<Type>)> {
    let Type::Path(ty) = ty else { return None };
    if ty.qself.is_some() {
        return None;
    }
    let mut path = ty.path.clone();
    let last = path.segments.last_mut()?;
    if last.ident != name {
        return None;
    }
    let args = match std::mem::replace(&mut last.arguments, PathArguments::None) {
        PathArguments::None => Vec::new(),
        PathArguments::AngleBracketed(args) => args
            .args
            .into_iter()
            .map(|arg| match arg {
                GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect::<Option<_>>()?,
        PathArguments::Parenthesized(_) => return None,
    };
    Some((path, args))
}
