//! Unit tests for option parsing, validation and expansion.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Kind, expand, options};

/// Parses `args` for `kind`; returns the options and the error messages.
fn parse(kind: Kind, args: TokenStream) -> (options::Options, Vec<String>) {
    let mut errors = Vec::new();
    let options = options::parse(kind, args, &mut errors);
    (options, errors.iter().map(ToString::to_string).collect())
}

/// The messages of the `compile_error!`s in `output`, in order.
fn compile_errors(output: &TokenStream) -> Vec<String> {
    let text = output.to_string();
    text.split("compile_error !")
        .skip(1)
        .map(|rest| {
            let start = rest.find('"').expect("a message");
            let end = rest[start + 1..].find("\" }").expect("end of message");
            rest[start + 1..start + 1 + end].replace("\\\"", "\"")
        })
        .collect()
}

fn flag(option: Option<&(syn::Ident, syn::LitBool)>) -> Option<bool> {
    option.map(|(_, lit)| lit.value)
}

#[test]
fn empty_and_trailing_comma() {
    let (opts, errors) = parse(Kind::Main, quote!());
    assert!(errors.is_empty() && opts.debug.is_none());
    let (opts, errors) = parse(Kind::Test, quote!(debug = false, virtual_time = true,));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        (flag(opts.debug.as_ref()), flag(opts.virtual_time.as_ref())),
        (Some(false), Some(true))
    );
}

#[test]
fn unknown_option_lists_the_accepted_ones() {
    let (_, errors) = parse(Kind::Main, quote!(flavor = "x"));
    assert_eq!(
        errors,
        [
            "unknown option `flavor`: `#[asyncio::main]` accepts `debug = <bool>` and `crate = \"<path>\"`"
        ]
    );
    let (_, errors) = parse(Kind::Test, quote!(workers = 2));
    assert!(
        errors[0].ends_with(
            "accepts `debug = <bool>`, `virtual_time = <bool>` and `crate = \"<path>\"`"
        )
    );
}

#[test]
fn crate_takes_a_quoted_path() {
    let (opts, errors) = parse(Kind::Main, quote!(crate = "my_lib::aio"));
    assert!(errors.is_empty(), "{errors:?}");
    let path = opts.krate.unwrap();
    assert_eq!(quote!(#path).to_string(), "my_lib :: aio");
    let (opts, errors) = parse(Kind::Test, quote!(crate = "::aio", debug = true));
    assert!(errors.is_empty() && opts.krate.is_some() && opts.debug.is_some());
    let cases = [
        (quote!(crate = aio), "`crate` takes the path"),
        (
            quote!(crate = "not a path"),
            "`crate = \"not a path\"` is not a path",
        ),
        (quote!(crate = "aio<T>"), "remove the generic arguments"),
        (quote!(crate), "`crate` takes the path"),
        (quote!(crate =), "`crate` takes the path"),
    ];
    for (args, expected) in cases {
        let (opts, errors) = parse(Kind::Main, args.clone());
        assert!(opts.krate.is_none(), "{args}");
        assert!(errors[0].contains(expected), "{args}: {errors:?}");
    }
    let (_, errors) = parse(Kind::Main, quote!(crate = "a", crate = "b"));
    assert_eq!(
        errors,
        ["duplicate option `crate`: remove this second `crate`"]
    );
}

#[test]
fn virtual_time_is_test_only() {
    let (opts, errors) = parse(Kind::Main, quote!(virtual_time = true));
    assert!(opts.virtual_time.is_none());
    assert_eq!(
        errors,
        [
            "`virtual_time` is only available on `#[asyncio::test]`: remove it from `#[asyncio::main]`"
        ]
    );
}

#[test]
fn duplicate_reported_even_after_a_bad_first_value() {
    let (opts, errors) = parse(Kind::Main, quote!(debug = 1, debug = true));
    assert!(opts.debug.is_none());
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[1],
        "duplicate option `debug`: remove this second `debug`"
    );
}

#[test]
fn values_must_be_bool_literals() {
    for args in [
        quote!(debug = 1),
        quote!(debug = "yes"),
        quote!(debug = yes),
        quote!(debug = !true),
    ] {
        let (_, errors) = parse(Kind::Main, args);
        assert_eq!(
            errors,
            ["`debug` takes `true` or `false`: write `debug = true` or `debug = false`"]
        );
    }
    let (_, errors) = parse(Kind::Main, quote!(debug = "false"));
    assert_eq!(
        errors,
        ["`debug` takes a bool, not a string: write `debug = false` without quotes"]
    );
}

#[test]
fn malformed_options() {
    let cases = [
        (
            quote!(debug),
            "`debug` needs a value: write `debug = true` or `debug = false`",
        ),
        (
            quote!(debug =),
            "expected `true` or `false` after `debug =`",
        ),
        (
            quote!(debug(true)),
            "expected `=` after `debug`, as in `debug = true`",
        ),
        (
            quote!("debug" = true),
            "expected an option name, as in `debug = true`",
        ),
        (
            quote!(a::b = true),
            "expected an option name such as `debug`, found the path `a::b`",
        ),
        (
            quote!(::debug = true),
            "expected an option name such as `debug`, found the path `::debug`",
        ),
    ];
    for (args, expected) in cases {
        let (_, errors) = parse(Kind::Main, args);
        assert_eq!(errors, [expected]);
    }
}

#[test]
fn recovers_at_commas() {
    let (opts, errors) = parse(
        Kind::Test,
        quote!(debug(x), nope, virtual_time = true 5, debug = true),
    );
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert_eq!(errors[2], "expected `,` between options");
    assert_eq!(
        errors[3],
        "duplicate option `debug`: remove this second `debug`"
    );
    assert_eq!(
        (flag(opts.debug.as_ref()), flag(opts.virtual_time.as_ref())),
        (None, Some(true))
    );
}

#[test]
fn expands_main() {
    let item = quote! {
        /// Docs.
        pub async fn main() -> Result<(), E> { #![allow(unused)] let x = 1; Ok(()) }
    };
    let out = expand(Kind::Main, quote!(debug = true), item);
    let expected = quote! {
        #[doc = r" Docs."]
        pub fn main() -> Result<(), E> {
            ::asyncio::__private::Runner::new().debug(true).run(async move {
                #![allow(unused)]
                if let ::core::option::Option::Some(__asyncio_ret) = ::core::option::Option::None::<Result<(), E> > {
                    #[allow(unreachable_code)]
                    return __asyncio_ret;
                }
                let x = 1;
                Ok(())
            })
        }
    };
    assert_eq!(out.to_string(), expected.to_string());
}

#[test]
fn expands_test_with_attrs() {
    let item = quote!(
        #[should_panic]
        async fn t() -> impl Sized {}
    );
    let out = expand(Kind::Test, quote!(virtual_time = false), item).to_string();
    assert!(out.starts_with(
        "# [:: core :: prelude :: v1 :: test] # [should_panic] fn t () -> impl Sized"
    ));
    assert!(
        out.contains(". virtual_time (false) . run (async move { })"),
        "{out}"
    );
}

#[test]
fn all_errors_together_with_a_fallback() {
    let item = quote!(
        #[test]
        fn t<T>(x: T)
        where
            T: Copy,
        {
        }
    );
    let out = expand(Kind::Test, quote!(debug = 3), item);
    assert_eq!(
        compile_errors(&out),
        [
            "`debug` takes `true` or `false`: write `debug = true` or `debug = false`",
            "`#[asyncio::test]` needs an `async fn`: add `async` before `fn`",
            "`#[asyncio::test]` functions cannot be generic: remove the generic parameters",
            "`#[asyncio::test]` functions cannot take arguments: remove them",
            "`#[asyncio::test]` functions cannot have a `where` clause: remove it",
            "`#[asyncio::test]` already adds `#[test]`: remove this attribute",
        ]
    );
    // The stand-in: no `#[test]`, the user's function nested and unused.
    let fallback = quote! {
        #[allow(dead_code)]
        fn t() {
            #[allow(dead_code)]
            async fn t<T>(x: T) where T: Copy, {}
        }
    };
    assert!(out.to_string().ends_with(&fallback.to_string()), "{out}");
}

#[test]
fn not_a_function() {
    let out = expand(
        Kind::Main,
        quote!(),
        quote!(
            struct S;
        ),
    );
    assert_eq!(
        compile_errors(&out),
        ["`#[asyncio::main]` can only be applied to an `async fn`"]
    );
    assert!(out.to_string().ends_with("struct S ;"));
}

#[test]
fn recognises_builtin_test_attrs() {
    use super::validate::is_test_attr;
    let yes: [syn::Attribute; 3] = [
        syn::parse_quote!(#[test]),
        syn::parse_quote!(#[::core::prelude::v1::test]),
        syn::parse_quote!(#[std::prelude::rust_2024::test]),
    ];
    assert!(yes.iter().all(is_test_attr));
    let no: [syn::Attribute; 2] = [
        syn::parse_quote!(#[tokio::test]),
        syn::parse_quote!(#[test_case(1)]),
    ];
    assert!(!no.iter().any(is_test_attr));
}
