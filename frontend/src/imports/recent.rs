//! The recent import jobs on `/status`. The page is public: it shows what
//! happened (when, how far, how many rows, the index) but not whose file it
//! was or its name, except to the logged-in owner, whose jobs link to their
//! pages. Read with a short timeout, so that the status page still renders
//! at once when the database is the thing that is down.

use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use super::Imports;
use super::pages::JobRow;
use crate::auth::{Auth, CurrentUser};

/// Jobs shown on `/status`.
const RECENT: i64 = 10;
/// The status page never waits longer than this for them.
const READ_TIMEOUT: Duration = Duration::from_millis(500);

/// What `/status` shows about imports: `None` when bulk upload is off.
#[derive(Default)]
pub struct RecentImports(pub Option<RecentList>);

pub struct RecentList {
    /// `None`: the jobs could not be read just now.
    pub jobs: Option<Vec<RecentJob>>,
}

pub struct RecentJob {
    pub row: JobRow,
    /// The viewer's own job: its name and link are shown.
    pub mine: bool,
}

impl<S> FromRequestParts<S> for RecentImports
where
    Imports: FromRef<S>,
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let imports = Imports::from_ref(state);
        let Some(service) = imports.service() else {
            return Ok(Self(None));
        };
        let viewer = CurrentUser::lookup(parts, &Auth::from_ref(state))
            .await
            .ok()
            .and_then(|u| u.0);
        let jobs = match tokio::time::timeout(READ_TIMEOUT, service.jobs.recent(RECENT)).await {
            Ok(Ok(jobs)) => Some(
                jobs.iter()
                    .map(|job| RecentJob {
                        row: JobRow::of(job),
                        mine: viewer.as_deref() == Some(job.owner.as_str()),
                    })
                    .collect(),
            ),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not read the recent import jobs");
                None
            }
            Err(_) => {
                tracing::warn!("reading the recent import jobs timed out");
                None
            }
        };
        Ok(Self(Some(RecentList { jobs })))
    }
}
