//! progenitor as the generator runs it: the settings every spec is generated with (builder
//! interface, hooks through `sdk_runtime::Runtime`, the open-enum, tolerant-item and `oneOf`
//! replacements), and a runner that turns its panics into errors.

use std::panic::{self, AssertUnwindSafe};

use progenitor_impl::{GenerationSettings, HooksMode, InterfaceStyle, TagStyle, TypeImpl};

use super::names::rust_type_name;
use super::transform::one_of::OneOf;
use super::transform::{OpenEnum, TolerantItem};
use super::{ONE_OF_MODULE, OPEN_ENUM_MODULE, TYPES_MODULE};

/// The settings for one spec: its open enums, kind-dispatched `oneOf`s and tolerant items replace
/// what typify would generate for them.
pub(crate) fn generation_settings(
    open_enums: &[OpenEnum],
    one_ofs: &[OneOf],
    tolerant: &[TolerantItem],
) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote! { sdk_runtime::Runtime })
        .with_derive("PartialEq")
        .with_derive("schemars::JsonSchema");
    for open_enum in open_enums {
        settings.with_replacement(
            &open_enum.name,
            format!("{OPEN_ENUM_MODULE}::{}", open_enum.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for item in tolerant {
        settings.with_replacement(
            rust_type_name(&item.key),
            format!("sdk_runtime::Tolerant<{TYPES_MODULE}::{}>", item.item_type),
            std::iter::empty(),
        );
    }
    for one_of in one_ofs {
        settings.with_replacement(
            &one_of.name,
            format!("{ONE_OF_MODULE}::{}", one_of.name),
            one_of.display.then_some(TypeImpl::Display).into_iter(),
        );
    }
    settings
}

/// Runs progenitor, turning both its errors and its panics (it asserts on input it cannot handle)
/// into a message. The panic hook stays quiet only on this thread, only while progenitor runs.
pub(crate) fn run_progenitor<T>(generate: impl FnOnce() -> progenitor_impl::Result<T>) -> Result<T, String> {
    thread_local! {
        static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    static INSTALL_HOOK: std::sync::Once = std::sync::Once::new();
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|quiet| quiet.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(generate));
    QUIET.with(|quiet| quiet.set(false));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(format!("progenitor rejected the spec: {error}")),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "no message".into());
            Err(format!("progenitor cannot generate this spec (it panicked: {message})"))
        }
    }
}
