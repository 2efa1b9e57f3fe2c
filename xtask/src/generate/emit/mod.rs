//! Stage 4, emit: the generated files' sources. progenitor's client and httpmock helpers,
//! post-processed (the `oneOf` re-export; [`requests`]: each request's headers built once,
//! without `api-version`; [`rebuild`]: each request built by a closure the runtime can call again
//! for another attempt; [`builders`]: unset parameters without an allocation; [`decode_as`]:
//! `send_as::<U>()` for large success values; [`responses`]: bodies read from memory without an
//! `await`) and formatted with prettyplease; `mod.rs`; and, in
//! [`sources`] and [`tables`], the files written from the spec's data (open enums, `oneOf`s,
//! operations, extension tables, credential names).

pub(crate) mod builders;
pub(crate) mod decode_as;
pub(crate) mod rebuild;
pub(crate) mod requests;
pub(crate) mod responses;
pub(crate) mod sources;
pub(crate) mod tables;

use super::ONE_OF_MODULE;
use super::transform::one_of::OneOf;

/// Adds `pub use crate::generated::one_of::{...};` to the generated `types` module, so that the
/// replaced types stay where typify's were (`types::TradePartyRoleCode`).
pub(crate) fn reexport_one_ofs(file: &mut syn::File, one_ofs: &[OneOf]) -> Result<(), String> {
    if one_ofs.is_empty() {
        return Ok(());
    }
    let names = one_ofs.iter().map(|one_of| quote::format_ident!("{}", one_of.name));
    let module: syn::Path =
        syn::parse_str(ONE_OF_MODULE).map_err(|e| format!("`{ONE_OF_MODULE}` is not a Rust path: {e}"))?;
    let item: syn::Item = syn::parse2(quote::quote! {
        /// Kind-dispatched `oneOf` types (`sdk_runtime::one_of!`), in place of typify's untagged enums.
        pub use #module::{#(#names),*};
    })
    .map_err(|e| format!("cannot write the one_of re-export: {e}"))?;
    module_items(file, "types")?.insert(0, item);
    Ok(())
}

/// The items of progenitor's inline module `name` (`types`, `builder`).
pub(crate) fn module_items<'a>(file: &'a mut syn::File, name: &str) -> Result<&'a mut Vec<syn::Item>, String> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == name => module.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| format!("progenitor produced no `{name}` module"))
}

/// Runs `rewrite` on every `send` of progenitor's builders, with the builder's type as written
/// (`SendStatus<'a>`); a failure names it. Returns how many were rewritten.
pub(crate) fn rewrite_sends(
    builder: &mut [syn::Item],
    mut rewrite: impl FnMut(&str, &mut syn::ImplItemFn) -> Result<(), String>,
) -> Result<usize, String> {
    let mut rewritten = 0;
    for item in builder.iter_mut() {
        let syn::Item::Impl(implementation) = item else {
            continue;
        };
        let owner = &implementation.self_ty;
        let owner = quote::quote!(#owner).to_string().replace(' ', "");
        for member in &mut implementation.items {
            let syn::ImplItem::Fn(function) = member else { continue };
            if function.sig.ident != "send" {
                continue;
            }
            rewrite(&owner, function).map_err(|cause| format!("`{owner}::send`: {cause}"))?;
            rewritten += 1;
        }
    }
    Ok(rewritten)
}

/// Formats progenitor's output as it is.
pub(crate) fn format_tokens(tokens: proc_macro2::TokenStream) -> Result<String, String> {
    format_file(tokens, |_| Ok(()))
}

/// Parses progenitor's output, lets `edit` change it, and formats it.
pub(crate) fn format_file(
    tokens: proc_macro2::TokenStream,
    edit: impl FnOnce(&mut syn::File) -> Result<(), String>,
) -> Result<String, String> {
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    edit(&mut file)?;
    Ok(prettyplease::unparse(&file))
}

/// The generated `mod.rs`: the modules and the `ClientHooks` implementation.
pub(crate) fn module_root(spec: &str) -> String {
    format!(
        r#"//! Code generated from `{spec}`: the progenitor client, typed httpmock helpers, open enums,
//! kind-dispatched `oneOf` enums and the operation table. The facade in this crate wraps it; see
//! the crate docs.

// prettyplease formats these files; rustfmt would format them differently.
/// The progenitor-generated client and its types.
#[rustfmt::skip]
#[allow(clippy::all, missing_docs, rustdoc::all, unused_imports, unused_mut)]
pub mod client;
/// Typed httpmock `When`/`Then` helpers for each operation (feature `mock`).
#[cfg(feature = "mock")]
#[rustfmt::skip]
#[allow(clippy::all, missing_docs, rustdoc::all, unused_imports)]
pub mod mock;
/// `oneOf` types decoded by the JSON kind of the value (re-exported by `client::types`).
#[rustfmt::skip]
pub mod one_of;
#[rustfmt::skip]
pub mod open_enums;
#[rustfmt::skip]
pub mod operations;
/// Credential names from the spec's security schemes (a crate uses those it needs).
#[rustfmt::skip]
#[allow(dead_code)]
pub mod security;
/// Tables from the spec's extensions (`x-lifecycle-codes`, `x-transitions`).
#[rustfmt::skip]
pub mod tables;

// Every generated call runs through the shared runtime: authentication before sending, then
// retries, timeouts and tracing around the exchange. The hooks hand back the runtime's futures
// as they are (no `async` wrapper), so each call's future holds one layer less.
impl progenitor_client::ClientHooks<sdk_runtime::Runtime> for client::Client {{
    fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> impl std::future::Future<Output = Result<(), progenitor_client::Error<E>>> {{
        self.inner.prepare(request, info.operation_id)
    }}

    fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {{
        self.inner.execute(&self.client, request, info.operation_id)
    }}
}}
"#
    )
}
