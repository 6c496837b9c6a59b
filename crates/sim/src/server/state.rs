//! What every request shares: the data set, the token store, the limiter, the fault dice and
//! the counters, plus the path checks (`~`, account and extension ids) all handlers need.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tracing::info;

use crate::auth::TokenStore;
use crate::config::{RateLimits, SimConfig};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::faults::{Dice, Faults};
use crate::limiter::Limiter;
use crate::mutate::{Mutation, MutationReport};
use crate::render::Urls;

/// Counters of what the simulator answered, from `SimHandle::stats` or `GET /_admin/stats`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SimStats {
    /// Requests per rate-limit group (`Heavy`, `Medium`, `Light`, `Auth`), refused ones included.
    pub requests_by_group: BTreeMap<String, u64>,
    /// 429 answers.
    pub responses_429: u64,
    /// 401 answers (API calls and token endpoint).
    pub responses_401: u64,
    /// Successful JWT bearer grants.
    pub token_grants: u64,
    /// Successful refresh grants.
    pub token_refreshes: u64,
    /// Injected 503 answers.
    pub faults_503: u64,
    /// Injected dropped connections.
    pub faults_dropped: u64,
    /// Injected truncated bodies.
    pub faults_truncated: u64,
    /// Injected slow replies.
    pub faults_slow: u64,
}

#[derive(Debug)]
pub(crate) struct AppState {
    /// The current data set. A request clones the `Arc` and renders from it without
    /// holding the lock; a late update swaps in a new one (see `mutate.rs`).
    data: RwLock<Arc<Dataset>>,
    /// Serialises late updates, so none is lost between clone and swap.
    mutating: Mutex<()>,
    pub(super) cfg: SimConfig,
    pub(super) tokens: Mutex<TokenStore>,
    pub(super) limiter: Mutex<Limiter>,
    pub(super) faults: Mutex<Dice>,
    pub(super) stats: Mutex<SimStats>,
    local_addr: SocketAddr,
}

pub(super) type Shared = Arc<AppState>;

/// A poisoned lock only means another request panicked; the counters are still usable.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    /// Fresh tokens, limiter, dice and counters around the generated `data`.
    pub(super) fn new(cfg: SimConfig, data: Arc<Dataset>, local_addr: SocketAddr) -> Self {
        Self {
            tokens: Mutex::new(TokenStore::new(
                cfg.access_token_ttl_secs,
                cfg.refresh_token_ttl_secs,
                cfg.account_id,
            )),
            limiter: Mutex::new(Limiter::new(cfg.limits.clone())),
            faults: Mutex::new(Dice::new(cfg.faults.clone())),
            stats: Mutex::new(SimStats::default()),
            data: RwLock::new(data),
            mutating: Mutex::new(()),
            cfg,
            local_addr,
        }
    }

    pub(super) fn data(&self) -> Arc<Dataset> {
        self.data.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn mutate(&self, m: &Mutation) -> MutationReport {
        let _one_at_a_time = lock(&self.mutating);
        // Built outside the write lock so requests keep being served meanwhile.
        let (next, report) = self.data().mutated(m, Utc::now());
        *self.data.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        info!(
            calls = report.calls.len(),
            recordings = report.recordings_added.len(),
            messages_read = report.messages_read.len(),
            messages_deleted = report.messages_deleted.len(),
            "Late updates applied."
        );
        report
    }

    pub(super) fn forget_before(&self, before: DateTime<Utc>) {
        let _one_at_a_time = lock(&self.mutating);
        let next = self.data().forgetting(before);
        *self.data.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        info!(%before, "Records before this forgotten (retention).");
    }

    pub(super) fn set_limits(&self, limits: RateLimits) {
        info!(
            light = limits.light,
            medium = limits.medium,
            heavy = limits.heavy,
            auth = limits.auth,
            window_secs = limits.window_secs,
            "Rate limits changed."
        );
        lock(&self.limiter).set_limits(limits);
    }

    pub(super) fn set_faults(&self, faults: Faults) {
        info!(faults = ?faults, "Faults changed.");
        *lock(&self.faults) = Dice::new(faults);
    }

    pub(super) fn stats(&self) -> SimStats {
        lock(&self.stats).clone()
    }

    pub(super) fn urls(&self, headers: &HeaderMap) -> Urls {
        // Absolute URIs follow the Host the client used, like the real server's.
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| self.local_addr.to_string());
        Urls {
            base: format!("http://{host}"),
            account_id: self.cfg.account_id,
        }
    }

    pub(super) fn check_account(&self, account: &str) -> Result<()> {
        if account == "~" || account == self.cfg.account_id.to_string() {
            Ok(())
        } else {
            Err(Error::UnknownAccount {
                account_id: account.to_string(),
            })
        }
    }

    /// `~` is the token owner: the account's main extension, whose id is the account id.
    pub(super) fn check_extension(&self, ext: &str) -> Result<i64> {
        if ext == "~" {
            return Ok(self.cfg.account_id);
        }
        ext.parse::<i64>()
            .ok()
            .filter(|id| self.data().account.extensions.iter().any(|e| e.id == *id))
            .ok_or_else(|| Error::UnknownExtension {
                extension_id: ext.to_string(),
            })
    }
}
