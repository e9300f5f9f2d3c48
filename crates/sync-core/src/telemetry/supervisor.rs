//! One task set per service, watched as a whole.
//!
//! A service is a handful of long-running tasks (receivers, a batch loop, a
//! relay, probes, an HTTP server). Each must run until shutdown; one that
//! ends early (returns, panics, is cancelled) leaves a process that looks
//! alive and ready but no longer does its job — an emu whose batch loop died
//! would keep receiving nothing forever while `/readyz` said 200. So the
//! first unexpected exit makes readiness fail at once, triggers shutdown so
//! the other tasks drain, and makes [`Supervisor::run`] return an error:
//! `main` exits non-zero and the orchestrator (ECS, compose) starts a fresh
//! process.

use std::collections::HashMap;
use std::future::Future;

use tokio::task::{AbortHandle, Id, JoinSet};

use super::{Readiness, Shutdown};

/// The readiness check the supervisor owns: `ok` while every task runs,
/// failing from the moment shutdown starts (planned or not), so a load
/// balancer stops sending work to a process that is draining.
pub const CHECK: &str = "running";

/// Why a supervised service stopped abnormally.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("task {task:?} {how}")]
pub struct TaskFailed {
    pub task: &'static str,
    /// "exited before shutdown", "panicked", "was cancelled".
    pub how: &'static str,
}

/// The tasks of one service.
#[derive(Debug)]
pub struct Supervisor {
    tasks: JoinSet<()>,
    names: HashMap<Id, &'static str>,
    handles: HashMap<&'static str, AbortHandle>,
    readiness: Readiness,
    shutdown: Shutdown,
}

impl Supervisor {
    pub fn new(readiness: Readiness, shutdown: Shutdown) -> Self {
        readiness.set_ok(CHECK);
        Self {
            tasks: JoinSet::new(),
            names: HashMap::new(),
            handles: HashMap::new(),
            readiness,
            shutdown,
        }
    }

    /// Run `task` until shutdown. It must end only once
    /// [`Shutdown::triggered`] resolved (after draining its work); ending
    /// before counts as a failure of the whole service.
    pub fn spawn<F>(&mut self, name: &'static str, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let handle = self.tasks.spawn(task);
        self.names.insert(handle.id(), name);
        self.handles.insert(name, handle);
    }

    /// Kill a task as a crash would (it is not told; nothing it holds is
    /// drained). The supervisor then stops the service like after any
    /// other unexpected exit. For fault-injection tests.
    pub fn abort(&self, name: &str) -> bool {
        self.handles.get(name).map(AbortHandle::abort).is_some()
    }

    /// Wait until every task has ended. `Ok` when they all ended after a
    /// shutdown that came from outside (a signal, a test); otherwise the
    /// first failure, after the other tasks drained.
    pub async fn run(mut self) -> Result<(), TaskFailed> {
        let mut failure: Option<TaskFailed> = None;
        let mut draining = false;
        loop {
            // Biased, shutdown first: when the shutdown and the tasks' ends
            // are ready at once, readiness drops before the loop can end.
            tokio::select! {
                biased;
                () = self.shutdown.triggered(), if !draining => {
                    draining = true;
                    if failure.is_none() {
                        self.readiness.set(CHECK, Err("shutting down".into()));
                    }
                }
                joined = self.tasks.join_next_with_id() => {
                    let Some(joined) = joined else { break };
                    let (id, how) = match joined {
                        Ok((id, ())) if self.shutdown.is_triggered() => (id, None),
                        Ok((id, ())) => (id, Some("exited before shutdown")),
                        Err(e) if e.is_panic() => (e.id(), Some("panicked")),
                        Err(e) => (e.id(), Some("was cancelled")),
                    };
                    let task = self.names.get(&id).copied().unwrap_or("unnamed");
                    if let Some(how) = how {
                        tracing::error!(task, how, "a service task stopped; shutting the service down");
                        self.readiness.set(CHECK, Err(format!("task {task} {how}")));
                        failure.get_or_insert(TaskFailed { task, how });
                        self.shutdown.trigger();
                    }
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::*;

    /// A task that runs until shutdown, like every service loop.
    fn until_shutdown(shutdown: &Shutdown) -> impl Future<Output = ()> + use<> {
        let shutdown = shutdown.clone();
        async move { shutdown.triggered().await }
    }

    #[tokio::test]
    async fn a_planned_shutdown_drains_every_task_and_succeeds() {
        let (readiness, shutdown) = (Readiness::new(&[]), Shutdown::new());
        let mut tasks = Supervisor::new(readiness.clone(), shutdown.clone());
        tasks.spawn("a", until_shutdown(&shutdown));
        tasks.spawn("b", until_shutdown(&shutdown));
        assert!(readiness.is_ready());
        let run = tokio::spawn(tasks.run());
        shutdown.trigger();
        assert_eq!(run.await.unwrap(), Ok(()));
        assert!(!readiness.is_ready(), "draining is not ready");
    }

    #[tokio::test]
    async fn an_early_exit_stops_the_service_with_an_error() {
        let (readiness, shutdown) = (Readiness::new(&[]), Shutdown::new());
        let mut tasks = Supervisor::new(readiness.clone(), shutdown.clone());
        tasks.spawn("loop", until_shutdown(&shutdown));
        tasks.spawn("quitter", async {});
        let result = tokio::time::timeout(Duration::from_secs(5), tasks.run())
            .await
            .unwrap();
        assert_eq!(
            result,
            Err(TaskFailed {
                task: "quitter",
                how: "exited before shutdown"
            })
        );
        assert!(shutdown.is_triggered(), "the other tasks were told to stop");
        assert!(!readiness.is_ready());
    }

    #[tokio::test]
    async fn a_panic_or_an_abort_is_a_failure() {
        let shutdown = Shutdown::new();
        let mut tasks = Supervisor::new(Readiness::new(&[]), shutdown.clone());
        tasks.spawn("loop", until_shutdown(&shutdown));
        tasks.spawn("panics", async { panic!("boom") });
        assert_eq!(tasks.run().await.unwrap_err().how, "panicked");

        let shutdown = Shutdown::new();
        let mut tasks = Supervisor::new(Readiness::new(&[]), shutdown.clone());
        tasks.spawn("loop", until_shutdown(&shutdown));
        tasks.spawn("victim", std::future::pending());
        assert!(tasks.abort("victim"));
        assert!(!tasks.abort("nobody"));
        assert_eq!(
            tasks.run().await.unwrap_err(),
            TaskFailed {
                task: "victim",
                how: "was cancelled"
            }
        );
    }
}
