//! The request-building pass over progenitor's client: every request's headers are built in one
//! map, once, and progenitor's `api-version` header is not generated.
//!
//! progenitor builds each request as
//!
//! ```text
//! let mut header_map = HeaderMap::with_capacity(n);
//! header_map.append(HeaderName::from_static("api-version"), ...);   // none of the providers reads it
//! ... header parameters appended ...
//! let mut request = client.client.post(url).header(ACCEPT, ...).json(&body).headers(header_map).build()?;
//! ```
//!
//! so `reqwest` allocates a second header map for `Accept` (and the body's `Content-Type`) and
//! then hashes every header of the first into it. After this pass:
//!
//! ```text
//! let mut header_map = HeaderMap::with_capacity(n + 3);   // what the body and the hooks add
//! header_map.append(ACCEPT, ...);
//! ... header parameters appended ...
//! let json_body = serde_json::to_vec(&body).map_err(...)?;
//! header_map.append(CONTENT_TYPE, "application/json");
//! let mut request = client.client.post(url).body(json_body).build()?;
//! header_map.extend(std::mem::take(request.headers_mut()));        // any the builder set
//! *request.headers_mut() = header_map;
//! ```
//!
//! The JSON body is written where `reqwest`'s `.json(&body)` would write it (the same bytes), so
//! that its `Content-Type` goes straight into the map instead of into a second map of its own.
//!
//! A path parameter whose type prints only URL-safe characters (a UUID, an integer) goes into the
//! URL as it prints, instead of `encode_path(&value.to_string())` (a string built, then scanned
//! and copied again for characters it cannot contain).
//!
//! The URL is built on the base URL parsed once: `format!("{}/v1/x/{}", client.baseurl, id)`
//! (which `reqwest` then parses whole, host and all, on every call) becomes
//! `request_url(&client.inner, &client.baseurl, format_args!("/v1/x/{}", id))`, which parses only
//! the path into a copy of the parsed base and gives the same URL.
//!
//! The pass is strict: a `send` that does not have this shape fails the generation, so a
//! progenitor upgrade that changes it is noticed rather than half-rewritten.

use std::collections::BTreeMap;

use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Block, Expr, ExprMethodCall, Fields, Item, Lit, Local, Pat, Stmt, Token};

/// Path parameter types whose `Display` prints only characters a path segment may hold as they
/// are (hex digits and hyphens, digits and a minus sign), as progenitor writes them.
const URL_SAFE_TYPES: &[&str] = &["::uuid::Uuid", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"];

/// Room the map needs after the generated code built it, besides the credential headers: the
/// body's `Content-Type`; in the runtime's `pre` hook, the `User-Agent`; one slot because
/// `reqwest` looks its default `Accept` up with `HeaderMap::entry`, which grows a full map even
/// when the header is there; and, below `reqwest`, hyper-util's `Host` and hyper's
/// `Content-Length`. Sized for all of them and for the spec's credential headers up front, the
/// map never grows. Sized without the last two, Iopole's map grew twice on its way to the wire,
/// which cost its call 1.0k instructions more than allocating the larger map at once.
const HEADERS_ADDED_LATER: usize = 5;

/// Rewrites every builder's `send`; returns how many requests were rewritten. `credential_headers`
/// is how many headers the spec's credentials add (the runtime's `pre` hook puts them on).
pub(crate) fn build_headers_once(file: &mut syn::File, credential_headers: usize) -> Result<usize, String> {
    let builder = super::module_items(file, "builder")?;
    let url_safe = url_safe_fields(builder);
    super::rewrite_sends(builder, |owner, send| {
        let name = owner.split('<').next().unwrap_or_default();
        let safe = url_safe.get(name).map(Vec::as_slice).unwrap_or_default();
        rewrite_send(&mut send.block, safe, HEADERS_ADDED_LATER + credential_headers)
    })
}

/// Per builder struct, the fields of a [`URL_SAFE_TYPES`] type (`Result<T, String>`).
fn url_safe_fields(builder: &[Item]) -> BTreeMap<String, Vec<String>> {
    let mut fields = BTreeMap::new();
    for item in builder {
        let Item::Struct(structure) = item else { continue };
        let Fields::Named(named) = &structure.fields else {
            continue;
        };
        let safe = named
            .named
            .iter()
            .filter(|field| {
                let ty = &field.ty;
                let ty = quote!(#ty).to_string().replace(' ', "");
                URL_SAFE_TYPES.iter().any(|safe| ty == format!("Result<{safe},String>"))
            })
            .filter_map(|field| field.ident.as_ref().map(ToString::to_string))
            .collect();
        fields.insert(structure.ident.to_string(), safe);
    }
    fields
}

/// In `let url = format!(...)`, `encode_path(&x.to_string())` becomes `x` for each URL-safe `x`.
fn plain_path_parameters(block: &mut Block, url_safe: &[String]) -> Result<(), String> {
    let Some(Stmt::Local(url)) = block.stmts.iter_mut().find(|stmt| local_named(stmt, "url").is_some()) else {
        return Err("no `url`".into());
    };
    let Some(init) = url.init.as_mut() else {
        return Err("`url` has no value".into());
    };
    let Expr::Macro(format) = &mut *init.expr else {
        return Err("`url` is not built by `format!`".into());
    };
    let mut args = format
        .mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .map_err(|e| format!("`url`'s `format!` does not parse: {e}"))?;
    for arg in args.iter_mut() {
        let text = quote!(#arg).to_string().replace(' ', "");
        if let Some(field) = url_safe
            .iter()
            .find(|field| text == format!("encode_path(&{field}.to_string())"))
        {
            let field = quote::format_ident!("{}", field);
            *arg = syn::parse_quote!(#field);
        }
    }
    format.mac.tokens = quote!(#args);
    Ok(())
}

/// `let url = format!("{}/path", client.baseurl, args..)` becomes
/// `let url = request_url(&client.inner, &client.baseurl, format_args!("/path", args..))
/// .map_err(Error::InvalidRequest)?`.
fn url_on_parsed_base(block: &mut Block) -> Result<(), String> {
    let Some(Stmt::Local(url)) = block.stmts.iter_mut().find(|stmt| local_named(stmt, "url").is_some()) else {
        return Err("no `url`".into());
    };
    let Some(init) = url.init.as_mut() else {
        return Err("`url` has no value".into());
    };
    let Expr::Macro(format) = &*init.expr else {
        return Err("`url` is not built by `format!`".into());
    };
    let args = format
        .mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .map_err(|e| format!("`url`'s `format!` does not parse: {e}"))?;
    let mut args = args.into_iter();
    let template = match args.next() {
        Some(Expr::Lit(syn::ExprLit {
            lit: Lit::Str(text), ..
        })) => text.value(),
        _ => return Err("`url`'s `format!` has no template".into()),
    };
    let path = template
        .strip_prefix("{}")
        .filter(|path| path.is_empty() || path.starts_with('/'))
        .ok_or_else(|| format!("`url`'s template {template:?} does not start with the base URL and a `/`"))?;
    let base = args.next().map(|base| quote!(#base).to_string().replace(' ', ""));
    if base.as_deref() != Some("client.baseurl") {
        return Err("`url`'s first value is not `client.baseurl`".into());
    }
    let rest: Vec<Expr> = args.collect();
    *init.expr = syn::parse_quote! {
        ::sdk_runtime::__private::request_url(
            &client.inner,
            &client.baseurl,
            format_args!(#path #(, #rest)*),
        )
        .map_err(Error::InvalidRequest)?
    };
    Ok(())
}

/// One `send` body.
fn rewrite_send(block: &mut Block, url_safe: &[String], added_later: usize) -> Result<(), String> {
    plain_path_parameters(block, url_safe)?;
    url_on_parsed_base(block)?;
    let map_at = block
        .stmts
        .iter()
        .position(|stmt| local_named(stmt, "header_map").is_some())
        .ok_or("no `header_map`")?;
    let api_version_at = block
        .stmts
        .iter()
        .position(is_api_version_append)
        .ok_or("no `api-version` header to leave out")?;
    let request_at = block
        .stmts
        .iter()
        .position(|stmt| local_named(stmt, "request").is_some())
        .ok_or("no `request`")?;
    if !(map_at < api_version_at && api_version_at < request_at) {
        return Err("`header_map`, its `api-version` and `request` are not in the expected order".into());
    }

    // The map: room for every header the request will carry.
    let Some(Stmt::Local(map)) = block.stmts.get_mut(map_at) else {
        return Err("`header_map` moved".into());
    };
    grow_capacity(map, added_later)?;

    // The request: `.header(ACCEPT, value)` and `.headers(header_map)` leave the chain.
    let Some(Stmt::Local(request)) = block.stmts.get_mut(request_at) else {
        return Err("`request` moved".into());
    };
    let init = request.init.as_mut().ok_or("`request` has no value")?;
    let Stripped {
        accept: accept_value,
        took_map,
        json,
    } = strip_chain(&mut init.expr)?;
    if !took_map {
        return Err("the request does not take `header_map`".into());
    }

    // `Accept` (progenitor sets none when no response has a body) goes first into the map, where
    // `api-version` was, and the map becomes the request's headers after the body set its
    // `Content-Type`.
    let accept = accept_value
        .map(|value| {
            syn::parse2::<Stmt>(quote! {
                header_map.append(::reqwest::header::ACCEPT, #value);
            })
            .map_err(|e| format!("cannot write the `Accept` header: {e}"))
        })
        .transpose()?;
    let adopt: [Stmt; 2] = [
        syn::parse2(quote! { header_map.extend(::std::mem::take(request.headers_mut())); })
            .map_err(|e| format!("cannot write the header merge: {e}"))?,
        syn::parse2(quote! { *request.headers_mut() = header_map; })
            .map_err(|e| format!("cannot write the header move: {e}"))?,
    ];
    let after_request = request_at + 1;
    block.stmts.splice(after_request..after_request, adopt);
    if let Some(json) = json {
        let written: [Stmt; 2] = [
            syn::parse2(quote! {
                let json_body = ::serde_json::to_vec(#json).map_err(|e| {
                    Error::InvalidRequest(format!("the request body cannot be written as JSON: {e}"))
                })?;
            })
            .map_err(|e| format!("cannot write the JSON body: {e}"))?,
            syn::parse2(quote! {
                header_map.append(
                    ::reqwest::header::CONTENT_TYPE,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                );
            })
            .map_err(|e| format!("cannot write the `Content-Type` header: {e}"))?,
        ];
        block.stmts.splice(request_at..request_at, written);
    }
    match accept {
        Some(accept) => block.stmts[api_version_at] = accept,
        None => drop(block.stmts.remove(api_version_at)),
    }
    Ok(())
}

/// `HeaderMap::with_capacity(n)` becomes `with_capacity(n + added_later)`; the slot progenitor
/// counted for `api-version` holds `Accept`.
fn grow_capacity(map: &mut Local, added_later: usize) -> Result<(), String> {
    let init = map.init.as_mut().ok_or("`header_map` has no value")?;
    let Expr::Call(call) = &mut *init.expr else {
        return Err("`header_map` is not built by `HeaderMap::with_capacity(n)`".into());
    };
    let function = &call.func;
    let (true, Some(Expr::Lit(literal))) = (
        quote!(#function)
            .to_string()
            .replace(' ', "")
            .ends_with("HeaderMap::with_capacity"),
        call.args.first_mut(),
    ) else {
        return Err("`header_map` is not built by `HeaderMap::with_capacity(n)`".into());
    };
    let Lit::Int(count) = &literal.lit else {
        return Err("`HeaderMap::with_capacity` takes no integer".into());
    };
    let count: usize = count
        .base10_parse()
        .map_err(|e| format!("`HeaderMap::with_capacity`: {e}"))?;
    let grown = count + added_later;
    literal.lit = syn::parse_quote!(#grown);
    Ok(())
}

/// The `let` statement binding `name`, if `stmt` is one.
fn local_named<'a>(stmt: &'a Stmt, name: &str) -> Option<&'a Local> {
    let Stmt::Local(local) = stmt else { return None };
    let Pat::Ident(binding) = &local.pat else { return None };
    (binding.ident == name).then_some(local)
}

/// `header_map.append(HeaderName::from_static("api-version"), ...);`
fn is_api_version_append(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), Some(_)) = stmt else {
        return false;
    };
    let receiver = &call.receiver;
    call.method == "append"
        && quote!(#receiver).to_string() == "header_map"
        && call
            .args
            .first()
            .is_some_and(|name| quote!(#name).to_string().contains("\"api-version\""))
}

/// What [`strip_chain`] took out of a request's method-call chain.
#[derive(Default)]
struct Stripped {
    /// The `Accept` value.
    accept: Option<Expr>,
    /// Whether `.headers(header_map)` was there.
    took_map: bool,
    /// The value `.json(value)` wrote, now `.body(json_body)`.
    json: Option<Expr>,
}

/// Removes `.header(ACCEPT, value)` and `.headers(header_map)` from a method-call chain, and turns
/// `.json(value)` into `.body(json_body)`.
fn strip_chain(expr: &mut Expr) -> Result<Stripped, String> {
    let mut stripped = Stripped::default();
    strip_from(expr, &mut stripped)?;
    Ok(stripped)
}

/// [`strip_chain`] from `expr` down to the start of the chain.
fn strip_from(expr: &mut Expr, stripped: &mut Stripped) -> Result<(), String> {
    loop {
        let call = match expr {
            Expr::MethodCall(call) => call,
            // `...build()?`
            Expr::Try(tried) => return strip_from(&mut tried.expr, stripped),
            _ => return Ok(()),
        };
        if call.method == "json" {
            let (Some(value), 1) = (call.args.first(), call.args.len()) else {
                return Err("`.json` does not take one value".into());
            };
            if stripped.json.replace(value.clone()).is_some() {
                return Err("the request sets a JSON body twice".into());
            }
            call.method = syn::parse_quote!(body);
            call.args = syn::parse_quote!(json_body);
            return strip_from(&mut call.receiver, stripped);
        }
        match removable(call)? {
            None => return strip_from(&mut call.receiver, stripped),
            Some(Removed::Accept(value)) => {
                if stripped.accept.replace(value).is_some() {
                    return Err("the request sets `Accept` twice".into());
                }
            }
            Some(Removed::HeaderMap) => stripped.took_map = true,
        }
        // The call is dropped from the chain: its receiver takes its place.
        let receiver = std::mem::replace(&mut *call.receiver, Expr::Verbatim(Default::default()));
        *expr = receiver;
    }
}

/// What [`strip_chain`] takes out of the chain.
enum Removed {
    Accept(Expr),
    HeaderMap,
}

/// Whether `call` is `.header(ACCEPT, value)` or `.headers(header_map)`.
fn removable(call: &ExprMethodCall) -> Result<Option<Removed>, String> {
    if call.method == "headers" {
        let arg = call.args.first().map(|arg| quote!(#arg).to_string());
        return match arg.as_deref() {
            Some("header_map") if call.args.len() == 1 => Ok(Some(Removed::HeaderMap)),
            _ => Err(format!("unexpected `.headers({})`", arg.unwrap_or_default())),
        };
    }
    if call.method != "header" || call.args.len() != 2 {
        return Ok(None);
    }
    let name = &call.args[0];
    if quote!(#name).to_string().replace(' ', "") != "::reqwest::header::ACCEPT" {
        return Err(format!("unexpected header `{}` set on the request", quote!(#name)));
    }
    Ok(Some(Removed::Accept(call.args[1].clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(send_body: proc_macro2::TokenStream) -> syn::File {
        syn::parse2(quote! {
            pub mod builder {
                pub struct SendStatus<'a> {
                    client: &'a super::Client,
                    invoice_id: Result<::uuid::Uuid, String>,
                    name: Result<String, String>,
                }
                impl<'a> SendStatus<'a> {
                    pub async fn send(self) -> Result<(), ()> {
                        #send_body
                    }
                }
            }
        })
        .expect("parses")
    }

    fn progenitor_send() -> proc_macro2::TokenStream {
        quote! {
            let url = format!(
                "{}/v1/x/{}/{}", client.baseurl, encode_path(&invoice_id.to_string()),
                encode_path(&name.to_string()),
            );
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            if let Some(value) = customer_id {
                header_map.append("customer-id", value.to_string().try_into()?);
            }
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            client.pre(&mut request, &info).await?;
            Ok(())
        }
    }

    #[test]
    fn the_headers_are_built_once_without_api_version() {
        let mut file = file(progenitor_send());
        assert_eq!(build_headers_once(&mut file, 2), Ok(1));
        let code = prettyplease::unparse(&file);
        assert!(!code.contains("api-version"), "{code}");
        assert!(!code.contains(".headers(header_map)"), "{code}");
        assert!(!code.contains(".header("), "{code}");
        let accept = code.find("::reqwest::header::ACCEPT,").expect("Accept in the map");
        let customer = code.find("\"customer-id\"").expect("customer-id kept");
        let content_type = code
            .find("::reqwest::header::CONTENT_TYPE,")
            .expect("Content-Type in the map");
        let request = code.find("let mut request").expect("request kept");
        let adopt = code.find("*request.headers_mut() = header_map;").expect("map adopted");
        let pre = code.find("client.pre").expect("hook kept");
        assert!(
            accept < customer && customer < content_type && content_type < request && request < adopt && adopt < pre,
            "{code}"
        );
        assert!(code.contains(".post(url).body(json_body).build()?"), "{code}");
        assert!(code.contains("let json_body = ::serde_json::to_vec(&body)"), "{code}");
        assert!(code.contains("HeaderMap::with_capacity(9usize)"), "{code}");
        // The URL is built on the parsed base; the UUID goes in as it prints, the string is
        // still encoded.
        let flat: String = code.split_whitespace().collect();
        assert!(
            flat.contains(
                "leturl=::sdk_runtime::__private::request_url(&client.inner,&client.baseurl,\
                 format_args!(\"/v1/x/{}/{}\",invoice_id,encode_path(&name.to_string())),)\
                 .map_err(Error::InvalidRequest)?;"
            ),
            "{code}"
        );
        assert!(!code.contains("let url = format!"), "{code}");
    }

    #[test]
    fn a_request_without_accept_only_loses_api_version() {
        let mut file = file(quote! {
            let url = format!("{}/v1/x", client.baseurl);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            let mut request = client.client.delete(url).headers(header_map).build()?;
            Ok(())
        });
        assert_eq!(build_headers_once(&mut file, 2), Ok(1));
        let code = prettyplease::unparse(&file);
        assert!(!code.contains("api-version") && !code.contains("ACCEPT"), "{code}");
        assert!(code.contains("*request.headers_mut() = header_map;"), "{code}");
    }

    #[test]
    fn a_send_of_another_shape_fails_the_generation() {
        let mut file = file(quote! {
            let url = format!("{}/v1/x", client.baseurl);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            let mut request = client.client.get(url).headers(header_map).build()?;
            Ok(())
        });
        let error = build_headers_once(&mut file, 2).expect_err("no api-version");
        assert!(error.contains("SendStatus") && error.contains("api-version"), "{error}");

        let mut misplaced_base = self::file(quote! {
            let url = format!("/v1/{}", client.baseurl);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            let mut request = client.client.get(url).headers(header_map).build()?;
            Ok(())
        });
        let error = build_headers_once(&mut misplaced_base, 2).expect_err("base not first");
        assert!(error.contains("does not start with the base URL"), "{error}");

        let mut file = file_with_extra_header();
        let error = build_headers_once(&mut file, 2).expect_err("unknown header");
        assert!(error.contains("unexpected header"), "{error}");
    }

    fn file_with_extra_header() -> syn::File {
        file(quote! {
            let url = format!("{}/v1/x", client.baseurl);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            let mut request = client
                .client
                .get(url)
                .header(::reqwest::header::CONTENT_TYPE, ::reqwest::header::HeaderValue::from_static("x"))
                .headers(header_map)
                .build()?;
            Ok(())
        })
    }
}
