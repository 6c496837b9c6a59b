//! The public face: [`Simulator`] generates the data and binds; [`SimHandle`] is the running
//! server, for tests to read the truth, change it, and stop.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::state::{AppState, Shared, SimStats};
use super::{call_log, routes};
use crate::config::{RateLimits, SimConfig};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::faults::Faults;
use crate::message_sync::SyncToken;
use crate::mutate::{Mutation, MutationReport};
use crate::render::Urls;
use crate::truth::Truth;

/// A RingCentral API stand-in with a generated, seeded data set.
#[derive(Debug)]
pub struct Simulator {
    cfg: SimConfig,
    data: Arc<Dataset>,
}

impl Simulator {
    /// Generates the data set, deterministically from `cfg.seed`.
    pub fn new(cfg: SimConfig) -> Self {
        let data = Arc::new(Dataset::generate_at(&cfg, Utc::now()));
        Self { cfg, data }
    }

    /// Everything the server will serve (before any late update).
    pub fn truth(&self) -> &Truth {
        &self.data.truth
    }

    /// The body the server would answer `GET /restapi/v1.0/account/~/call-log?<query>`
    /// with now (absolute URIs on `https://platform.ringcentral.com`), without serving it:
    /// for benchmarks that need raw pages in bulk.
    pub fn call_log_page(&self, query: &str) -> Result<Vec<u8>> {
        let urls = Urls {
            base: "https://platform.ringcentral.com".into(),
            account_id: self.cfg.account_id,
        };
        call_log::page(&self.cfg, &self.data, &urls, Some(query), Utc::now())
    }

    /// Binds `addr` (tests pass `127.0.0.1:0`) and serves in a spawned task until
    /// [`SimHandle::shutdown`] or the handle is dropped.
    pub async fn serve(self, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let state = Arc::new(AppState::new(self.cfg, self.data, local_addr));
        let (tx, rx) = oneshot::channel::<()>();
        let app = routes::router(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // A dropped handle stops the server too.
                    let _ = rx.await;
                })
                .await
        });
        info!(addr = %local_addr, calls = state.data().truth.calls.len(), "Simulator listening.");
        Ok(SimHandle {
            addr: local_addr,
            state,
            stop: Some(tx),
            task,
        })
    }
}

/// A running simulator. Dropping it stops the server as well.
pub struct SimHandle {
    addr: SocketAddr,
    state: Shared,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Everything the server serves now, late updates included.
    pub fn truth(&self) -> Arc<Truth> {
        self.state.data().truth.clone()
    }

    /// Changes past data as [`Mutation`] says; every endpoint and [`Self::truth`] serve the
    /// new state from the next request on. Same as `POST /_admin/mutate`.
    pub fn mutate(&self, mutation: &Mutation) -> MutationReport {
        self.state.mutate(mutation)
    }

    /// Retention: from the next request on, the call-log and message-store lists no
    /// longer serve calls that started, or messages created, before `before` — as the API
    /// forgets old records (docs/api.md §7). [`Self::truth`] keeps them: it is what the
    /// account did, and what an archive must still hold.
    pub fn forget_before(&self, before: DateTime<Utc>) {
        self.state.forget_before(before);
    }

    /// Replaces the rate limits of the running server (a 429 storm when lowered). Requests
    /// already counted in the window stay counted. Same as `POST /_admin/limits`.
    pub fn set_limits(&self, limits: RateLimits) {
        self.state.set_limits(limits);
    }

    /// Replaces the injected faults; the fault generator restarts from `faults.seed`.
    /// Same as `POST /_admin/faults`.
    pub fn set_faults(&self, faults: Faults) {
        self.state.set_faults(faults);
    }

    /// A message-sync token as an `FSync` of extension `extension_id` (no filters) at `at`
    /// would have issued it, for tests that start an `ISync` from a chosen instant. The
    /// server hands tokens out only in `syncInfo`; `ISync` refuses tokens older than
    /// `SimConfig::message_sync_token_max_age_secs`.
    pub fn message_sync_token(&self, extension_id: i64, at: DateTime<Utc>) -> String {
        SyncToken::new(extension_id, at, &[], &[]).encode()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> SimStats {
        self.state.stats()
    }

    /// Stops accepting, lets open requests finish, and returns when the server is down.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(Ok(())) => info!(addr = %self.addr, "Simulator stopped."),
            Ok(Err(e)) => warn!(addr = %self.addr, error = %e, "Simulator stopped with an error."),
            Err(e) => warn!(addr = %self.addr, error = %e, "Simulator task failed."),
        }
    }
}
