//! The builder pass over progenitor's client: a required parameter not set yet costs no
//! allocation.
//!
//! progenitor's builders start each required parameter as
//! `Err("invoice_id was not initialized".to_string())`, an allocation per parameter per call that
//! every setter drops again. After this pass the field starts as `Err(String::new())` (no
//! allocation) and `send` writes the message only when the field was never set:
//!
//! ```text
//! let invoice_id = invoice_id.map_err(Error::InvalidRequest)?;
//! // becomes
//! let invoice_id = invoice_id.map_err(|e| {
//!     Error::InvalidRequest(if e.is_empty() { "invoice_id was not initialized".to_string() } else { e })
//! })?;
//! ```
//!
//! A setter's own error (a failed conversion) is never empty, so the caller sees the same
//! messages as before. The pass is strict: a `new` or a `send` of another shape fails the
//! generation.

use std::collections::BTreeMap;

use quote::quote;
use syn::{Expr, ExprCall, ImplItem, Item, Lit, Member, Stmt};

/// Rewrites every builder's `new` and `send`; returns how many fields start unallocated.
pub(crate) fn unset_fields_without_allocation(file: &mut syn::File) -> Result<usize, String> {
    let builder = super::module_items(file, "builder")?;
    let mut rewritten = 0;
    for item in builder.iter_mut() {
        let Item::Impl(implementation) = item else { continue };
        let owner = &implementation.self_ty;
        let owner = quote!(#owner).to_string().replace(' ', "");
        let mut unset = BTreeMap::new();
        for member in &mut implementation.items {
            let ImplItem::Fn(function) = member else { continue };
            if function.sig.ident == "new" {
                unset = start_unallocated(&mut function.block).map_err(|cause| format!("`{owner}::new`: {cause}"))?;
            }
        }
        if unset.is_empty() {
            continue;
        }
        let send = implementation
            .items
            .iter_mut()
            .find_map(|member| match member {
                ImplItem::Fn(function) if function.sig.ident == "send" => Some(function),
                _ => None,
            })
            .ok_or_else(|| format!("`{owner}` has no `send`"))?;
        for (field, message) in &unset {
            message_when_unset(&mut send.block, field, message).map_err(|cause| format!("`{owner}::send`: {cause}"))?;
        }
        rewritten += unset.len();
    }
    Ok(rewritten)
}

/// In `new`'s `Self { .. }`, each `field: Err("...".to_string())` becomes `Err(String::new())`;
/// returns the fields and their messages.
fn start_unallocated(block: &mut syn::Block) -> Result<BTreeMap<String, String>, String> {
    let Some(Stmt::Expr(Expr::Struct(construction), None)) = block.stmts.last_mut() else {
        return Err("it does not end with `Self { .. }`".into());
    };
    let mut unset = BTreeMap::new();
    for field in &mut construction.fields {
        let Member::Named(name) = &field.member else { continue };
        let Some(message) = unset_message(&field.expr) else {
            continue;
        };
        unset.insert(name.to_string(), message);
        field.expr = syn::parse_quote!(Err(String::new()));
    }
    Ok(unset)
}

/// The message of `Err("message".to_string())`.
fn unset_message(expr: &Expr) -> Option<String> {
    let Expr::Call(ExprCall { func, args, .. }) = expr else {
        return None;
    };
    if quote!(#func).to_string() != "Err" || args.len() != 1 {
        return None;
    }
    let Some(Expr::MethodCall(call)) = args.first() else {
        return None;
    };
    let Expr::Lit(syn::ExprLit {
        lit: Lit::Str(text), ..
    }) = &*call.receiver
    else {
        return None;
    };
    (call.method == "to_string" && call.args.is_empty()).then(|| text.value())
}

/// `let field = field.map_err(Error::InvalidRequest)?;` gets `message` back when `field` was
/// never set.
fn message_when_unset(block: &mut syn::Block, field: &str, message: &str) -> Result<(), String> {
    let expected = format!("{field}.map_err(Error::InvalidRequest)?");
    let init = block
        .stmts
        .iter_mut()
        .find_map(|stmt| match stmt {
            Stmt::Local(local) => local
                .init
                .as_mut()
                .filter(|init| {
                    let expr = &init.expr;
                    quote!(#expr).to_string().replace(' ', "") == expected
                })
                .map(|init| &mut init.expr),
            _ => None,
        })
        .ok_or_else(|| format!("no `let {field} = {expected};`"))?;
    let field = quote::format_ident!("{}", field);
    **init = syn::parse_quote! {
        #field.map_err(|e| Error::InvalidRequest(if e.is_empty() { #message.to_string() } else { e }))?
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder(new_body: proc_macro2::TokenStream, send_body: proc_macro2::TokenStream) -> syn::File {
        syn::parse2(quote! {
            pub mod builder {
                pub struct SendStatus<'a> {
                    client: &'a super::Client,
                    invoice_id: Result<::uuid::Uuid, String>,
                    body: Result<types::builder::StatusUpdate, String>,
                }
                impl<'a> SendStatus<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        #new_body
                    }
                    pub async fn send(self) -> Result<(), ()> {
                        #send_body
                    }
                }
            }
        })
        .expect("parses")
    }

    #[test]
    fn an_unset_field_starts_unallocated_and_keeps_its_message() {
        let mut file = builder(
            quote! {
                Self {
                    client: client,
                    invoice_id: Err("invoice_id was not initialized".to_string()),
                    body: Ok(::std::default::Default::default()),
                }
            },
            quote! {
                let Self { client, invoice_id, body } = self;
                let invoice_id = invoice_id.map_err(Error::InvalidRequest)?;
                let body = body.map_err(Error::InvalidRequest)?;
                Ok(())
            },
        );
        assert_eq!(unset_fields_without_allocation(&mut file), Ok(1));
        let code: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert!(code.contains("invoice_id:Err(String::new()),"), "{code}");
        assert!(
            !code.contains("Err(\"invoice_idwasnotinitialized\".to_string())"),
            "{code}"
        );
        assert!(
            code.contains(
                "letinvoice_id=invoice_id.map_err(|e|Error::InvalidRequest(ife.is_empty(){\"invoice_idwasnotinitialized\"\
                 .to_string()}else{e}"
            ),
            "{code}"
        );
        // The body starts set: untouched.
        assert!(code.contains("letbody=body.map_err(Error::InvalidRequest)?;"), "{code}");
    }

    #[test]
    fn a_send_that_does_not_check_the_field_fails_the_generation() {
        let mut file = builder(
            quote! {
                Self { client: client, invoice_id: Err("invoice_id was not initialized".to_string()), body: Ok(Default::default()) }
            },
            quote! { Ok(()) },
        );
        let error = unset_fields_without_allocation(&mut file).expect_err("no check");
        assert!(error.contains("SendStatus") && error.contains("invoice_id"), "{error}");
    }
}
