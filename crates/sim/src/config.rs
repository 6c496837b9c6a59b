//! What the simulator serves: account size, call volume, data range, credentials, limits.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::faults::Faults;

/// Default seed of the generator.
pub const DEFAULT_SEED: u64 = 42;
/// Default account id (12 digits ending in `008`, like production ids).
pub const DEFAULT_ACCOUNT_ID: i64 = 400_131_426_008;
/// Default number of user extensions.
pub const DEFAULT_EXTENSIONS: u32 = 50;
/// Default mean number of account-level call-log records per UTC day.
pub const DEFAULT_CALLS_PER_DAY: u32 = 500;
/// Default mean number of messages per user extension per day (a few extensions get many
/// more, most fewer).
pub const DEFAULT_MESSAGES_PER_EXTENSION_PER_DAY: u32 = 3;
/// Default access-token lifetime (docs/api.md §4: about one hour).
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: u64 = 3600;
/// Default refresh-token lifetime (docs/api.md §4: 7 days).
pub const DEFAULT_REFRESH_TOKEN_TTL_SECS: u64 = 604_800;
/// Default age after which a message-sync token is refused with `MSG-333` (7 days; the
/// real limit is not documented, docs/api.md §1.9).
pub const DEFAULT_MESSAGE_SYNC_TOKEN_MAX_AGE_SECS: u64 = 604_800;
/// Default age after which a call-log extract-sync token is refused with `CLG-101` (1 day;
/// the real limit is not documented, docs/api.md §1.3–§1.4).
pub const DEFAULT_EXTRACT_SYNC_TOKEN_MAX_AGE_SECS: u64 = 86_400;

/// The account's time zone unless configured: where the generated company sits (its
/// traffic follows this zone's business hours, its main number is a 650 number).
pub const DEFAULT_TIME_ZONE: &str = "America/Los_Angeles";
/// The account's currency unless configured.
pub const DEFAULT_CURRENCY: &str = "USD";

/// Configuration of a [`Simulator`](crate::Simulator).
///
/// Build it with [`SimConfig::new`] (or `Default`) and the `with_*` methods.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Seed of the data generator; the same seed gives the same data set.
    pub seed: u64,
    /// The account id served (also accepted as `~` in paths).
    pub account_id: i64,
    /// Number of user extensions; call queues, an IVR and a fax user come on top.
    pub extensions: u32,
    /// Mean account-level call-log records per UTC day (weekdays busier than weekends).
    pub calls_per_day: u32,
    /// Mean messages per user extension per day; the main extension and two others get
    /// many times more, the rest fewer. 0: empty message stores.
    pub messages_per_extension_per_day: u32,
    /// Calls are generated with `startTime` in `[data_from, data_to)`.
    pub data_from: DateTime<Utc>,
    /// End (exclusive) of the generated data.
    pub data_to: DateTime<Utc>,
    /// What the token endpoint accepts.
    pub credentials: SimCredentials,
    /// Lifetime of issued access tokens.
    pub access_token_ttl_secs: u64,
    /// Lifetime of issued refresh tokens.
    pub refresh_token_ttl_secs: u64,
    /// Per-group request limits.
    pub limits: RateLimits,
    /// `false` (default): `dateTo` is exclusive. `true`: a call exactly at `dateTo` is included.
    pub date_to_inclusive: bool,
    /// An `ISync` with a message-sync token issued longer ago than this is refused with
    /// `MSG-333` ("full synchronization is required").
    pub message_sync_token_max_age_secs: u64,
    /// An extract-sync `ISync` with a token issued longer ago than this is refused with
    /// `CLG-101` (docs/api.md §1.3: tokens die, the client does a new `FSync`).
    pub extract_sync_token_max_age_secs: u64,
    /// Injected faults on `/restapi/...` requests; none by default.
    pub faults: Faults,
    /// The account's time zone (`regionalSettings.timezone.name`), an IANA name.
    pub time_zone: String,
    /// The account's currency (`regionalSettings.currency.code`), ISO 4217.
    pub currency: String,
}

impl Default for SimConfig {
    /// Data range: the previous full calendar month (UTC) plus one day.
    fn default() -> Self {
        let (data_from, data_to) = previous_month_plus_one_day(Utc::now());
        Self {
            seed: DEFAULT_SEED,
            account_id: DEFAULT_ACCOUNT_ID,
            extensions: DEFAULT_EXTENSIONS,
            calls_per_day: DEFAULT_CALLS_PER_DAY,
            messages_per_extension_per_day: DEFAULT_MESSAGES_PER_EXTENSION_PER_DAY,
            data_from,
            data_to,
            credentials: SimCredentials::default(),
            access_token_ttl_secs: DEFAULT_ACCESS_TOKEN_TTL_SECS,
            refresh_token_ttl_secs: DEFAULT_REFRESH_TOKEN_TTL_SECS,
            limits: RateLimits::default(),
            date_to_inclusive: false,
            message_sync_token_max_age_secs: DEFAULT_MESSAGE_SYNC_TOKEN_MAX_AGE_SECS,
            extract_sync_token_max_age_secs: DEFAULT_EXTRACT_SYNC_TOKEN_MAX_AGE_SECS,
            faults: Faults::default(),
            time_zone: DEFAULT_TIME_ZONE.to_owned(),
            currency: DEFAULT_CURRENCY.to_owned(),
        }
    }
}

impl SimConfig {
    /// Same as `Default::default()`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Seed of the generator.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The account's time zone (an IANA name, e.g. `Europe/Paris`).
    pub fn with_time_zone(mut self, time_zone: impl Into<String>) -> Self {
        self.time_zone = time_zone.into();
        self
    }

    /// The account's currency (ISO 4217, e.g. `EUR`).
    pub fn with_currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = currency.into();
        self
    }

    /// Account id served.
    pub fn with_account_id(mut self, account_id: i64) -> Self {
        self.account_id = account_id;
        self
    }

    /// Number of user extensions.
    pub fn with_extensions(mut self, extensions: u32) -> Self {
        self.extensions = extensions;
        self
    }

    /// Mean call-log records per day.
    pub fn with_calls_per_day(mut self, calls_per_day: u32) -> Self {
        self.calls_per_day = calls_per_day;
        self
    }

    /// Mean messages per user extension per day.
    pub fn with_messages_per_extension_per_day(mut self, per_day: u32) -> Self {
        self.messages_per_extension_per_day = per_day;
        self
    }

    /// Start (inclusive) of the generated data.
    pub fn with_data_from(mut self, data_from: DateTime<Utc>) -> Self {
        self.data_from = data_from;
        self
    }

    /// End (exclusive) of the generated data.
    pub fn with_data_to(mut self, data_to: DateTime<Utc>) -> Self {
        self.data_to = data_to;
        self
    }

    /// Both ends of the generated data, `[from, to)`.
    pub fn with_data_range(self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.with_data_from(from).with_data_to(to)
    }

    /// Credentials the token endpoint accepts.
    pub fn with_credentials(mut self, credentials: SimCredentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Access-token lifetime.
    pub fn with_access_token_ttl_secs(mut self, secs: u64) -> Self {
        self.access_token_ttl_secs = secs;
        self
    }

    /// Refresh-token lifetime.
    pub fn with_refresh_token_ttl_secs(mut self, secs: u64) -> Self {
        self.refresh_token_ttl_secs = secs;
        self
    }

    /// Rate limits.
    pub fn with_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether a call exactly at `dateTo` is included.
    pub fn with_date_to_inclusive(mut self, inclusive: bool) -> Self {
        self.date_to_inclusive = inclusive;
        self
    }

    /// Age after which a message-sync token is refused with `MSG-333`.
    pub fn with_message_sync_token_max_age_secs(mut self, secs: u64) -> Self {
        self.message_sync_token_max_age_secs = secs;
        self
    }

    /// Age after which a call-log extract-sync token is refused with `CLG-101`.
    pub fn with_extract_sync_token_max_age_secs(mut self, secs: u64) -> Self {
        self.extract_sync_token_max_age_secs = secs;
        self
    }

    /// Faults injected into `/restapi/...` answers (see [`Faults`]).
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }
}

/// `[first day of the previous month, first day of this month + 1 day)` in UTC.
fn previous_month_plus_one_day(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let today = now.date_naive();
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let prev_month = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(today);
    let from = prev_month.and_time(chrono::NaiveTime::MIN).and_utc();
    let to = this_month.and_time(chrono::NaiveTime::MIN).and_utc() + Duration::days(1);
    (from, to)
}

/// Client credentials the token endpoint accepts (docs/api.md §4).
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct SimCredentials {
    /// Client id, sent in HTTP Basic auth.
    pub client_id: String,
    /// Client secret, sent in HTTP Basic auth.
    pub client_secret: String,
    /// The JWT credential presented as `assertion` in the JWT bearer grant.
    pub jwt: String,
}

impl Default for SimCredentials {
    fn default() -> Self {
        Self::new("sim-client-id", "sim-client-secret", "sim-jwt-credential")
    }
}

impl SimCredentials {
    /// Credentials from their three parts.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        jwt: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            jwt: jwt.into(),
        }
    }
}

/// Requests allowed per group in a sliding window, and the penalty after an excess
/// (docs/api.md §5). Also the JSON body of `POST /_admin/limits` (missing fields: defaults).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// Light group limit per window.
    pub light: u32,
    /// Medium group limit per window (extension list).
    pub medium: u32,
    /// Heavy group limit per window (call log).
    pub heavy: u32,
    /// Auth group limit per window (token endpoint).
    pub auth: u32,
    /// Window length.
    pub window_secs: u64,
    /// Penalty length; every request during the penalty restarts it.
    pub penalty_secs: u64,
}

impl Default for RateLimits {
    /// The default plan of docs/api.md §5: 50/40/10/5 per 60 s, penalty 60 s.
    fn default() -> Self {
        Self {
            light: 50,
            medium: 40,
            heavy: 10,
            auth: 5,
            window_secs: 60,
            penalty_secs: 60,
        }
    }
}

impl RateLimits {
    /// The default counts with window and penalty both `window_secs` (tests use 2–5 s).
    pub fn scaled(window_secs: u64) -> Self {
        Self {
            window_secs,
            penalty_secs: window_secs,
            ..Self::default()
        }
    }

    /// Set the four counts (light, medium, heavy, auth).
    pub fn with_counts(mut self, light: u32, medium: u32, heavy: u32, auth: u32) -> Self {
        self.light = light;
        self.medium = medium;
        self.heavy = heavy;
        self.auth = auth;
        self
    }

    /// Set the penalty length.
    pub fn with_penalty_secs(mut self, penalty_secs: u64) -> Self {
        self.penalty_secs = penalty_secs;
        self
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn default_range_is_previous_month_plus_a_day() {
        let now = Utc.with_ymd_and_hms(2024, 3, 15, 10, 0, 0).unwrap();
        let (from, to) = previous_month_plus_one_day(now);
        assert_eq!(from, Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap());
        assert_eq!(to, Utc.with_ymd_and_hms(2024, 3, 2, 0, 0, 0).unwrap());
        let jan = Utc.with_ymd_and_hms(2024, 1, 3, 0, 0, 0).unwrap();
        let (from, _) = previous_month_plus_one_day(jan);
        assert_eq!(from, Utc.with_ymd_and_hms(2023, 12, 1, 0, 0, 0).unwrap());
    }

    #[test]
    fn scaled_limits_keep_counts() {
        let l = RateLimits::scaled(3);
        assert_eq!((l.light, l.medium, l.heavy, l.auth), (50, 40, 10, 5));
        assert_eq!((l.window_secs, l.penalty_secs), (3, 3));
    }
}
