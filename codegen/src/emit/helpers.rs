//! Paginators and waiters: per paginated operation, its
//! `sdk_runtime::paginator::Paginated` impl and a `paginator` module (the
//! paginator a fluent builder's `into_paginator()` gives); per waiter, a
//! builder in `src/waiters.rs` that a `Client::wait_until_<name>()` method
//! gives. JMESPath expressions become Rust through [`crate::jmespath`],
//! which resolution has already run on each of them.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attrs, doc_line, inner_doc_attrs, rust_type};
use crate::ir::{
    AcceptorState, Expected, Matcher, Operation, Paginator, Service, ShapeKind, Waiter,
};
use crate::jmespath::{self, Base, Compiled};
use crate::naming::{derived, ident};

/// Compiles an expression resolution has checked; a failure now is a generator bug.
fn compiled(service: &Service, op: &Operation, expr: &str) -> Compiled {
    match jmespath::compile(service, op, expr) {
        Ok(compiled) => compiled,
        Err(e) => panic!("an expression resolution accepted does not compile: {e}"),
    }
}

fn scalar(service: &Service, op: &Operation, value: Compiled) -> Compiled {
    match jmespath::scalar(service, op, value) {
        Ok(compiled) => compiled,
        Err(e) => panic!("an expression resolution accepted does not compile: {e}"),
    }
}

/// The `Paginated` impl of `op` and its `paginator` module.
pub fn operation_paginator(
    service: &Service,
    op: &Operation,
    paginator: &Paginator,
) -> TokenStream {
    let op_ident = ident(&op.rust_name);
    let input = ident(&op.input.rust_name);
    let output = ident(&op.output.rust_name);
    let input_builder = ident(&derived::builder(&op.input.rust_name));
    let pager = ident(&derived::paginator(&op.rust_name));
    let pager_items = ident(&derived::paginator_items(&op.rust_name));

    // The tokens: one value, or a tuple of options.
    let members = &op.input.structure.members;
    let token_types: Vec<TokenStream> = paginator
        .tokens
        .iter()
        .map(|(member, _)| rust_type(service, members[*member].target))
        .collect();
    let reads: Vec<TokenStream> = paginator
        .tokens
        .iter()
        .map(|(_, expr)| {
            let value = compiled(service, op, expr);
            let owned = if value.ty.base == Base::Str {
                quote!(.map(::std::borrow::ToOwned::to_owned))
            } else {
                quote!(.cloned())
            };
            let truthy = jmespath::truthy(service, op, &quote!(token), value.ty);
            let t = value.tokens;
            quote!({
                let token = #t;
                if #truthy { token #owned } else { ::std::option::Option::None }
            })
        })
        .collect();
    let more = paginator.more_results.as_ref().map(|expr| {
        let value = scalar(service, op, compiled(service, op, expr));
        let t = value.tokens;
        quote! {
            if #t != ::std::option::Option::Some(true) {
                return ::std::option::Option::None;
            }
        }
    });
    let assign = |member: usize, value: TokenStream| {
        let field = ident(&members[member].rust_name);
        if members[member].boxed {
            quote!(input.#field = #value.map(::std::boxed::Box::new);)
        } else {
            quote!(input.#field = #value;)
        }
    };
    let (token_type, next_token, set_token) = if paginator.tokens.len() == 1 {
        let read = &reads[0];
        let ty = &token_types[0];
        let set = assign(
            paginator.tokens[0].0,
            quote!(::std::option::Option::Some(token)),
        );
        (quote!(#ty), quote!(#read), set)
    } else {
        let indexes: Vec<syn::Index> = (0..paginator.tokens.len()).map(syn::Index::from).collect();
        let sets = paginator
            .tokens
            .iter()
            .zip(&indexes)
            .map(|((member, _), i)| assign(*member, quote!(token.#i)));
        let slots: Vec<TokenStream> = indexes.iter().map(|i| quote!(tokens.#i)).collect();
        let nones = slots.iter().map(|slot| quote!(#slot.is_none()));
        (
            quote!((#(::std::option::Option<#token_types>),*)),
            quote! {
                let tokens = (#(#reads),*);
                if #(#nones)&&* {
                    ::std::option::Option::None
                } else {
                    ::std::option::Option::Some(tokens)
                }
            },
            quote!(#(#sets)*),
        )
    };

    let page_size = paginator.limit.map(|member| {
        let member = &members[member];
        let field = ident(&member.rust_name);
        let (ty, value) = match service.shape(member.target).kind {
            ShapeKind::String => (quote!(i32), quote!(size.to_string())),
            _ => (rust_type(service, member.target), quote!(size)),
        };
        let doc = doc_line(&format!(
            "Asks for at most `size` results per page (sets `{}`).",
            member.rust_name
        ));
        quote! {
            #doc
            pub fn page_size(mut self, size: #ty) -> Self {
                self.input = self.input.#field(#value);
                self
            }
        }
    });

    let items = paginator.items.map(|item| {
        let item_ty = rust_type(service, item);
        let key = &paginator.result_keys[0];
        let simple = op
            .output
            .structure
            .members
            .iter()
            .find(|m| m.name == *key && !m.boxed);
        let take = match simple {
            Some(member) => {
                let field = ident(&member.rust_name);
                quote!(output.#field.unwrap_or_default())
            }
            None => {
                let value = compiled(service, op, key);
                let t = value.tokens;
                if value.ty.many {
                    quote!({
                        let cur = ::std::option::Option::Some(&output);
                        #t.into_iter().cloned().collect()
                    })
                } else {
                    quote!({
                        let cur = ::std::option::Option::Some(&output);
                        #t.cloned().unwrap_or_default()
                    })
                }
            }
        };
        let doc = doc_line(&format!(
            "The items of every page: the `{key}` of each, one by one; made by [`{pager}::items`]."
        ));
        quote! {
            #doc
            #[derive(Clone, Debug)]
            pub struct #pager_items(#pager);

            impl #pager_items {
                /// The items, through `next().await`.
                pub fn send(self) -> ::sdk_runtime::paginator::ItemStream<super::#op_ident, #item_ty> {
                    ::sdk_runtime::paginator::ItemStream::new(self.0.send(), items)
                }

                /// The items as an [`Iterator`], each page fetched on this thread
                /// (see [`send_blocking`](#pager::send_blocking)).
                pub fn send_blocking(self) -> ::sdk_runtime::paginator::BlockingItems<super::#op_ident, #item_ty> {
                    self.send().blocking()
                }
            }

            /// The items of the result key of one page.
            fn items(output: super::#output) -> ::std::vec::Vec<#item_ty> {
                #take
            }
        }
    });
    let items_method = paginator.items.map(|_| {
        let doc = doc_line(&format!(
            "The items of every page (the `{}` of each) instead of the pages.",
            paginator.result_keys[0]
        ));
        quote! {
            #doc
            pub fn items(self) -> #pager_items {
                #pager_items(self)
            }
        }
    });
    let module_doc = inner_doc_attrs(&[format!("The paginator of `{}`.", op.name)]);
    let rules = stop_rules_doc(paginator);
    let doc = doc_line(&format!(
        "The pages of `{}`; made by the fluent builder's `into_paginator()`.",
        op.name
    ));
    quote! {
        impl ::sdk_runtime::paginator::Paginated for #op_ident {
            type Token = #token_type;

            fn next_token(output: &#output) -> ::std::option::Option<Self::Token> {
                let cur = ::std::option::Option::Some(output);
                #more
                #next_token
            }

            fn set_token(input: &mut #input, token: Self::Token) {
                #set_token
            }
        }

        pub mod paginator {
            #module_doc

            #doc
            ///
            #rules
            #[derive(Clone, Debug)]
            pub struct #pager {
                config: ::sdk_runtime::Config,
                input: super::builders::#input_builder,
            }

            impl #pager {
                pub(crate) fn new(config: ::sdk_runtime::Config, input: super::builders::#input_builder) -> Self {
                    Self { config, input }
                }

                #page_size

                #items_method

                /// The pages, through `next().await`; the input is built (and checked) at the first.
                pub fn send(self) -> ::sdk_runtime::paginator::PageStream<super::#op_ident> {
                    ::sdk_runtime::paginator::PageStream::new(self.config, &crate::SERVICE, self.input.build())
                }

                /// The pages as an [`Iterator`], each fetched on this thread
                /// without an async runtime (do not call it from an async
                /// runtime's worker thread: it blocks it).
                pub fn send_blocking(self) -> ::sdk_runtime::paginator::BlockingPages<super::#op_ident> {
                    self.send().blocking()
                }
            }

            #items
        }
    }
}

fn stop_rules_doc(paginator: &Paginator) -> TokenStream {
    let tokens: Vec<String> = paginator
        .tokens
        .iter()
        .map(|(_, expr)| format!("`{expr}`"))
        .collect();
    let mut lines = vec![format!(
        "Each page's {} names the next; the pages end when it is absent or empty, or repeats the one just sent (that page is still returned).",
        tokens.join(", ")
    )];
    if let Some(more) = &paginator.more_results {
        lines.push(format!("They also end when `{more}` is false."));
    }
    if paginator.result_keys.len() > 1 || !paginator.non_aggregate_keys.is_empty() {
        let keys: Vec<String> = paginator
            .result_keys
            .iter()
            .map(|k| format!("`{k}`"))
            .collect();
        lines.push(format!("Each page holds the results {}.", keys.join(", ")));
    }
    if !paginator.non_aggregate_keys.is_empty() {
        let keys: Vec<String> = paginator
            .non_aggregate_keys
            .iter()
            .map(|k| format!("`{k}`"))
            .collect();
        lines.push(format!(
            "{} are the same on every page: read them from any.",
            keys.join(", ")
        ));
    }
    doc_attrs(&lines)
}

/// The fluent builder's `into_paginator()`.
pub fn into_paginator(op: &Operation) -> TokenStream {
    let module = ident(&op.module);
    let pager = ident(&derived::paginator(&op.rust_name));
    quote! {
        /// Pages through the results: the input set so far, sent once per page.
        pub fn into_paginator(self) -> crate::operation::#module::paginator::#pager {
            crate::operation::#module::paginator::#pager::new(self.config, self.input)
        }
    }
}

/// The `Client` method of a waiter.
pub fn client_method(waiter: &Waiter) -> TokenStream {
    let method = ident(&waiter.method);
    let builder = ident(&waiter.rust_name);
    let docs = doc_attrs(&waiter.docs);
    quote! {
        #docs
        ///
        /// Set the input with the builder's setters, then call `wait(max_wait).await` (or `wait_blocking(max_wait)`).
        pub fn #method(&self) -> crate::waiters::#builder {
            crate::waiters::#builder::new(self.config.clone())
        }
    }
}

/// `src/waiters.rs`: a builder per waiter.
pub fn waiters_rs(service: &Service) -> TokenStream {
    let builders = service.waiters.iter().map(|w| waiter(service, w));
    let docs = inner_doc_attrs(&[
        "Waiters: per waiter a builder, made by a `Client::wait_until_*` method, that calls"
            .to_owned(),
        "an operation until the result says the state waited for (see [`sdk_runtime::waiter`])."
            .to_owned(),
    ]);
    quote! {
        #docs

        pub use ::sdk_runtime::waiter::{WaitError, Waited};

        #(#builders)*
    }
}

fn waiter(service: &Service, waiter: &Waiter) -> TokenStream {
    let op = &service.operations[waiter.operation];
    let module = ident(&op.module);
    let op_ident = ident(&op.rust_name);
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));
    let input_builder = ident(&derived::builder(&op.input.rust_name));
    let builder = ident(&waiter.rust_name);
    let setters = super::client::input_setters(service, op);
    let name = &waiter.name;
    let delay = waiter.delay;
    let max_attempts = waiter.max_attempts;
    let acceptors = waiter.acceptors.iter().map(|a| {
        let state = match a.state {
            AcceptorState::Success => quote!(Success),
            AcceptorState::Failure => quote!(Failure),
            AcceptorState::Retry => quote!(Retry),
        };
        let description = &a.description;
        quote!(::sdk_runtime::waiter::Acceptor {
            state: ::sdk_runtime::waiter::AcceptorState::#state,
            description: #description,
        })
    });
    let tests = waiter.acceptors.iter().enumerate().map(|(i, a)| {
        let test = acceptor_test(service, op, &a.matcher);
        quote! {
            if #test {
                return ::std::option::Option::Some(#i);
            }
        }
    });
    let mut docs = waiter.docs.clone();
    docs.push(String::new());
    docs.push(format!(
        "Calls `{}` every {} s or more (jittered, growing up to 120 s), {} times at most; the acceptors, first match wins:",
        op.name, waiter.delay, waiter.max_attempts
    ));
    docs.push(String::new());
    for (i, a) in waiter.acceptors.iter().enumerate() {
        docs.push(format!("{i}. {}", a.description.replace('`', "")));
    }
    let docs = doc_attrs(&docs);
    let result = quote! {
        ::std::result::Result<
            ::sdk_runtime::waiter::Waited<crate::operation::#module::#output, crate::operation::#module::#error>,
            ::sdk_runtime::waiter::WaitError<crate::operation::#module::#output, crate::operation::#module::#error>,
        >
    };
    quote! {
        #docs
        #[derive(Clone, Debug)]
        pub struct #builder {
            config: ::sdk_runtime::Config,
            input: crate::operation::#module::builders::#input_builder,
        }

        impl #builder {
            const SPEC: ::sdk_runtime::waiter::WaiterSpec = ::sdk_runtime::waiter::WaiterSpec {
                name: #name,
                min_delay: ::std::time::Duration::from_secs(#delay),
                max_delay: ::sdk_runtime::waiter::DEFAULT_MAX_DELAY,
                max_attempts: #max_attempts,
                acceptors: &[#(#acceptors),*],
            };

            pub(crate) fn new(config: ::sdk_runtime::Config) -> Self {
                Self {
                    config,
                    input: ::std::default::Default::default(),
                }
            }

            /// The input set so far.
            pub fn as_input(&self) -> &crate::operation::#module::builders::#input_builder {
                &self.input
            }

            /// Calls the operation until an acceptor ends the wait, the
            /// attempts are used up, or `max_wait` is.
            pub async fn wait(self, max_wait: ::std::time::Duration) -> #result {
                ::sdk_runtime::waiter::wait::<crate::operation::#module::#op_ident>(
                    &self.config,
                    &crate::SERVICE,
                    self.input.build(),
                    &Self::SPEC,
                    Self::matcher,
                    max_wait,
                )
                .await
            }

            /// As [`wait`](Self::wait), on this thread without an async
            /// runtime (do not call it from an async runtime's worker thread:
            /// it blocks it, sleeps included).
            pub fn wait_blocking(self, max_wait: ::std::time::Duration) -> #result {
                ::sdk_runtime::block_on::block_on(self.wait(max_wait))
            }

            /// The first acceptor that matches a call's result.
            fn matcher(
                polled: &::sdk_runtime::waiter::Polled<'_, crate::operation::#module::#output>,
            ) -> ::std::option::Option<usize> {
                #(#tests)*
                ::std::option::Option::None
            }

            #(#setters)*
        }
    }
}

/// How a path acceptor compares its value with what it expects.
#[derive(Clone, Copy)]
enum PathTest {
    One,
    All,
    Any,
}

fn acceptor_test(service: &Service, op: &Operation, matcher: &Matcher) -> TokenStream {
    let path = |expr: &str, expected: &Expected, how: PathTest| {
        let value = scalar(service, op, compiled(service, op, expr));
        let t = value.tokens;
        let each = match expected {
            Expected::String(s) => quote!(|v| *v == #s),
            Expected::Bool(true) => quote!(|v| *v),
            Expected::Bool(false) => quote!(|v| !*v),
        };
        let test = match (how, expected) {
            (PathTest::One, Expected::String(s)) => {
                quote!(value == ::std::option::Option::Some(#s))
            }
            (PathTest::One, Expected::Bool(b)) => quote!(value == ::std::option::Option::Some(#b)),
            (PathTest::All, _) => quote!(!value.is_empty() && value.iter().all(#each)),
            (PathTest::Any, Expected::String(s)) => quote!(value.contains(&#s)),
            (PathTest::Any, Expected::Bool(b)) => quote!(value.contains(&#b)),
        };
        quote! {
            polled.output.is_some_and(|output| {
                let cur = ::std::option::Option::Some(output);
                let value = #t;
                #test
            })
        }
    };
    match matcher {
        Matcher::Path { expr, expected } => path(expr, expected, PathTest::One),
        Matcher::PathAll { expr, expected } => path(expr, expected, PathTest::All),
        Matcher::PathAny { expr, expected } => path(expr, expected, PathTest::Any),
        Matcher::Status(status) => quote!(polled.status == ::std::option::Option::Some(#status)),
        Matcher::ErrorCode(code) => quote!(polled.error_code == ::std::option::Option::Some(#code)),
        Matcher::Failed(true) => quote!(polled.failed),
        Matcher::Failed(false) => quote!(!polled.failed),
    }
}
