//! `#[asyncio::main]` and `#[asyncio::test]`: parse → validate → expand.
//!
//! Both macros share this module; [`Kind`] tells them apart where they differ
//! (accepted options, the added `#[test]`, error wording).

mod expand;
mod item;
mod options;
mod validate;

use proc_macro2::TokenStream;

use crate::errors::{combine, to_compile_errors};

/// Which entry-point macro is being expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[asyncio::main]`: a program's entry point.
    Main,
    /// `#[asyncio::test]`: a `#[test]` function.
    Test,
}

impl Kind {
    /// The attribute as the user writes it, for error messages.
    pub(crate) fn attr(self) -> &'static str {
        match self {
            Kind::Main => "#[asyncio::main]",
            Kind::Test => "#[asyncio::test]",
        }
    }
}

/// Expands one use of the macro `kind` with attribute arguments `args` on
/// `item`.
///
/// Every problem found is reported at once, each at the user's offending
/// token; on error the output also holds a quiet fallback item (see
/// [`expand::fallback`]) so the rest of the crate still type-checks.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let options = options::parse(kind, args, &mut errors);
    let func = match syn::parse2::<item::EntryFn>(item.clone()) {
        Ok(func) => func,
        Err(err) => {
            let msg = format!("`{}` can only be applied to an `async fn`", kind.attr());
            errors.push(syn::Error::new(err.span(), msg));
            return to_compile_errors(errors).into_iter().chain(item).collect();
        }
    };
    validate::check(kind, &func, &mut errors);
    match combine(errors) {
        None => expand::expand(kind, &options, func),
        Some(err) => {
            let mut out = err.to_compile_error();
            out.extend(expand::fallback(kind, func));
            out
        }
    }
}

#[cfg(test)]
mod tests;
