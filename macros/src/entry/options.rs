//! The attribute's options: `debug = <bool>`, `virtual_time = <bool>`,
//! `crate = "<path>"`.
//!
//! Parsing recovers at each top-level `,`, so every bad option in one
//! attribute is reported, each at its own token.

use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Error, Expr, ExprLit, Ident, Lit, LitBool, LitStr, Path, Token};

use super::Kind;

/// The options of one macro use, each `None` when not given.
#[derive(Default)]
pub(crate) struct Options {
    /// `debug = <bool>`: the option's name (for spans) and value.
    pub(crate) debug: Option<(Ident, LitBool)>,
    /// `virtual_time = <bool>` (`#[asyncio::test]` only).
    pub(crate) virtual_time: Option<(Ident, LitBool)>,
    /// `crate = "<path>"`: where the generated code finds `asyncio` (a
    /// renamed or re-exported dependency).
    pub(crate) krate: Option<Path>,
    /// Names given so far, valid value or not, to catch duplicates.
    seen: Vec<String>,
}

/// Every option, and the macros that accept it.
const SPECS: &[(&str, &[Kind])] = &[
    ("debug", &[Kind::Main, Kind::Test]),
    ("virtual_time", &[Kind::Test]),
    ("crate", &[Kind::Main, Kind::Test]),
];

/// Parses the attribute arguments `args` of macro `kind`, pushing a
/// [`syn::Error`] per problem onto `errors`; the options that were fine are
/// kept.
pub(crate) fn parse(kind: Kind, args: TokenStream, errors: &mut Vec<Error>) -> Options {
    let parser = |input: ParseStream| Ok(parse_list(kind, input, errors));
    parser.parse2(args).unwrap_or_default()
}

/// One `name`, `name = value` or malformed option, before validation.
struct RawOption {
    name: Ident,
    value: Value,
}

/// What followed an option's name.
enum Value {
    /// Nothing: `debug`.
    Missing,
    /// `= <expr>`.
    Expr(Expr),
    /// Anything else, already turned into an error.
    Malformed(Error),
}

/// `option (, option)* ,?` with recovery at each comma.
fn parse_list(kind: Kind, input: ParseStream, errors: &mut Vec<Error>) -> Options {
    let mut options = Options::default();
    while !input.is_empty() {
        match parse_one(input) {
            Ok(raw) => {
                options.apply(kind, raw, errors);
                if !input.is_empty() && !input.peek(Token![,]) {
                    errors.push(input.error("expected `,` between options"));
                }
            }
            Err(err) => errors.push(err),
        }
        skip_to_comma(input);
        let _ = input.parse::<Option<Token![,]>>();
    }
    options
}

/// Parses `name`, `name = value`, or reports what is wrong with the option.
fn parse_one(input: ParseStream) -> syn::Result<RawOption> {
    let name = parse_name(input)?;
    let value = if input.is_empty() || input.peek(Token![,]) {
        Value::Missing
    } else if input.peek(Token![=]) {
        let eq: Token![=] = input.parse()?;
        parse_value(input, &name, eq)
    } else {
        let msg = format!("expected `=` after `{name}`, as in `{name} = true`");
        Value::Malformed(Error::new_spanned(skip_to_comma(input), msg))
    };
    Ok(RawOption { name, value })
}

/// An option name: one identifier; a path such as `a::b` is an error
/// spanning the path.
fn parse_name(input: ParseStream) -> syn::Result<Ident> {
    let leading: Option<Token![::]> = input.parse()?;
    if !input.peek(Ident::peek_any) {
        return Err(input.error("expected an option name, as in `debug = true`"));
    }
    let first = input.call(Ident::parse_any)?;
    if leading.is_none() && !input.peek(Token![::]) {
        return Ok(first);
    }
    let mut segments = vec![first];
    while input.peek(Token![::]) {
        input.parse::<Token![::]>()?;
        if !input.peek(Ident::peek_any) {
            break;
        }
        segments.push(input.call(Ident::parse_any)?);
    }
    let path = segments.iter().map(Ident::to_string).collect::<Vec<_>>();
    let path = format!(
        "{}{}",
        if leading.is_some() { "::" } else { "" },
        path.join("::")
    );
    let (first, last) = (&segments[0], &segments[segments.len() - 1]);
    let msg = format!("expected an option name such as `debug`, found the path `{path}`");
    Err(Error::new_spanned(
        quote::quote!(#leading #first #last),
        msg,
    ))
}

/// The value after `name =`.
fn parse_value(input: ParseStream, name: &Ident, eq: Token![=]) -> Value {
    if input.is_empty() || input.peek(Token![,]) {
        let msg = match name == "crate" {
            true => CRATE_FORM.to_owned(),
            false => format!("expected `true` or `false` after `{name} =`"),
        };
        return Value::Malformed(Error::new(eq.span, msg));
    }
    match input.parse::<Expr>() {
        Ok(expr) => Value::Expr(expr),
        Err(err) => {
            skip_to_comma(input);
            let msg = match name == "crate" {
                true => CRATE_FORM.to_owned(),
                false => takes_bool(name),
            };
            Value::Malformed(Error::new(err.span(), msg))
        }
    }
}

/// How to write the `crate` option.
const CRATE_FORM: &str = "`crate` takes the path of the `asyncio` crate in quotes, as in \
    `crate = \"aio\"` when the dependency is renamed to `aio`";

/// The `crate` option's value: a string literal holding a path.
fn value_to_path(name: &Ident, value: Value) -> syn::Result<Path> {
    let expr = match value {
        Value::Expr(expr) => expr,
        Value::Missing => return Err(Error::new(name.span(), CRATE_FORM)),
        Value::Malformed(err) => return Err(err),
    };
    let Expr::Lit(ExprLit {
        lit: Lit::Str(lit), ..
    }) = &expr
    else {
        return Err(Error::new_spanned(expr, CRATE_FORM));
    };
    parse_crate_path(lit)
}

/// The path inside `lit`, spanned at the literal.
fn parse_crate_path(lit: &LitStr) -> syn::Result<Path> {
    let path: Path = lit.parse().map_err(|_| {
        let msg = format!(
            "`crate = {:?}` is not a path: write the path of the `asyncio` crate, as in \
             `crate = \"aio\"` or `crate = \"my_lib::asyncio\"`",
            lit.value()
        );
        Error::new(lit.span(), msg)
    })?;
    if let Some(args) = path.segments.iter().find(|s| !s.arguments.is_none()) {
        let msg = "the `crate` path names a crate or module: remove the generic arguments";
        return Err(Error::new_spanned(&args.arguments, msg));
    }
    Ok(path)
}

/// Consumes and returns the tokens up to (not including) the next top-level
/// `,`.
fn skip_to_comma(input: ParseStream) -> TokenStream {
    let mut skipped = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        skipped.extend(input.parse::<TokenTree>());
    }
    skipped
}

/// The message for a non-boolean value of option `name`.
fn takes_bool(name: &Ident) -> String {
    format!("`{name}` takes `true` or `false`: write `{name} = true` or `{name} = false`")
}

/// The list of options `kind` accepts, for the unknown-option message.
fn accepted(kind: Kind) -> String {
    let names: Vec<String> = SPECS
        .iter()
        .filter(|(_, kinds)| kinds.contains(&kind))
        .map(|(name, _)| match *name {
            "crate" => "`crate = \"<path>\"`".to_owned(),
            _ => format!("`{name} = <bool>`"),
        })
        .collect();
    match names.as_slice() {
        [one] => format!("only {one}"),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => "no options".to_owned(),
    }
}

impl Options {
    /// Validates `raw` for macro `kind` and records it, or pushes the error.
    fn apply(&mut self, kind: Kind, raw: RawOption, errors: &mut Vec<Error>) {
        let RawOption { name, value } = raw;
        let key = name.to_string();
        let Some((_, kinds)) = SPECS.iter().find(|(spec, _)| *spec == key) else {
            let msg = format!(
                "unknown option `{name}`: `{}` accepts {}",
                kind.attr(),
                accepted(kind)
            );
            return errors.push(Error::new(name.span(), msg));
        };
        if !kinds.contains(&kind) {
            let msg = format!(
                "`{name}` is only available on `{}`: remove it from `{}`",
                Kind::Test.attr(),
                kind.attr()
            );
            return errors.push(Error::new(name.span(), msg));
        }
        if self.seen.contains(&key) {
            let msg = format!("duplicate option `{name}`: remove this second `{name}`");
            return errors.push(Error::new(name.span(), msg));
        }
        self.seen.push(key.clone());
        if key == "crate" {
            match value_to_path(&name, value) {
                Ok(path) => self.krate = Some(path),
                Err(err) => errors.push(err),
            }
            return;
        }
        let slot = match key.as_str() {
            "debug" => &mut self.debug,
            _ => &mut self.virtual_time, // the only other entry in SPECS
        };
        match value_to_bool(&name, value) {
            Ok(lit) => *slot = Some((name, lit)),
            Err(err) => errors.push(err),
        }
    }
}

/// The option's value as a `true`/`false` literal, or the error to report.
fn value_to_bool(name: &Ident, value: Value) -> syn::Result<LitBool> {
    let expr = match value {
        Value::Expr(expr) => expr,
        Value::Missing => {
            let msg = format!("`{name}` needs a value: write `{name} = true` or `{name} = false`");
            return Err(Error::new(name.span(), msg));
        }
        Value::Malformed(err) => return Err(err),
    };
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(lit),
            attrs,
        }) if attrs.is_empty() => Ok(lit.clone()),
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) if matches!(&*s.value(), "true" | "false") => {
            let msg = format!(
                "`{name}` takes a bool, not a string: write `{name} = {}` without quotes",
                s.value()
            );
            Err(Error::new_spanned(expr, msg))
        }
        _ => Err(Error::new_spanned(expr, takes_bool(name))),
    }
}
