//! The response-reading pass over progenitor's client: every
//! `ResponseValue::from_response(response).await` becomes
//! `::sdk_runtime::__private::response_value(response)`, the same result read without an `await`.
//!
//! Why: the runtime's hooks read every body before the generated code sees the response, so
//! progenitor's reading of it again (a body-collecting future per call, held in the `send` future)
//! is work done twice; for a 2xx in a call the runtime's function takes the bytes the call record
//! holds (the response the hooks hand on has been read to its end).
//!
//! The pass is strict: a `from_response` it cannot rewrite (progenitor reading a response some
//! other way) fails the generation, so a progenitor upgrade that changes it is noticed; so does a
//! response read as a stream (`ResponseValue::stream`, `ResponseValue::upgrade`), which would find
//! that body already read.

use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprPath};

/// Rewrites every `ResponseValue::from_response(x).await` in `file`; returns how many. Fails
/// when `from_response` is left in another form.
pub(crate) fn read_buffered_responses(file: &mut syn::File) -> Result<usize, String> {
    let mut rewriter = Rewriter { rewritten: 0, left: 0 };
    rewriter.visit_file_mut(file);
    match rewriter.left {
        0 => Ok(rewriter.rewritten),
        left => Err(format!(
            "{left} response read(s) in progenitor's client are not \
             `ResponseValue::from_response(..).await` (another form of `from_response`, or a \
             body read as a stream, which the SDK's hooks have read already): the \
             response-reading pass (emit/responses.rs) no longer matches its code"
        )),
    }
}

struct Rewriter {
    rewritten: usize,
    /// `from_response` paths left in another form.
    left: usize,
}

impl VisitMut for Rewriter {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(response) = awaited_from_response(expr) {
            *expr = syn::parse_quote!(::sdk_runtime::__private::response_value(#response));
            self.rewritten += 1;
            return;
        }
        if let Expr::Path(path) = expr
            && reads_the_body_itself(&path.path)
        {
            self.left += 1;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

/// `from_response` in any form, or `ResponseValue::stream` / `ResponseValue::upgrade`: progenitor
/// reading the body from the response.
fn reads_the_body_itself(path: &syn::Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|segment| segment.ident.to_string()).collect();
    match names.as_slice() {
        [.., last] if last == "from_response" => true,
        [.., owner, last] => owner == "ResponseValue" && (last == "stream" || last == "upgrade"),
        _ => false,
    }
}

/// `x` when `expr` is `ResponseValue::from_response(x).await`.
fn awaited_from_response(expr: &Expr) -> Option<Expr> {
    let Expr::Await(awaited) = expr else { return None };
    let Expr::Call(call) = awaited.base.as_ref() else {
        return None;
    };
    let Expr::Path(ExprPath { path, qself: None, .. }) = call.func.as_ref() else {
        return None;
    };
    let names: Vec<String> = path.segments.iter().map(|segment| segment.ident.to_string()).collect();
    if names != ["ResponseValue", "from_response"] || call.args.len() != 1 {
        return None;
    }
    call.args.first().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn every_awaited_from_response_is_read_without_await() {
        let mut file: syn::File = syn::parse2(quote! {
            pub mod builder {
                impl<'a> ChangeDocumentState<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::DocumentResponse>, Error<types::ErrorResponse>> {
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                            204u16 => Ok(ResponseValue::empty(response)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        })
        .expect("parses");
        assert_eq!(read_buffered_responses(&mut file), Ok(2));
        let code = prettyplease::unparse(&file);
        let code: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(!code.contains("from_response"), "{code}");
        assert_eq!(
            code.matches("::sdk_runtime::__private::response_value(response)")
                .count(),
            2,
            "{code}"
        );
        assert!(
            code.contains("Err( Error::ErrorResponse( ::sdk_runtime::__private::response_value(response)?, ), )"),
            "{code}"
        );
        assert!(code.contains("Ok(ResponseValue::empty(response))"), "untouched: {code}");
        assert_eq!(read_buffered_responses(&mut file), Ok(0), "nothing left to rewrite");
    }

    #[test]
    fn a_from_response_in_another_form_fails_the_generation() {
        let mut file: syn::File = syn::parse2(quote! {
            fn send() {
                let future = ResponseValue::from_response(response);
                let value = future.await;
            }
        })
        .expect("parses");
        let error = read_buffered_responses(&mut file).expect_err("not rewritten");
        assert!(error.contains("1 response read(s)"), "{error}");
    }

    #[test]
    fn a_body_read_as_a_stream_fails_the_generation() {
        for read in [
            quote!(ResponseValue::stream(response)),
            quote!(ResponseValue::upgrade(response).await),
        ] {
            let mut file: syn::File = syn::parse2(quote! {
                async fn send() {
                    let value = #read;
                }
            })
            .expect("parses");
            let error = read_buffered_responses(&mut file).expect_err("not rewritten");
            assert!(error.contains("1 response read(s)"), "{error}");
        }
        // Another type's `stream` is not a response read.
        let mut file: syn::File = syn::parse2(quote! {
            fn send() {
                let value = ByteStream::stream(x);
            }
        })
        .expect("parses");
        assert_eq!(read_buffered_responses(&mut file), Ok(0));
    }
}
