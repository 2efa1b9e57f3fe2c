//! The one rule for reading configuration from environment variables: a variable that is unset or
//! blank is missing; one that is not Unicode is refused, naming the variable, never its value.

use std::ffi::OsString;

use crate::config::ConfigError;

/// Reads one variable: `None` when it is not set.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<OsString> + 'a>;

/// Where configuration variables come from: the process environment, or a lookup you give (for
/// tests, or a configuration source of your own).
pub struct Env<'a> {
    lookup: Lookup<'a>,
}

impl Env<'static> {
    /// The process environment.
    pub fn process() -> Self {
        Self {
            lookup: Box::new(|name: &str| std::env::var_os(name)),
        }
    }
}

impl<'a> Env<'a> {
    /// Variables read through `lookup` (`None`: not set).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString> + 'a) -> Self {
        Self {
            lookup: Box::new(lookup),
        }
    }

    /// The variable's value, trimmed; `None` when it is unset or blank.
    pub fn optional(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        match (self.lookup)(name) {
            None => Ok(None),
            Some(value) => match value.into_string() {
                Ok(value) if value.trim().is_empty() => Ok(None),
                Ok(value) => Ok(Some(value.trim().to_string())),
                Err(_) => Err(ConfigError::InvalidEnvVar {
                    name,
                    reason: "it is not valid Unicode",
                }),
            },
        }
    }

    /// The variable's value, trimmed; [`ConfigError::MissingEnvVar`] when it is unset or blank.
    pub fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name)?.ok_or(ConfigError::MissingEnvVar { name })
    }
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Env { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_missing_and_values_are_trimmed() {
        let env = Env::from_lookup(|name| match name {
            "SET" => Some(" value ".into()),
            "BLANK" => Some("  ".into()),
            _ => None,
        });
        assert_eq!(env.optional("SET"), Ok(Some("value".into())));
        assert_eq!(env.optional("BLANK"), Ok(None));
        assert_eq!(env.optional("UNSET"), Ok(None));
        assert_eq!(env.required("BLANK"), Err(ConfigError::MissingEnvVar { name: "BLANK" }));
        assert_eq!(env.required("SET"), Ok("value".into()));
    }

    #[cfg(unix)]
    #[test]
    fn a_value_that_is_not_unicode_is_refused_without_showing_it() {
        use std::os::unix::ffi::OsStringExt;
        let env = Env::from_lookup(|_| Some(OsString::from_vec(vec![0xff, b's', b'e', b'c'])));
        let error = env.optional("KEY").unwrap_err();
        assert_eq!(
            error,
            ConfigError::InvalidEnvVar {
                name: "KEY",
                reason: "it is not valid Unicode"
            }
        );
        assert!(!error.to_string().contains("sec"));
    }
}
