//! The decode-as pass over progenitor's client: for an operation marked `x-sdk-decode-as: true`,
//! the builder gets a crate-private `send_as::<U>()`, the same request as `send` whose success
//! body is decoded as `U`, a type of the facade's choosing that reads the same JSON.
//!
//! Why: a large success type (InvoiceXpress's document response holds fourteen documents inline,
//! about 16 KiB, where a body carries one) is built, then moved by value through every async
//! layer between the decoder and the caller, each move a copy; the facade decodes it instead into
//! a compact form (each document boxed as it is read) or a box. `send` stays as progenitor wrote
//! it, and `send_as` is `pub(crate)`, so the public API does not change.

use quote::{format_ident, quote};
use syn::{GenericArgument, ImplItem, ImplItemFn, Item, PathArguments, ReturnType, Type};

/// Adds `send_as` to the builder of each operation in `generated_ids` (progenitor's snake_case
/// ids); returns how many were added. Fails on an id no builder sends.
pub(crate) fn add_decode_as_sends(file: &mut syn::File, generated_ids: &[String]) -> Result<usize, String> {
    if generated_ids.is_empty() {
        return Ok(0);
    }
    let builder = super::module_items(file, "builder")?;
    let mut added = Vec::new();
    for item in builder.iter_mut() {
        let Item::Impl(implementation) = item else { continue };
        let marked = implementation.items.iter().find_map(|member| match member {
            ImplItem::Fn(function) if function.sig.ident == "send" => {
                let id = sent_operation(function)?;
                generated_ids.contains(&id).then(|| (id, function.clone()))
            }
            _ => None,
        });
        if let Some((id, send)) = marked {
            implementation
                .items
                .push(ImplItem::Fn(send_as(send).map_err(|e| format!("`{id}`: {e}"))?));
            added.push(id);
        }
    }
    if let Some(missing) = generated_ids.iter().find(|id| !added.contains(id)) {
        return Err(format!("`x-sdk-decode-as`: no builder sends operation `{missing}`"));
    }
    Ok(added.len())
}

/// The operation a `send` sends: the `operation_id` of its `OperationInfo`.
fn sent_operation(send: &ImplItemFn) -> Option<String> {
    let body = quote!(#send).to_string();
    let after = body.split("operation_id :").nth(1)?;
    let literal = after.trim_start().strip_prefix('"')?;
    literal.split('"').next().map(str::to_string)
}

/// `send` renamed `send_as`, crate-private, generic over the success type `U`.
fn send_as(mut send: ImplItemFn) -> Result<ImplItemFn, String> {
    send.sig.ident = format_ident!("send_as");
    send.vis = syn::parse_quote!(pub(crate));
    send.sig.generics = syn::parse_quote!(<U: ::serde::de::DeserializeOwned>);
    send.attrs.retain(|attr| !attr.path().is_ident("doc"));
    send.attrs.push(syn::parse_quote!(
        #[doc = "Like `send`, with the success body decoded as `U`, the facade's own form of it (`x-sdk-decode-as`)."]
    ));
    let ReturnType::Type(_, output) = &mut send.sig.output else {
        return Err("`send` returns nothing".into());
    };
    let value = first_generic(output, "Result").ok_or("`send` does not return a `Result`")?;
    let inner = first_generic(value, "ResponseValue").ok_or("`send` does not return a `ResponseValue`")?;
    *inner = syn::parse_quote!(U);
    Ok(send)
}

/// The first generic argument of `ty` when its last path segment is `name`.
fn first_generic<'a>(ty: &'a mut Type, name: &str) -> Option<&'a mut Type> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last_mut().filter(|segment| segment.ident == name)?;
    let PathArguments::AngleBracketed(arguments) = &mut segment.arguments else {
        return None;
    };
    arguments.args.iter_mut().find_map(|argument| match argument {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> syn::File {
        syn::parse2(quote! {
            pub mod builder {
                impl<'a> ChangeDocumentState<'a> {
                    ///Sends a `PUT` request
                    pub async fn send(self) -> Result<ResponseValue<types::DocumentResponse>, Error<types::ErrorResponse>> {
                        let info = OperationInfo { operation_id: "change_document_state" };
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
                impl<'a> GetDocument<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::DocumentResponse>, Error<types::ErrorResponse>> {
                        let info = OperationInfo { operation_id: "get_document" };
                        todo!()
                    }
                }
            }
        })
        .expect("parses")
    }

    #[test]
    fn a_marked_operation_gets_a_crate_private_generic_send() {
        let mut file = file();
        assert_eq!(add_decode_as_sends(&mut file, &["change_document_state".into()]), Ok(1));
        let code = prettyplease::unparse(&file);
        let flat: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("pub async fn send( self, ) -> Result< ResponseValue<types::DocumentResponse>,"),
            "send kept: {code}"
        );
        assert!(
            flat.contains(
                "pub(crate) async fn send_as<U: ::serde::de::DeserializeOwned>( self, ) -> \
                 Result<ResponseValue<U>, Error<types::ErrorResponse>> {"
            ),
            "{code}"
        );
        assert_eq!(code.matches("fn send_as").count(), 1, "only the marked one: {code}");
        assert!(code.contains("x-sdk-decode-as"), "{code}");
    }

    #[test]
    fn an_unknown_operation_fails_the_generation() {
        let mut file = file();
        let error = add_decode_as_sends(&mut file, &["change_state".into()]).expect_err("unknown");
        assert!(error.contains("change_state"), "{error}");
        assert_eq!(add_decode_as_sends(&mut file, &[]), Ok(0));
    }
}
