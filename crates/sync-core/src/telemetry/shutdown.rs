/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM (ECS, `make down`).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No handler could be installed: never resolve from this branch.
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// A cloneable "stop now" flag that every long-running loop selects on.
/// `main` triggers it from [`shutdown_signal`]; tests trigger it directly.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    sender: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
}

impl Shutdown {
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask every holder to stop taking new work.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    pub fn is_triggered(&self) -> bool {
        *self.sender.borrow()
    }

    /// Resolves once [`Shutdown::trigger`] has been called (at once if it
    /// already was).
    pub async fn triggered(&self) {
        let mut receiver = self.sender.subscribe();
        // An error means the sender is gone, which cannot happen while
        // `self` holds it; either way the right answer is "stop".
        let _ = receiver.wait_for(|stop| *stop).await;
    }

    /// Trigger on SIGINT/SIGTERM. Spawned once by each service's `main`.
    pub fn trigger_on_signal(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            this.trigger();
        });
    }
}
