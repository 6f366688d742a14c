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
}

const RETURN_HINT: &str = "declare what the generator yields as its return type: \
    `-> AsyncGen<Y>`, or `-> AsyncGen<Y, R>` to also return an `R`, or \
    `-> AsyncGen<Y, R, S>` to receive `S` values from `asend`";

/// Checks `func`; pushes one error per problem and returns the types (with
/// `()` standing in for what is missing, so expansion can go on).
pub(crate) fn check(func: &ItemFn, errors: &mut Vec<syn::Error>) -> Signature {
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            "an async generator fn must be an `async fn`: add `async` before `fn`",
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            "an async generator fn cannot be `const`: remove `const`",
        ));
    }
    let unit: Type = syn::parse_quote!(());
    let mut out = Signature {
        yield_ty: unit.clone(),
        return_ty: unit.clone(),
        send_ty: unit,
        declared: None,
    };
    let ty = match &sig.output {
        ReturnType::Type(_, ty) => ty.as_ref(),
        ReturnType::Default => {
            errors.push(syn::Error::new_spanned(&sig.ident, RETURN_HINT));
            return out;
        }
    };
    out.declared = Some(ty.clone());
    match generator_args(ty) {
        Some(args) if (1..=3).contains(&args.len()) => {
            let mut args = args.into_iter();
            out.yield_ty = args.next().unwrap_or(out.yield_ty);
            out.return_ty = args.next().unwrap_or(out.return_ty);
            out.send_ty = args.next().unwrap_or(out.send_ty);
        }
        _ => errors.push(syn::Error::new_spanned(
            ty.to_token_stream(),
            format!(
                "`{}` is not an async generator type; {RETURN_HINT}",
                ty.to_token_stream()
            ),
        )),
    }
    out
}

/// The type arguments of `AsyncGen<..>` (any path ending in `AsyncGen`).
fn generator_args(ty: &Type) -> Option<Vec<Type>> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "AsyncGen" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args
        .iter()
        .map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty.clone()),
            _ => None,
        })
        .collect()
}
