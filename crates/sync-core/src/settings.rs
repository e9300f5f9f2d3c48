//! Settings shared by the services, read from environment variables.
//!
//! Each service declares its settings as a `clap::Parser` struct whose fields
//! are bound to environment variables (`#[arg(long, env = "NAME", value_name =
//! "NAME")]`). clap then gives us typed parsing and, for free, an error that
//! names the variable and a non-zero exit when a value is missing or
//! malformed. The groups below are `#[command(flatten)]`ed into those structs.
//!
//! `.env` in the working directory is loaded first (without overriding the
//! real environment), so `make up` and local runs share one settings file.

use std::ffi::OsStr;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, ValueEnum};

/// A value that must never appear in logs or error messages (a password,
/// an API key, a URL with credentials). `Debug` and `Display` redact it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The only way to read the value: grep-able, so every use is deliberate.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for Secret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Err("must not be empty".into());
        }
        Ok(Self(s.to_owned()))
    }
}

/// `postgres://user:password@host:port/db`: validated at start-up so a typo
/// fails fast, kept secret because it usually contains a password.
#[derive(Clone, Debug)]
pub struct DatabaseUrl(Secret);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Don't echo the value back: it may hold a password.
        if !(s.starts_with("postgres://") || s.starts_with("postgresql://")) {
            return Err("must be a postgres:// URL".into());
        }
        sqlx::postgres::PgConnectOptions::from_str(s)
            .map_err(|_| "is not a valid postgres:// URL".to_owned())?;
        Ok(Self(Secret::new(s)))
    }
}

/// Parses a secret setting without ever echoing its value: clap's own error
/// ("invalid value '<value>' for ...") would print a password to the logs.
#[derive(Clone, Debug)]
pub struct SecretParser<T>(PhantomData<T>);

impl<T> SecretParser<T> {
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for SecretParser<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> TypedValueParser for SecretParser<T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let name = arg
            .and_then(|a| a.get_value_names())
            .and_then(|names| names.first())
            .map_or_else(|| "a secret setting".to_owned(), ToString::to_string);
        let fail = |reason: &str| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value for {name}: {reason} (value not shown)\n"),
            )
            .with_cmd(cmd)
        };
        let text = value.to_str().ok_or_else(|| fail("not valid UTF-8"))?;
        T::from_str(text).map_err(|reason| fail(&reason))
    }
}

#[derive(Args, Clone, Debug)]
pub struct DatabaseSettings {
    /// Postgres connection URL (secret: may hold a password).
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        hide_env_values = true,
        value_parser = SecretParser::<DatabaseUrl>::new()
    )]
    pub database_url: DatabaseUrl,
}

#[derive(Args, Clone, Debug)]
pub struct AwsSettings {
    /// AWS region of the queues and the topic.
    #[arg(
        long,
        env = "AWS_REGION",
        value_name = "AWS_REGION",
        default_value = "us-east-1"
    )]
    pub aws_region: String,

    /// Endpoint override for SQS and SNS (the local emulator); unset on AWS.
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "AWS_ENDPOINT_URL")]
    pub aws_endpoint_url: Option<HttpUrl>,
}

/// An `http://` or `https://` URL, checked at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl(pub String);

impl FromStr for HttpUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let rest = s
            .strip_prefix("http://")
            .or_else(|| s.strip_prefix("https://"))
            .ok_or("must start with http:// or https://")?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err("has no host".into());
        }
        Ok(Self(s.trim_end_matches('/').to_owned()))
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for containers and log shipping.
    Json,
}

#[derive(Args, Clone, Debug)]
pub struct TelemetrySettings {
    /// Log format: `pretty` locally, `json` in containers.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_name = "LOG_FORMAT",
        value_enum,
        default_value = "pretty"
    )]
    pub log_format: LogFormat,

    /// Log filter, in `tracing` env-filter syntax.
    #[arg(
        long,
        env = "RUST_LOG",
        value_name = "RUST_LOG",
        default_value = "info"
    )]
    pub log_filter: String,
}

/// Load `.env` (if present, never overriding the real environment), then
/// parse the service's settings from the environment. On a missing or
/// malformed value clap prints which variable is wrong and exits non-zero.
pub fn load<T: Parser>() -> T {
    // A missing .env is normal (containers, CI); a malformed one is not.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("error: could not read .env: {e}");
        std::process::exit(2);
    }
    T::parse()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s: Secret = "hunter2".parse().unwrap();
        assert_eq!(format!("{s} {s:?}"), "[redacted] Secret([redacted])");
        let url: DatabaseUrl = "postgres://u:hunter2@localhost/db".parse().unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
    }

    #[test]
    fn urls_are_checked() {
        assert!("mysql://x".parse::<DatabaseUrl>().is_err());
        assert!("http://".parse::<HttpUrl>().is_err());
        assert_eq!(
            "http://127.0.0.1:4566/".parse::<HttpUrl>().unwrap().0,
            "http://127.0.0.1:4566"
        );
    }
}
