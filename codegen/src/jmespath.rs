//! The JMESPath of paginators and waiters, compiled into Rust.
//!
//! Paginators name their tokens and result keys, and waiters the values
//! their acceptors test, with JMESPath expressions over an operation's
//! output. The expression is parsed (by the `jmespath` crate), checked
//! against the output's shapes and turned into a Rust expression over the
//! output's fields: generated crates carry no JMESPath interpreter.
//!
//! The subset supported is what the AWS models use:
//!
//! - fields and sub-expressions (`Table.TableStatus`), list indexes
//!   (`Jobs[-1]`);
//! - projections: lists (`Items[].State`, `Items[*].State`), flattening
//!   (`Reservations[].Instances[].State.Name`), map values (`Attributes.*.Status`),
//!   filters (`Items[?Status == 'DISABLED']`);
//! - comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`) between strings (enums
//!   included), numbers or booleans; literals (`` `0` ``, `'text'`, `` `true` ``);
//! - `&&`, `||` and `!`, with JMESPath's truthiness; the function `length`;
//! - for endpoint context parameters (over an operation's input): the
//!   function `keys` (`keys(RequestItems)`, in sorted order: a map's Rust
//!   type has no order of its own) and flattened multi-select lists
//!   (`Items[*].[Put.TableName, Delete.TableName][]`).
//!
//! Anything else (other functions, other multi-selects, slices, pipes, nested
//! projections) is an error naming the expression. The compiled code is
//! typed: each expression evaluates to an `Option` of one value, or, for a
//! projection, a `Vec` of values (JMESPath's nulls dropped).
//!
//! A compiled expression reads the variable `cur` (an `Option<&Output>`)
//! and its result is used by the paginator and waiter emitters; resolution
//! compiles every expression once to check it.

use jmespath::ast::{Ast, Comparator};
use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Member, Operation, Service, ShapeId, ShapeKind};
use crate::naming::ident;

/// What a value is, as far as the compiled code is concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Base {
    /// The operation's output (`&Output`).
    Output,
    /// The operation's input (`&Input`), for endpoint context parameters.
    Input,
    /// A value of a model shape (`&T`, with `T` the shape's Rust type).
    Shape(ShapeId),
    /// A string (`&str`): a string or enum made comparable, or a literal.
    Str,
    /// A number (`f64`).
    Num,
    /// A boolean (`bool`).
    Bool,
}

/// The type of a compiled expression: `Option<base>`, or `Vec<base>` for a projection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ty {
    pub base: Base,
    pub many: bool,
}

impl Ty {
    fn one(base: Base) -> Self {
        Ty { base, many: false }
    }
    fn many(base: Base) -> Self {
        Ty { base, many: true }
    }
}

/// A compiled expression: its Rust code (reading `cur`) and type.
pub struct Compiled {
    pub tokens: TokenStream,
    pub ty: Ty,
}

/// Compiles `expr` over the output of `op`.
pub fn compile(service: &Service, op: &Operation, expr: &str) -> Result<Compiled, String> {
    compile_from(service, op, expr, Base::Output)
}

/// Compiles `expr` over the input of `op` (an `operationContextParams`
/// path; `cur` is then an `Option<&Input>`).
pub fn compile_input(service: &Service, op: &Operation, expr: &str) -> Result<Compiled, String> {
    compile_from(service, op, expr, Base::Input)
}

/// The input member of `op` named `name` (in the model), read from `cur`
/// (an `Option<&Input>`), as a compiled expression.
pub fn input_member(service: &Service, op: &Operation, name: &str) -> Result<Compiled, String> {
    Compiler { service, op }.field(name, Ty::one(Base::Input))
}

fn compile_from(
    service: &Service,
    op: &Operation,
    expr: &str,
    root: Base,
) -> Result<Compiled, String> {
    let ast = jmespath::parse(expr).map_err(|e| {
        let message = e.to_string();
        let first = message.lines().next().unwrap_or_default().to_owned();
        format!("`{expr}` is not a JMESPath expression: {first}")
    })?;
    let compiler = Compiler { service, op };
    compiler
        .node(&ast, Ty::one(root))
        .map_err(|e| format!("`{expr}`: {e}"))
}

/// The kinds the compiler tells apart.
enum Kind<'a> {
    Struct(&'a [Member], String),
    List(ShapeId),
    Map(ShapeId),
    Str,
    Enum,
    Num(&'static str),
    Bool,
    Other,
}

struct Compiler<'a> {
    service: &'a Service,
    op: &'a Operation,
}

impl<'a> Compiler<'a> {
    fn kind(&self, base: Base) -> Kind<'a> {
        let id = match base {
            Base::Output => {
                return Kind::Struct(
                    &self.op.output.structure.members,
                    format!("the output of `{}`", self.op.name),
                )
            }
            Base::Input => {
                return Kind::Struct(
                    &self.op.input.structure.members,
                    format!("the input of `{}`", self.op.name),
                )
            }
            Base::Str => return Kind::Str,
            Base::Num => return Kind::Num("f64"),
            Base::Bool => return Kind::Bool,
            Base::Shape(id) => id,
        };
        let shape = self.service.shape(id);
        match &shape.kind {
            ShapeKind::Structure(s) => Kind::Struct(&s.members, format!("shape `{}`", shape.name)),
            ShapeKind::List { member } => Kind::List(*member),
            ShapeKind::Map { value, .. } => Kind::Map(*value),
            ShapeKind::String => Kind::Str,
            ShapeKind::Enum(_) => Kind::Enum,
            ShapeKind::Boolean => Kind::Bool,
            ShapeKind::Byte => Kind::Num("i8"),
            ShapeKind::Short => Kind::Num("i16"),
            ShapeKind::Integer => Kind::Num("i32"),
            ShapeKind::Long => Kind::Num("i64"),
            ShapeKind::Float => Kind::Num("f32"),
            ShapeKind::Double => Kind::Num("f64"),
            ShapeKind::Union(_)
            | ShapeKind::Blob
            | ShapeKind::StreamingBlob
            | ShapeKind::Timestamp { .. }
            | ShapeKind::Document => Kind::Other,
        }
    }

    fn describe(&self, ty: Ty) -> String {
        let one = match ty.base {
            Base::Output => "the output".to_owned(),
            Base::Input => "the input".to_owned(),
            Base::Str => "a string".to_owned(),
            Base::Num => "a number".to_owned(),
            Base::Bool => "a boolean".to_owned(),
            Base::Shape(id) => {
                let shape = self.service.shape(id);
                let what = match &shape.kind {
                    ShapeKind::Structure(_) => "structure",
                    ShapeKind::List { .. } => "list",
                    ShapeKind::Map { .. } => "map",
                    ShapeKind::String | ShapeKind::Enum(_) => "string",
                    ShapeKind::Boolean => "boolean",
                    ShapeKind::Union(_) => "union",
                    ShapeKind::Timestamp { .. } => "timestamp",
                    ShapeKind::Blob | ShapeKind::StreamingBlob => "blob",
                    ShapeKind::Document => "document",
                    _ => "number",
                };
                format!("{what} `{}`", shape.name)
            }
        };
        if ty.many {
            format!("a projection of {one}")
        } else {
            one
        }
    }

    fn node(&self, ast: &Ast, cur: Ty) -> Result<Compiled, String> {
        match ast {
            Ast::Identity { .. } => Ok(Compiled {
                tokens: quote!(cur),
                ty: cur,
            }),
            Ast::Field { name, .. } => self.field(name, cur),
            Ast::Subexpr { lhs, rhs, .. } => {
                let left = self.node(lhs, cur)?;
                if left.ty.many {
                    return Err("a projection cannot be followed by a sub-expression here".into());
                }
                if matches!(**rhs, Ast::Identity { .. }) {
                    return Ok(left);
                }
                let right = self.node(rhs, left.ty)?;
                let (l, r) = (left.tokens, right.tokens);
                Ok(Compiled {
                    tokens: quote!({ let cur = #l; #r }),
                    ty: right.ty,
                })
            }
            Ast::Index { idx, .. } => {
                let Kind::List(member) = self.kind_of_one(cur, "an index")? else {
                    return Err(format!("indexes {}, not a list", self.describe(cur)));
                };
                let tokens = if *idx >= 0 {
                    let i = *idx as usize;
                    quote!(cur.and_then(|list| list.get(#i)))
                } else {
                    let back = idx.unsigned_abs() as usize;
                    quote!(cur.and_then(|list| list.len().checked_sub(#back).and_then(|i| list.get(i))))
                };
                Ok(Compiled {
                    tokens,
                    ty: Ty::one(Base::Shape(member)),
                })
            }
            Ast::Flatten { node, .. } => {
                if let Some(flat) = self.flat_multi_list(node, cur)? {
                    return Ok(flat);
                }
                let inner = self.node(node, cur)?;
                self.flatten(inner)
            }
            Ast::ObjectValues { node, .. } => {
                let inner = self.node(node, cur)?;
                if inner.ty.many {
                    return Err("`*` of a projection is not supported".into());
                }
                let Kind::Map(value) = self.kind(inner.ty.base) else {
                    return Err(format!(
                        "`*` takes the values of a map, not of {}",
                        self.describe(inner.ty)
                    ));
                };
                let t = inner.tokens;
                Ok(Compiled {
                    tokens: quote!(#t.map(|map| map.values().collect::<::std::vec::Vec<_>>()).unwrap_or_default()),
                    ty: Ty::many(Base::Shape(value)),
                })
            }
            Ast::Projection { lhs, rhs, .. } => {
                let left = self.node(lhs, cur)?;
                let left = if left.ty.many {
                    left
                } else {
                    self.flatten(left)?
                };
                if matches!(**rhs, Ast::Identity { .. }) {
                    return Ok(left);
                }
                let right = self.node(rhs, Ty::one(left.ty.base))?;
                if right.ty.many {
                    return Err("nested projections are not supported".into());
                }
                let (l, r) = (left.tokens, right.tokens);
                Ok(Compiled {
                    tokens: quote! {
                        #l.into_iter()
                            .filter_map(|item| {
                                let cur = ::std::option::Option::Some(item);
                                #r
                            })
                            .collect::<::std::vec::Vec<_>>()
                    },
                    ty: Ty::many(right.ty.base),
                })
            }
            Ast::Condition {
                predicate, then, ..
            } => {
                let test = self.node(predicate, cur)?;
                let then = self.node(then, cur)?;
                if then.ty.many {
                    return Err("a filter's result cannot be a projection".into());
                }
                let truthy = self.truthy(&test.tokens, test.ty);
                let t = then.tokens;
                Ok(Compiled {
                    tokens: quote!(if #truthy { #t } else { ::std::option::Option::None }),
                    ty: then.ty,
                })
            }
            Ast::Comparison {
                comparator,
                lhs,
                rhs,
                ..
            } => {
                let left = self.scalar(self.node(lhs, cur)?)?;
                let right = self.scalar(self.node(rhs, cur)?)?;
                if left.ty != right.ty {
                    return Err(format!(
                        "compares {} with {}",
                        self.describe(left.ty),
                        self.describe(right.ty)
                    ));
                }
                let (l, r) = (left.tokens, right.tokens);
                let (op, ordered) = match comparator {
                    Comparator::Equal => (quote!(==), false),
                    Comparator::NotEqual => (quote!(!=), false),
                    Comparator::LessThan => (quote!(<), true),
                    Comparator::LessThanEqual => (quote!(<=), true),
                    Comparator::GreaterThan => (quote!(>), true),
                    Comparator::GreaterThanEqual => (quote!(>=), true),
                };
                let tokens = if !ordered {
                    quote!(::std::option::Option::Some(#l #op #r))
                } else if left.ty.base == Base::Num {
                    quote! {
                        match (#l, #r) {
                            (::std::option::Option::Some(a), ::std::option::Option::Some(b)) => ::std::option::Option::Some(a #op b),
                            _ => ::std::option::Option::None,
                        }
                    }
                } else {
                    return Err(format!(
                        "orders {}: only numbers are ordered",
                        self.describe(left.ty)
                    ));
                };
                Ok(Compiled {
                    tokens,
                    ty: Ty::one(Base::Bool),
                })
            }
            Ast::Literal { value, .. } => {
                let value: &jmespath::Variable = value;
                let (tokens, base) = match value {
                    jmespath::Variable::String(s) => (quote!(#s), Base::Str),
                    jmespath::Variable::Bool(b) => (quote!(#b), Base::Bool),
                    jmespath::Variable::Number(n) => {
                        let Some(n) = n.as_f64().filter(|n| n.is_finite()) else {
                            return Err(format!("the number {n} is out of range"));
                        };
                        let n = proc_macro2::Literal::f64_suffixed(n);
                        (quote!(#n), Base::Num)
                    }
                    other => {
                        return Err(format!(
                            "the literal {} is not supported (strings, numbers and booleans are)",
                            serde_json::to_string(other).unwrap_or_default()
                        ))
                    }
                };
                Ok(Compiled {
                    tokens: quote!(::std::option::Option::Some(#tokens)),
                    ty: Ty::one(base),
                })
            }
            Ast::Function { name, args, .. } if name == "keys" && args.len() == 1 => {
                let arg = self.node(&args[0], cur)?;
                let Kind::Map(_) = self.kind_of_one(arg.ty, "`keys`")? else {
                    return Err(format!(
                        "`keys` of {} (maps have keys)",
                        self.describe(arg.ty)
                    ));
                };
                let t = arg.tokens;
                Ok(Compiled {
                    // Sorted: a `HashMap` has no order of its own, and the
                    // same input must give the same parameters.
                    tokens: quote!(#t.map(|map| {
                        let mut keys = map.keys().map(|key| key.as_str()).collect::<::std::vec::Vec<_>>();
                        keys.sort_unstable();
                        keys
                    }).unwrap_or_default()),
                    ty: Ty::many(Base::Str),
                })
            }
            Ast::Function { name, args, .. } => {
                if name != "length" || args.len() != 1 {
                    return Err(format!(
                        "the function `{name}` with {} arguments is not supported (only `length` of one, and `keys` of one, are)",
                        args.len()
                    ));
                }
                let arg = self.node(&args[0], cur)?;
                let t = &arg.tokens;
                let tokens = if arg.ty.many {
                    quote!(::std::option::Option::Some(#t.len() as f64))
                } else {
                    match self.kind(arg.ty.base) {
                        Kind::Str => quote!(#t.map(|s| s.chars().count() as f64)),
                        Kind::List(_) | Kind::Map(_) => quote!(#t.map(|l| l.len() as f64)),
                        _ => {
                            return Err(format!(
                                "`length` of {} (strings, lists and maps have one)",
                                self.describe(arg.ty)
                            ))
                        }
                    }
                };
                Ok(Compiled {
                    tokens,
                    ty: Ty::one(Base::Num),
                })
            }
            Ast::Not { node, .. } => {
                let inner = self.node(node, cur)?;
                let falsy = self.falsy(&inner.tokens, inner.ty);
                Ok(Compiled {
                    tokens: quote!(::std::option::Option::Some(#falsy)),
                    ty: Ty::one(Base::Bool),
                })
            }
            Ast::And { lhs, rhs, .. } => {
                let left = self.scalar(self.node(lhs, cur)?)?;
                let right = self.scalar(self.node(rhs, cur)?)?;
                if left.ty != Ty::one(Base::Bool) || right.ty != left.ty {
                    return Err(format!(
                        "`&&` of {} and {}: only booleans are supported",
                        self.describe(left.ty),
                        self.describe(right.ty)
                    ));
                }
                let (l, r) = (left.tokens, right.tokens);
                Ok(Compiled {
                    tokens: quote!({
                        let left = #l;
                        if left == ::std::option::Option::Some(true) { #r } else { left }
                    }),
                    ty: left.ty,
                })
            }
            Ast::Or { lhs, rhs, .. } => {
                let mut left = self.node(lhs, cur)?;
                let mut right = self.node(rhs, cur)?;
                if left.ty != right.ty {
                    left = self.scalar(left)?;
                    right = self.scalar(right)?;
                }
                if left.ty != right.ty || left.ty.many {
                    return Err(format!(
                        "`||` of {} and {}: both sides must have one type",
                        self.describe(left.ty),
                        self.describe(right.ty)
                    ));
                }
                let truthy = self.truthy(&quote!(left), left.ty);
                let (l, r) = (left.tokens, right.tokens);
                Ok(Compiled {
                    tokens: quote!({
                        let left = #l;
                        if #truthy { left } else { #r }
                    }),
                    ty: left.ty,
                })
            }
            Ast::Expref { .. } => Err("`&` expressions are not supported".into()),
            Ast::MultiList { .. } | Ast::MultiHash { .. } => {
                Err("multi-select lists and hashes are not supported".into())
            }
            Ast::Slice { .. } => Err("slices are not supported".into()),
        }
    }

    /// `[a, b][]` and `list[*].[a, b][]`: the multi-select list's values
    /// (of one type), nulls dropped, flattened into one projection; `None`
    /// when `node` is no multi-select list (nor a projection onto one).
    fn flat_multi_list(&self, node: &Ast, cur: Ty) -> Result<Option<Compiled>, String> {
        let (items, elements) = match node {
            Ast::MultiList { elements, .. } => (None, elements),
            Ast::Projection { lhs, rhs, .. } => match &**rhs {
                Ast::MultiList { elements, .. } => (Some(&**lhs), elements),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        let (left, item) = match items {
            Some(lhs) => {
                let left = self.node(lhs, cur)?;
                let left = if left.ty.many {
                    left
                } else {
                    self.flatten(left)?
                };
                let item = Ty::one(left.ty.base);
                (Some(left), item)
            }
            None => (None, cur),
        };
        let mut values = Vec::new();
        let mut ty = None;
        for element in elements {
            let value = self.scalar(self.node(element, item)?)?;
            if value.ty.many {
                return Err("a multi-select list of projections is not supported".into());
            }
            match ty {
                None => ty = Some(value.ty),
                Some(ty) if ty != value.ty => {
                    return Err(format!(
                        "a multi-select list of {} and {}: its values must have one type",
                        self.describe(ty),
                        self.describe(value.ty)
                    ))
                }
                Some(_) => {}
            }
            values.push(value.tokens);
        }
        let Some(ty) = ty else {
            return Err("an empty multi-select list".into());
        };
        let select = quote!([#(#values),*].into_iter().flatten());
        let tokens = match left {
            Some(left) => {
                let l = left.tokens;
                quote! {
                    #l.into_iter()
                        .flat_map(|item| {
                            let cur = ::std::option::Option::Some(item);
                            #select
                        })
                        .collect::<::std::vec::Vec<_>>()
                }
            }
            None => quote!(#select.collect::<::std::vec::Vec<_>>()),
        };
        Ok(Some(Compiled {
            tokens,
            ty: Ty::many(ty.base),
        }))
    }

    fn kind_of_one(&self, ty: Ty, what: &str) -> Result<Kind<'a>, String> {
        if ty.many {
            return Err(format!("{what} of a projection is not supported"));
        }
        Ok(self.kind(ty.base))
    }

    fn field(&self, name: &str, cur: Ty) -> Result<Compiled, String> {
        let Kind::Struct(members, owner) = self.kind_of_one(cur, "a field")? else {
            return Err(format!(
                "`{name}` is a field of {}, which has none",
                self.describe(cur)
            ));
        };
        let Some(member) = members.iter().find(|m| m.name == name) else {
            return Err(format!("`{name}` is not a member of {owner}"));
        };
        let field = ident(&member.rust_name);
        let tokens = if member.boxed {
            quote!(cur.and_then(|value| value.#field.as_deref()))
        } else {
            quote!(cur.and_then(|value| value.#field.as_ref()))
        };
        Ok(Compiled {
            tokens,
            ty: Ty::one(Base::Shape(member.target)),
        })
    }

    /// `[]` of a list (or of a projection of lists): a projection of the items.
    fn flatten(&self, inner: Compiled) -> Result<Compiled, String> {
        let t = inner.tokens;
        if !inner.ty.many {
            let Kind::List(member) = self.kind(inner.ty.base) else {
                return Err(format!("projects {}, not a list", self.describe(inner.ty)));
            };
            return Ok(Compiled {
                tokens: quote!(#t.map(|list| list.iter().collect::<::std::vec::Vec<_>>()).unwrap_or_default()),
                ty: Ty::many(Base::Shape(member)),
            });
        }
        match self.kind(inner.ty.base) {
            Kind::List(member) => Ok(Compiled {
                tokens: quote!(#t.into_iter().flat_map(|list| list.iter()).collect::<::std::vec::Vec<_>>()),
                ty: Ty::many(Base::Shape(member)),
            }),
            _ => Ok(Compiled {
                tokens: t,
                ty: inner.ty,
            }),
        }
    }

    /// Strings, enums, numbers and booleans of shapes as `&str`, `f64` and `bool`.
    pub fn scalar(&self, value: Compiled) -> Result<Compiled, String> {
        let Base::Shape(_) = value.ty.base else {
            return Ok(value);
        };
        // `.copied()` or `.map(..)`, on an `Option` or on an iterator alike.
        let (adapt, base) = match self.kind(value.ty.base) {
            Kind::Str => (quote!(map(|s| s.as_str())), Base::Str),
            Kind::Enum => (quote!(map(|e| e.as_str())), Base::Str),
            Kind::Bool => (quote!(copied()), Base::Bool),
            Kind::Num("f64") => (quote!(copied()), Base::Num),
            Kind::Num("i64") => (quote!(map(|n| *n as f64)), Base::Num),
            Kind::Num(_) => (quote!(map(|n| f64::from(*n))), Base::Num),
            _ => return Ok(value),
        };
        let t = value.tokens;
        let tokens = if value.ty.many {
            quote!(#t.into_iter().#adapt.collect::<::std::vec::Vec<_>>())
        } else {
            quote!(#t.#adapt)
        };
        Ok(Compiled {
            tokens,
            ty: Ty {
                base,
                many: value.ty.many,
            },
        })
    }

    /// JMESPath's truthiness of a value: not null, not false, not empty.
    fn truthy(&self, tokens: &TokenStream, ty: Ty) -> TokenStream {
        if ty.many {
            return quote!(!#tokens.is_empty());
        }
        match self.kind(ty.base) {
            Kind::Bool if ty.base == Base::Bool => {
                quote!(#tokens == ::std::option::Option::Some(true))
            }
            Kind::Bool => quote!(#tokens.is_some_and(|b| *b)),
            Kind::Str | Kind::List(_) | Kind::Map(_) => {
                quote!(#tokens.is_some_and(|v| !v.is_empty()))
            }
            _ => quote!(#tokens.is_some()),
        }
    }

    /// The opposite of [`Self::truthy`], written without a negation.
    fn falsy(&self, tokens: &TokenStream, ty: Ty) -> TokenStream {
        if ty.many {
            return quote!(#tokens.is_empty());
        }
        match self.kind(ty.base) {
            Kind::Bool if ty.base == Base::Bool => {
                quote!(#tokens != ::std::option::Option::Some(true))
            }
            Kind::Bool => quote!(#tokens.is_none_or(|b| !*b)),
            Kind::Str | Kind::List(_) | Kind::Map(_) => {
                quote!(#tokens.is_none_or(|v| v.is_empty()))
            }
            _ => quote!(#tokens.is_none()),
        }
    }
}

/// Strings, enums, numbers and booleans of shapes as `&str`, `f64` and `bool`, for callers outside this module.
pub fn scalar(service: &Service, op: &Operation, value: Compiled) -> Result<Compiled, String> {
    Compiler { service, op }.scalar(value)
}

/// JMESPath's truthiness of a compiled value, for callers outside this module.
pub fn truthy(service: &Service, op: &Operation, tokens: &TokenStream, ty: Ty) -> TokenStream {
    Compiler { service, op }.truthy(tokens, ty)
}

/// Whether values of shapes `a` and `b` have one Rust type.
pub fn same_type(service: &Service, a: ShapeId, b: ShapeId) -> bool {
    if a == b {
        return true;
    }
    match (&service.shape(a).kind, &service.shape(b).kind) {
        (ShapeKind::List { member: x }, ShapeKind::List { member: y }) => {
            same_type(service, *x, *y)
        }
        (ShapeKind::Map { value: x, .. }, ShapeKind::Map { value: y, .. }) => {
            same_type(service, *x, *y)
        }
        (ShapeKind::Enum(_), _) | (_, ShapeKind::Enum(_)) => false,
        (ShapeKind::Structure(_), _) | (_, ShapeKind::Structure(_)) => false,
        (ShapeKind::Union(_), _) | (_, ShapeKind::Union(_)) => false,
        (x, y) => std::mem::discriminant(x) == std::mem::discriminant(y),
    }
}
