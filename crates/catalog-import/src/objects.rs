//! Uploaded files in S3: where they go (a prefix per user), the presigned
//! `PUT` a browser uploads with, reading one back as a stream, and creating
//! the bucket locally (`catalogctl setup-aws`; on AWS the CDK stack does).
//!
//! Locally `AWS_ENDPOINT_URL` points at the emulator, which serves S3 with
//! path-style addresses only (`http://host:port/bucket/key`); on AWS the
//! endpoint is unset and addresses are virtual-hosted
//! (`https://bucket.s3.region.amazonaws.com/key`).

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_sdk_s3::config::RequestChecksumCalculation;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sync_core::queue::describe_sdk_error;
use sync_core::settings::HttpUrl;
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Every upload lives under this prefix (the IAM grants and the lifecycle
/// rule of the CDK stack name it too).
pub const UPLOAD_PREFIX: &str = "uploads/";

/// The one content type an upload URL is signed for (a browser reports a
/// CSV file as `text/csv`, `application/vnd.ms-excel` or nothing, so the
/// page sends this one whatever the file says).
pub const CSV_CONTENT_TYPE: &str = "text/csv";

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// No object under the key (never uploaded, expired or deleted).
    #[error("the uploaded file is not there (never uploaded, expired or deleted)")]
    Missing,
    /// The object is not the version the job checked (uploaded again).
    #[error("the file was uploaded again while it was being imported")]
    Changed,
    /// S3 did not answer, or answered with an error worth retrying.
    #[error("S3: {0}")]
    Unavailable(String),
    /// An upload URL could not be made (credentials, configuration).
    #[error("could not sign an upload URL: {0}")]
    Presign(String),
}

/// A presigned `PUT`: the browser sends the file to `url` with exactly
/// these headers (its `Content-Length` is the declared size: a file of
/// another size is refused by S3).
#[derive(Debug, Clone)]
pub struct PresignedUpload {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

/// What `HEAD` says about an uploaded object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    pub etag: String,
}

/// The uploads bucket, as this service sees it.
#[derive(Debug, Clone)]
pub struct Objects {
    client: aws_sdk_s3::Client,
    /// Signs the URLs browsers use: the same endpoint, or the public one.
    presigner: aws_sdk_s3::Client,
    bucket: String,
    origin: std::sync::Arc<OnceCell<String>>,
}

/// An S3 client for `config`; path-style addresses whenever an endpoint
/// override is in effect (the emulator knows no virtual hosts). Checksums
/// only where S3 requires them: a presigned `PUT` must not carry the
/// checksum of the empty body it was signed without.
pub fn s3_client(config: &SdkConfig, endpoint: Option<&HttpUrl>) -> aws_sdk_s3::Client {
    let mut builder = aws_sdk_s3::config::Builder::from(config)
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired);
    if let Some(endpoint) = endpoint {
        builder = builder
            .endpoint_url(endpoint.0.clone())
            .force_path_style(true);
    } else if config.endpoint_url().is_some() {
        builder = builder.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

impl Objects {
    /// `public_endpoint`: where browsers reach S3, if not where this
    /// service does.
    pub fn new(config: &SdkConfig, bucket: &str, public_endpoint: Option<&HttpUrl>) -> Self {
        let client = s3_client(config, None);
        let presigner = match public_endpoint {
            Some(endpoint) => s3_client(config, Some(endpoint)),
            None => client.clone(),
        };
        Self {
            client,
            presigner,
            bucket: bucket.to_owned(),
            origin: std::sync::Arc::default(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// The key of upload `id` of `owner`. The owner part is a hash of the
    /// name (names may hold any character), so a key names its owner and a
    /// job can only be made from the caller's own uploads.
    pub fn key(owner: &str, id: Uuid) -> String {
        format!("{}{id}.csv", owner_prefix(owner))
    }

    /// Sign a `PUT` of `size` bytes of CSV to `key`, valid for `ttl`.
    pub async fn presign_put(
        &self,
        key: &str,
        size: u64,
        ttl: Duration,
    ) -> Result<PresignedUpload, ObjectError> {
        let presigning = PresigningConfig::builder()
            .start_time(SystemTime::now())
            .expires_in(ttl)
            .build()
            .map_err(|e| ObjectError::Presign(e.to_string()))?;
        let size = i64::try_from(size).map_err(|_| ObjectError::Presign("size".into()))?;
        let request = self
            .presigner
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(CSV_CONTENT_TYPE)
            .content_length(size)
            .presigned(presigning)
            .await
            .map_err(|e| ObjectError::Presign(describe_sdk_error(&e)))?;
        // Content-Length and Host are the request's own (a browser may not
        // set them); everything else signed must be sent as signed.
        let headers = request
            .headers()
            .filter(|(name, _)| {
                !name.eq_ignore_ascii_case("content-length") && !name.eq_ignore_ascii_case("host")
            })
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .collect();
        let expires_at = Utc::now()
            + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::zero());
        Ok(PresignedUpload {
            url: request.uri().to_owned(),
            headers,
            expires_at,
        })
    }

    /// `scheme://host[:port]` of the upload URLs: what the upload page's
    /// Content-Security-Policy lets the browser connect to. Taken from a
    /// real presigned URL (made once, nothing is sent), so it is always
    /// the origin the URLs use.
    pub async fn browser_origin(&self) -> Result<String, ObjectError> {
        self.origin
            .get_or_try_init(|| async {
                let probe = self
                    .presign_put(&format!("{UPLOAD_PREFIX}probe"), 1, Duration::from_secs(60))
                    .await?;
                origin_of(&probe.url)
                    .ok_or_else(|| ObjectError::Presign(format!("no origin in {}", probe.url)))
            })
            .await
            .cloned()
    }

    /// Size and ETag of `key`, or [`ObjectError::Missing`].
    pub async fn head(&self, key: &str) -> Result<ObjectInfo, ObjectError> {
        let head = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(s) if s.is_not_found() => ObjectError::Missing,
                _ if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {
                    ObjectError::Missing
                }
                _ => ObjectError::Unavailable(describe_sdk_error(&e)),
            })?;
        Ok(ObjectInfo {
            size: head
                .content_length()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            etag: head.e_tag().unwrap_or_default().to_owned(),
        })
    }

    /// The object's bytes from `offset` on, as a stream (nothing is held in
    /// memory beyond the SDK's buffers). Only while it is still version
    /// `etag`: an object uploaded again gives [`ObjectError::Changed`].
    pub async fn read_from(
        &self,
        key: &str,
        etag: &str,
        offset: u64,
    ) -> Result<ByteStream, ObjectError> {
        let mut request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .if_match(etag);
        if offset > 0 {
            request = request.range(format!("bytes={offset}-"));
        }
        let object = request.send().await.map_err(|e| {
            let status = e.raw_response().map(|r| r.status().as_u16());
            match (e.as_service_error(), status) {
                (Some(s), _) if s.is_no_such_key() => ObjectError::Missing,
                (_, Some(404)) => ObjectError::Missing,
                (_, Some(412)) => ObjectError::Changed,
                _ => ObjectError::Unavailable(describe_sdk_error(&e)),
            }
        })?;
        Ok(object.body)
    }
}

/// `uploads/<first 128 bits of SHA-256(owner), hex>/`.
pub fn owner_prefix(owner: &str) -> String {
    let digest = Sha256::digest(owner.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{UPLOAD_PREFIX}{hex}/")
}

/// `scheme://authority` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

/// How the local bucket is set up (on AWS: the CDK stack).
#[derive(Debug, Clone)]
pub struct BucketSetup {
    pub bucket: String,
    /// Origins whose pages may `PUT` into the bucket (the frontend's).
    pub allowed_origins: Vec<String>,
    /// Uploads are deleted this many days after they were made.
    pub expiry_days: i32,
}

/// Create the uploads bucket unless it exists, and (re)set its CORS rule
/// (browsers `PUT` from the frontend's origin only) and its lifecycle rule
/// (uploads expire). Idempotent.
pub async fn provision_bucket(
    client: &aws_sdk_s3::Client,
    region: &str,
    setup: &BucketSetup,
) -> Result<(), ObjectError> {
    use aws_sdk_s3::types::{
        BucketLifecycleConfiguration, BucketLocationConstraint, CorsConfiguration, CorsRule,
        CreateBucketConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
        LifecycleRuleFilter,
    };
    let mut create = client.create_bucket().bucket(&setup.bucket);
    // us-east-1 is the one region that takes no location constraint.
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    if let Err(e) = create.send().await {
        let owned = e
            .as_service_error()
            .is_some_and(|s| s.is_bucket_already_owned_by_you());
        if !owned {
            return Err(ObjectError::Unavailable(describe_sdk_error(&e)));
        }
    }
    let rule = CorsRule::builder()
        .set_allowed_origins(Some(setup.allowed_origins.clone()))
        .allowed_methods("PUT")
        .allowed_headers("content-type")
        .expose_headers("ETag")
        .max_age_seconds(3600)
        .build()
        .map_err(|e| ObjectError::Unavailable(e.to_string()))?;
    client
        .put_bucket_cors()
        .bucket(&setup.bucket)
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(rule)
                .build()
                .map_err(|e| ObjectError::Unavailable(e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| ObjectError::Unavailable(describe_sdk_error(&e)))?;
    let expiry = LifecycleRule::builder()
        .id("expire-uploads")
        .filter(LifecycleRuleFilter::builder().prefix(UPLOAD_PREFIX).build())
        .status(ExpirationStatus::Enabled)
        .expiration(
            LifecycleExpiration::builder()
                .days(setup.expiry_days)
                .build(),
        )
        .build()
        .map_err(|e| ObjectError::Unavailable(e.to_string()))?;
    client
        .put_bucket_lifecycle_configuration()
        .bucket(&setup.bucket)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(expiry)
                .build()
                .map_err(|e| ObjectError::Unavailable(e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| ObjectError::Unavailable(describe_sdk_error(&e)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keys_are_per_owner() {
        let id = Uuid::new_v4();
        let alice = Objects::key("alice", id);
        assert!(alice.starts_with(UPLOAD_PREFIX), "{alice}");
        assert!(alice.ends_with(&format!("/{id}.csv")), "{alice}");
        assert_ne!(owner_prefix("alice"), owner_prefix("bob"));
        assert!(alice.starts_with(&owner_prefix("alice")));
        // Names with slashes or dots cannot escape the prefix.
        assert_eq!(owner_prefix("../x").matches('/').count(), 2);
    }

    fn config(endpoint: Option<&str>) -> SdkConfig {
        use aws_sdk_s3::config::{Credentials, Region, SharedCredentialsProvider};
        let mut builder = SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            )));
        if let Some(endpoint) = endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        builder.build()
    }

    /// What a browser gets: a SigV4 query-signed URL that pins size and
    /// content type, with no checksum of an empty body in it.
    #[tokio::test]
    async fn upload_urls_sign_size_and_type() {
        let objects = Objects::new(&config(None), "catalog-uploads", None);
        let upload = objects
            .presign_put("uploads/ab/x.csv", 1234, Duration::from_secs(900))
            .await
            .unwrap();
        assert!(
            upload.url.starts_with(
                "https://catalog-uploads.s3.us-east-1.amazonaws.com/uploads/ab/x.csv?"
            ),
            "{}",
            upload.url
        );
        assert!(upload.url.contains("X-Amz-Expires=900"), "{}", upload.url);
        assert!(
            upload
                .url
                .contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"),
            "{}",
            upload.url
        );
        assert!(
            !upload.url.to_lowercase().contains("checksum"),
            "{}",
            upload.url
        );
        assert_eq!(
            upload.headers,
            [("content-type".to_owned(), "text/csv".to_owned())]
        );
        assert_eq!(
            objects.browser_origin().await.unwrap(),
            "https://catalog-uploads.s3.us-east-1.amazonaws.com"
        );

        // The emulator: path-style, and the public endpoint when given.
        let local = config(Some("http://127.0.0.1:4566"));
        let objects = Objects::new(&local, "catalog-uploads", None);
        let upload = objects
            .presign_put("uploads/ab/x.csv", 1, Duration::from_secs(60))
            .await
            .unwrap();
        assert!(
            upload
                .url
                .starts_with("http://127.0.0.1:4566/catalog-uploads/uploads/ab/x.csv?"),
            "{}",
            upload.url
        );
        let public = "http://localhost:14566".parse().unwrap();
        let objects = Objects::new(&local, "catalog-uploads", Some(&public));
        assert_eq!(
            objects.browser_origin().await.unwrap(),
            "http://localhost:14566"
        );
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://127.0.0.1:4566/b/k?X-Amz-Date=1").as_deref(),
            Some("http://127.0.0.1:4566")
        );
        assert_eq!(
            origin_of("https://b.s3.us-east-1.amazonaws.com/uploads/x.csv").as_deref(),
            Some("https://b.s3.us-east-1.amazonaws.com")
        );
        assert_eq!(origin_of("nonsense"), None);
    }
}
