//! The bulk upload's settings (`UPLOAD_*`, `IMPORT_*`), flattened into the
//! frontend's. Every one has a default except the bucket: without
//! `UPLOAD_BUCKET` bulk upload is off and the rest is ignored.

use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use sync_core::settings::HttpUrl;

/// The largest object a single S3 `PUT` may create (5 GiB).
pub const MAX_SINGLE_PUT_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// The longest a SigV4 presigned URL may be valid (7 days).
pub const MAX_URL_TTL_S: u64 = 7 * 24 * 3600;

#[derive(Args, Clone, Debug)]
pub struct UploadSettings {
    /// S3 bucket uploaded catalog files go to (under `uploads/`). Unset =
    /// bulk upload is off.
    #[arg(long, env = "UPLOAD_BUCKET", value_name = "UPLOAD_BUCKET")]
    pub upload_bucket: Option<BucketName>,

    /// The largest file accepted, in bytes (at most 5 GiB, one S3 PUT).
    #[arg(
        long,
        env = "UPLOAD_MAX_BYTES",
        value_name = "UPLOAD_MAX_BYTES",
        default_value_t = 1024 * 1024 * 1024,
        value_parser = clap::value_parser!(u64).range(1..=MAX_SINGLE_PUT_BYTES)
    )]
    pub upload_max_bytes: u64,

    /// How long an upload URL stays valid, in seconds (the upload must
    /// start before it expires).
    #[arg(
        long,
        env = "UPLOAD_URL_TTL_S",
        value_name = "UPLOAD_URL_TTL_S",
        default_value_t = 900,
        value_parser = clap::value_parser!(u64).range(1..=MAX_URL_TTL_S)
    )]
    pub upload_url_ttl_s: u64,

    /// S3 endpoint written into upload URLs, when browsers reach S3 at
    /// another address than this service (compose: the emulator's published
    /// port). Unset = the endpoint this service uses.
    #[arg(
        long,
        env = "UPLOAD_PUBLIC_ENDPOINT_URL",
        value_name = "UPLOAD_PUBLIC_ENDPOINT_URL"
    )]
    pub upload_public_endpoint_url: Option<HttpUrl>,

    /// Import jobs this process runs at once; 0 = none here (another
    /// replica imports).
    #[arg(
        long,
        env = "IMPORT_WORKERS",
        value_name = "IMPORT_WORKERS",
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(0..=8)
    )]
    pub import_workers: u32,

    /// Seconds a worker's claim on a job lasts without renewal; a job whose
    /// worker vanished is taken over after this.
    #[arg(
        long,
        env = "IMPORT_LEASE_S",
        value_name = "IMPORT_LEASE_S",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(2..=3600)
    )]
    pub import_lease_s: u64,

    /// How often an idle worker looks for queued jobs, in ms (a job created
    /// on this replica wakes it at once).
    #[arg(
        long,
        env = "IMPORT_POLL_INTERVAL_MS",
        value_name = "IMPORT_POLL_INTERVAL_MS",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(10..=600_000)
    )]
    pub import_poll_interval_ms: u64,

    /// Rows per checkpoint (each lane writes its share in one transaction).
    #[arg(
        long,
        env = "IMPORT_CHUNK_ROWS",
        value_name = "IMPORT_CHUNK_ROWS",
        default_value_t = 5_000,
        value_parser = clap::value_parser!(u32).range(100..=100_000)
    )]
    pub import_chunk_rows: u32,

    /// Transactions that write a chunk side by side, each on its own
    /// connection (rows go to a lane by SKU). Postgres spends most of an
    /// import in the products' triggers and full-text index, one core per
    /// transaction: more lanes use more of its cores.
    #[arg(
        long,
        env = "IMPORT_WRITE_LANES",
        value_name = "IMPORT_WRITE_LANES",
        default_value_t = 2,
        value_parser = clap::value_parser!(u32).range(1..=8)
    )]
    pub import_write_lanes: u32,
}

impl UploadSettings {
    pub fn url_ttl(&self) -> Duration {
        Duration::from_secs(self.upload_url_ttl_s)
    }

    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.import_lease_s)
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.import_poll_interval_ms)
    }
}

/// Creating the uploads bucket for the local stack and compose
/// (`catalogctl setup-aws`; on AWS the CDK stack creates it).
#[derive(Args, Clone, Debug)]
pub struct BucketSettings {
    /// The uploads bucket to create as well; unset = none.
    #[arg(long, env = "UPLOAD_BUCKET", value_name = "UPLOAD_BUCKET")]
    pub upload_bucket: Option<BucketName>,

    /// Origins (the frontend's, `scheme://host:port`) whose pages may
    /// upload into the bucket, comma-separated.
    #[arg(
        long,
        env = "UPLOAD_CORS_ORIGINS",
        value_name = "UPLOAD_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = "http://127.0.0.1:8080,http://localhost:8080"
    )]
    pub upload_cors_origins: Vec<Origin>,

    /// Days after which an uploaded file is deleted.
    #[arg(
        long,
        env = "UPLOAD_EXPIRY_DAYS",
        value_name = "UPLOAD_EXPIRY_DAYS",
        default_value_t = 7,
        value_parser = clap::value_parser!(i32).range(1..=3650)
    )]
    pub upload_expiry_days: i32,
}

impl BucketSettings {
    /// Create the bucket (if one is set); its name when it was.
    pub async fn provision(
        &self,
        config: &aws_config::SdkConfig,
    ) -> Result<Option<String>, crate::ObjectError> {
        let Some(bucket) = &self.upload_bucket else {
            return Ok(None);
        };
        let region = config
            .region()
            .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
        let setup = crate::objects::BucketSetup {
            bucket: bucket.as_str().to_owned(),
            allowed_origins: self
                .upload_cors_origins
                .iter()
                .map(|o| o.0.clone())
                .collect(),
            expiry_days: self.upload_expiry_days,
        };
        crate::objects::provision_bucket(&crate::objects::s3_client(config, None), &region, &setup)
            .await?;
        Ok(Some(setup.bucket))
    }
}

/// A web origin: `http(s)://host[:port]`, no path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin(pub String);

impl FromStr for Origin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url: HttpUrl = s.trim().parse()?;
        let rest = url.0.split_once("://").map_or("", |(_, r)| r);
        if rest.contains(['/', '?', '#']) {
            return Err("must be an origin (scheme://host[:port]), without a path".into());
        }
        Ok(Self(url.0))
    }
}

/// An S3 bucket name, checked against S3's rules at start-up (3–63
/// characters, lowercase letters, digits, `-` and `.`, starting and ending
/// with a letter or digit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketName(String);

impl BucketName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for BucketName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
        let edge =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !(3..=63).contains(&s.len()) {
            return Err("must be 3 to 63 characters".into());
        }
        if !s.chars().all(allowed) || !edge(s.chars().next()) || !edge(s.chars().last()) {
            return Err(
                "must be lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
                    .into(),
            );
        }
        Ok(Self(s.to_owned()))
    }
}

impl std::fmt::Display for BucketName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::BucketName;

    #[test]
    fn origins_have_no_path() {
        use super::Origin;
        assert_eq!(
            "http://localhost:8080/".parse::<Origin>().unwrap(),
            Origin("http://localhost:8080".into())
        );
        assert!("http://localhost:8080/imports".parse::<Origin>().is_err());
        assert!("localhost:8080".parse::<Origin>().is_err());
    }

    #[test]
    fn bucket_names_follow_s3() {
        assert!("catalog-uploads".parse::<BucketName>().is_ok());
        assert!("catalog.uploads-1".parse::<BucketName>().is_ok());
        for bad in ["ab", "Catalog", "-catalog", "catalog-", "cat_alog", ""] {
            assert!(bad.parse::<BucketName>().is_err(), "{bad}");
        }
    }
}
