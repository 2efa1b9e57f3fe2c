//! The Rust names the generator gives spec names: open-enum variants and typify's type names.

/// `IN_HAND` -> `InHand`, `second_copy` -> `SecondCopy`, `invoices` -> `Invoices`.
pub(crate) fn variant_name(value: &str) -> String {
    let mut name = String::new();
    for word in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    name
}

/// The Rust type name typify derives from a schema name: its words (split at non-alphanumeric
/// characters and at case changes, as `heck` splits them) in PascalCase.
pub(crate) fn rust_type_name(schema_name: &str) -> String {
    let mut name = String::new();
    let mut push = |word: &str| {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.extend(chars.flat_map(char::to_lowercase));
        }
    };
    for word in schema_name.replace('\'', "").split(|c: char| !c.is_alphanumeric()) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mode {
            Boundary,
            Lower,
            Upper,
        }
        let mut chars = word.char_indices().peekable();
        let mut start = 0;
        let mut mode = Mode::Boundary;
        while let Some((index, c)) = chars.next() {
            let Some(&(next_index, next)) = chars.peek() else {
                push(&word[start..]);
                break;
            };
            let next_mode = if c.is_lowercase() {
                Mode::Lower
            } else if c.is_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_uppercase() {
                push(&word[start..next_index]);
                start = next_index;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_uppercase() && next.is_lowercase() {
                push(&word[start..index]);
                start = index;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
    if !name.starts_with(|c: char| c.is_alphabetic()) {
        name.insert(0, 'X');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::{rust_type_name, variant_name};

    #[test]
    fn variant_names_are_pascal_case() {
        assert_eq!(variant_name("IN_HAND"), "InHand");
        assert_eq!(variant_name("second_copy"), "SecondCopy");
        assert_eq!(variant_name("invoices"), "Invoices");
        assert_eq!(variant_name("205"), "V205");
    }

    #[test]
    fn type_names_follow_typify() {
        assert_eq!(rust_type_name("AppzenError_status"), "AppzenErrorStatus");
        assert_eq!(rust_type_name("TradePartyRoleCode"), "TradePartyRoleCode");
        assert_eq!(rust_type_name("roleCode"), "RoleCode");
        assert_eq!(rust_type_name("HTTPServer-error"), "HttpServerError");
        assert_eq!(rust_type_name("status_v2"), "StatusV2");
        assert_eq!(rust_type_name("3ds"), "X3ds");
    }
}
