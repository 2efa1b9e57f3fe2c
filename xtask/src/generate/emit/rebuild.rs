//! The rebuild pass over progenitor's client (after [`requests`](super::requests)): each `send`
//! builds its request in a closure, which it calls once for the first attempt and hands to the
//! runtime for any other. Without it the runtime copies every request (URL, headers, body) before
//! the first attempt in case another follows, a copy almost every call drops unused.
//!
//! ```text
//! let url = ...;                         let build_request = || -> Result<Request, Error<E>> {
//! let mut header_map = ...;                  let url = ...;
//! ...                                        ...
//! let mut request = ...build()?;             *request.headers_mut() = header_map;
//! ...                                 =>      Ok(request)
//! *request.headers_mut() = header_map;   };
//! ...                                    let mut request = build_request()?;
//! let result = client.exec(request, &info).await;
//!                                        let result = client.inner.execute_rebuildable(
//!                                            &client.client, request, info.operation_id,
//!                                            Some(&|| build_request().ok())).await;
//! ```
//!
//! The closure only borrows the builder's values: an optional header parameter matched by value
//! (`if let Some(value) = customer_id`) is matched by reference instead. The pass is strict, as
//! the request pass is: a `send` of another shape fails the generation.

use quote::quote;
use syn::{Block, Expr, GenericArgument, Pat, PathArguments, ReturnType, Stmt, Type};

/// Rewrites every builder's `send`; returns how many were rewritten.
pub(crate) fn build_requests_again(file: &mut syn::File) -> Result<usize, String> {
    let builder = super::module_items(file, "builder")?;
    super::rewrite_sends(builder, |_, send| {
        let error = error_type(&send.sig.output)?;
        rewrite_send(&mut send.block, &error)
    })
}

/// `E` of `-> Result<T, E>`.
fn error_type(output: &ReturnType) -> Result<Type, String> {
    let ReturnType::Type(_, ty) = output else {
        return Err("returns nothing".into());
    };
    let Type::Path(path) = &**ty else {
        return Err("does not return a `Result`".into());
    };
    let last = path.path.segments.last().ok_or("does not return a `Result`")?;
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return Err("does not return a `Result<T, E>`".into());
    };
    match (last.ident == "Result", arguments.args.iter().nth(1)) {
        (true, Some(GenericArgument::Type(error))) => Ok(error.clone()),
        _ => Err("does not return a `Result<T, E>`".into()),
    }
}

/// One `send` body.
fn rewrite_send(block: &mut Block, error: &Type) -> Result<(), String> {
    let url_at = block
        .stmts
        .iter()
        .position(|stmt| binds(stmt, "url"))
        .ok_or("no `url`")?;
    let adopted_at = block
        .stmts
        .iter()
        .position(|stmt| {
            matches!(stmt, Stmt::Expr(Expr::Assign(_), Some(_)))
                && quote!(#stmt).to_string().replace(' ', "") == "*request.headers_mut()=header_map;"
        })
        .ok_or("no `*request.headers_mut() = header_map;` (run the request pass first)")?;
    let exec_at = block
        .stmts
        .iter()
        .position(|stmt| {
            binds(stmt, "result")
                && quote!(#stmt).to_string().replace(' ', "") == "letresult=client.exec(request,&info).await;"
        })
        .ok_or("no `let result = client.exec(request, &info).await;`")?;
    if !(url_at < adopted_at && adopted_at < exec_at) {
        return Err("`url`, the headers' adoption and `exec` are not in the expected order".into());
    }

    let mut building: Vec<Stmt> = block.stmts.drain(url_at..=adopted_at).collect();
    for stmt in &mut building {
        borrow_matched_options(stmt);
    }
    let closure: Stmt = syn::parse2(quote! {
        let build_request = || -> ::std::result::Result<::reqwest::Request, #error> {
            #(#building)*
            Ok(request)
        };
    })
    .map_err(|e| format!("cannot write the request closure: {e}"))?;
    let first: Stmt = syn::parse2(quote! {
        #[allow(unused_mut)]
        let mut request = build_request()?;
    })
    .map_err(|e| format!("cannot write the first build: {e}"))?;
    block.stmts.splice(url_at..url_at, [closure, first]);

    // `exec` moved up by the statements that became the closure, less the two that replace them.
    let exec_at = exec_at - (adopted_at - url_at + 1) + 2;
    block.stmts[exec_at] = syn::parse2(quote! {
        let result = client
            .inner
            .execute_rebuildable(&client.client, request, info.operation_id, Some(&|| build_request().ok()))
            .await;
    })
    .map_err(|e| format!("cannot write the exec call: {e}"))?;
    Ok(())
}

/// `if let Some(value) = name { .. }` becomes `if let Some(value) = &name { .. }`, so that the
/// closure borrows `name` rather than moving it out.
fn borrow_matched_options(stmt: &mut Stmt) {
    let Stmt::Expr(Expr::If(branch), _) = stmt else { return };
    let Expr::Let(binding) = &mut *branch.cond else { return };
    let (Pat::TupleStruct(pattern), Expr::Path(_)) = (&*binding.pat, &*binding.expr) else {
        return;
    };
    if pattern.path.is_ident("Some") {
        let matched = &binding.expr;
        *binding.expr = syn::parse_quote!(&#matched);
    }
}

/// Whether `stmt` is `let name = ...`.
fn binds(stmt: &Stmt, name: &str) -> bool {
    let Stmt::Local(local) = stmt else { return false };
    let Pat::Ident(binding) = &local.pat else { return false };
    binding.ident == name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(send_body: proc_macro2::TokenStream) -> syn::File {
        syn::parse2(quote! {
            pub mod builder {
                impl<'a> SendStatus<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::ErrorBody>> {
                        #send_body
                    }
                }
            }
        })
        .expect("parses")
    }

    /// A `send` as the request pass leaves it.
    fn after_the_request_pass() -> proc_macro2::TokenStream {
        quote! {
            let Self { client, invoice_id, customer_id, body } = self;
            let invoice_id = invoice_id.map_err(Error::InvalidRequest)?;
            let url = ::sdk_runtime::__private::request_url(&client.inner, &client.baseurl, format_args!("/v1/x/{}", invoice_id))
                .map_err(Error::InvalidRequest)?;
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(9usize);
            if let Some(value) = customer_id {
                header_map.append("customer-id", value.to_string().try_into()?);
            }
            let json_body = ::serde_json::to_vec(&body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
            #[allow(unused_mut)]
            let mut request = client.client.post(url).body(json_body).build()?;
            header_map.extend(::std::mem::take(request.headers_mut()));
            *request.headers_mut() = header_map;
            let info = OperationInfo { operation_id: "send_status" };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            Ok(response)
        }
    }

    #[test]
    fn the_request_is_built_by_a_closure_the_runtime_can_call_again() {
        let mut file = file(after_the_request_pass());
        assert_eq!(build_requests_again(&mut file), Ok(1));
        let code: String = prettyplease::unparse(&file).split_whitespace().collect();
        let closure = code
            .find("letbuild_request=||->::std::result::Result<::reqwest::Request,Error<types::ErrorBody>,>{leturl=")
            .unwrap_or_else(|| panic!("{code}"));
        let adopted = code
            .find("*request.headers_mut()=header_map;Ok(request)};")
            .expect("closure ends");
        let first = code.find("letmutrequest=build_request()?;").expect("first build");
        let pre = code.find("client.pre(&mutrequest,&info)").expect("pre kept");
        let exec = code
            .find(
                "letresult=client.inner.execute_rebuildable(&client.client,request,info.operation_id,\
                 Some(&||build_request().ok()),).await;",
            )
            .unwrap_or_else(|| panic!("{code}"));
        assert!(
            closure < adopted && adopted < first && first < pre && pre < exec,
            "{code}"
        );
        assert!(code.contains("ifletSome(value)=&customer_id{"), "{code}");
        assert!(!code.contains("client.exec("), "{code}");
        // The parameters are checked once, before the closure.
        assert!(code.find("invoice_id.map_err").expect("check kept") < closure, "{code}");
    }

    #[test]
    fn a_send_of_another_shape_fails_the_generation() {
        let mut file = file(quote! {
            let url = format!("{}/v1/x", client.baseurl);
            let mut request = client.client.get(url).build()?;
            let result = client.exec(request, &info).await;
            Ok(result?)
        });
        let error = build_requests_again(&mut file).expect_err("no header adoption");
        assert!(error.contains("SendStatus") && error.contains("headers_mut"), "{error}");
    }

    #[test]
    fn the_error_type_comes_from_the_signature() {
        let output: ReturnType = syn::parse_quote!(-> Result<ResponseValue<U>, Error<types::Problem>>);
        let error = error_type(&output).expect("a Result");
        assert_eq!(quote!(#error).to_string().replace(' ', ""), "Error<types::Problem>");
        assert!(error_type(&syn::parse_quote!(-> ())).is_err());
    }
}
