//! The pipeline file and the flags become one validated [`RunConfig`]. Flags override the
//! file; without a file, flags and the environment say everything. Credentials are read
//! from the environment only, and only by the stages that call the API.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use ringlake_extract::{ClientOptions, Credentials, Secret};
use ringlake_load::Lake;
use ringlake_run::RunSpec;
use serde::Deserialize;

use crate::args::{PlaceArgs, RunArgs, TransformArgs};

/// A configuration or usage error: the user must change something before running again.
/// Exit code 2.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn config_error(msg: impl Into<String>) -> anyhow::Error {
    ConfigError(msg.into()).into()
}

/// `pipelines/*.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineFile {
    /// A name for logs and summaries.
    #[serde(default)]
    pub name: Option<String>,
    /// What to archive: `call-log`, `message-store`, `extensions`, `active-calls`.
    #[serde(default)]
    pub streams: Option<Vec<String>>,
    #[serde(default)]
    pub lake: LakeSection,
    #[serde(default)]
    pub partition: PartitionSection,
    #[serde(default)]
    pub extract: ExtractSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LakeSection {
    /// A directory or an object-store URL.
    pub path: Option<String>,
    pub raw: Option<PathBuf>,
    pub state: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionSection {
    pub time_zone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractSection {
    /// API base URL; `RC_SERVER_URL` overrides it.
    pub server_url: Option<String>,
    pub lookback_days: Option<u32>,
    pub concurrency: Option<usize>,
    pub per_page: Option<u32>,
    /// How long the run may wait for rate limits in all, as `4h`, `90m`.
    pub deadline: Option<String>,
}

impl PipelineFile {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            config_error(format!("cannot read pipeline file {}: {e}", path.display()))
        })?;
        toml::from_str(&text).map_err(|e| {
            // toml's message spans lines (it quotes the offending line); keep the first.
            let first = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            let at = e
                .span()
                .map(|s| {
                    format!(
                        " (line {})",
                        text[..s.start.min(text.len())].lines().count().max(1)
                    )
                })
                .unwrap_or_default();
            config_error(format!("pipeline file {}{at}: {first}", path.display()))
        })
    }
}

/// The streams, their names and raw directories: one list for every stage.
pub use ringlake_contracts::Stream;

/// The stream named `s`, or an error listing the known names.
fn parse_stream(s: &str) -> anyhow::Result<Stream> {
    Stream::from_name(s.trim()).ok_or_else(|| {
        let known: Vec<&str> = Stream::ALL.iter().map(|st| st.name()).collect();
        config_error(format!(
            "unknown stream {s:?}; known streams: {}",
            known.join(", ")
        ))
    })
}

/// The listed streams, sorted and without repeats; an empty list is an error.
fn parse_streams(list: &[String]) -> anyhow::Result<Vec<Stream>> {
    let mut out = list
        .iter()
        .map(|s| parse_stream(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(config_error("no streams listed"));
    }
    if out.contains(&Stream::CallLog) && out.contains(&Stream::CallLogSync) {
        return Err(config_error(
            "call-log (day windows) and call-log-sync (incremental) fill the same tables: list one of them",
        ));
    }
    Ok(out)
}

/// Everything a run needs, validated.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// What the run does.
    pub spec: RunSpec,
    /// From the file; `RC_SERVER_URL` wins over it.
    pub server_url: Option<String>,
}

pub const DEFAULT_LOOKBACK_DAYS: u32 = 2;
pub const DEFAULT_CONCURRENCY: usize = 4;
pub const DEFAULT_PER_PAGE: u32 = 1000;

impl RunConfig {
    pub fn from_args(args: &RunArgs) -> anyhow::Result<Self> {
        let file = match &args.pipeline {
            Some(p) => PipelineFile::load(p)?,
            None => PipelineFile::default(),
        };
        let from = parse_day("--from", &args.from)?;
        let to = parse_day("--to", &args.to)?;
        if to < from {
            return Err(config_error(format!("--to {to} is before --from {from}")));
        }
        let (lake, raw, state) = places(&args.place, &file.lake)?;
        let time_zone = parse_tz(
            args.place
                .time_zone
                .as_deref()
                .or(file.partition.time_zone.as_deref()),
        )?;
        let streams = match args.streams.as_ref().or(file.streams.as_ref()) {
            Some(list) => parse_streams(list)?,
            None => Stream::DEFAULT.to_vec(),
        };
        let concurrency = args
            .concurrency
            .or(file.extract.concurrency)
            .unwrap_or(DEFAULT_CONCURRENCY);
        if concurrency == 0 {
            return Err(config_error("concurrency must be at least 1"));
        }
        let per_page = file.extract.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=1000).contains(&per_page) {
            return Err(config_error(format!(
                "per_page {per_page} is outside 1..=1000 (docs/api.md §1.1)"
            )));
        }
        let deadline = match args.deadline.as_ref().or(file.extract.deadline.as_ref()) {
            Some(text) => parse_deadline(text)?,
            None => ClientOptions::DEFAULT_DEADLINE,
        };
        let spec = RunSpec {
            name: file.name.clone().unwrap_or_else(|| "ringlake".into()),
            from,
            to,
            lake,
            raw,
            state,
            time_zone,
            lookback_days: args
                .lookback_days
                .or(file.extract.lookback_days)
                .unwrap_or(DEFAULT_LOOKBACK_DAYS),
            concurrency,
            per_page,
            streams,
            deadline,
        };
        Ok(RunConfig {
            spec,
            server_url: file.extract.server_url,
        })
    }
}

/// `--deadline` / `deadline`: a duration such as `4h`, `90m`, `1h 30m`.
fn parse_deadline(text: &str) -> anyhow::Result<Duration> {
    match humantime::parse_duration(text.trim()) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err(config_error("deadline must be longer than 0 s")),
        Err(e) => Err(config_error(format!(
            "deadline {text:?} is not a duration ({e}); write it like 4h, 90m or 1h 30m"
        ))),
    }
}

/// Validated `transform` flags.
#[derive(Debug, Clone)]
pub struct TransformConfig {
    pub raw: PathBuf,
    pub lake: Lake,
    pub time_zone: Tz,
    pub days: Option<(NaiveDate, NaiveDate)>,
}

impl TransformConfig {
    pub fn from_args(args: &TransformArgs) -> anyhow::Result<Self> {
        let days = match (&args.from, &args.to) {
            (Some(f), Some(t)) => {
                let (f, t) = (parse_day("--from", f)?, parse_day("--to", t)?);
                if t < f {
                    return Err(config_error(format!("--to {t} is before --from {f}")));
                }
                Some((f, t))
            }
            _ => None,
        };
        if !args.raw.is_dir() {
            return Err(config_error(format!(
                "raw directory {} does not exist",
                args.raw.display()
            )));
        }
        Ok(TransformConfig {
            raw: args.raw.clone(),
            lake: open_lake(&args.lake)?,
            time_zone: parse_tz(args.time_zone.as_deref())?,
            days,
        })
    }
}

/// The lake, the raw zone and the checkpoints. The raw zone and the checkpoints are local
/// (pages are fsynced and renamed into place, checkpoints rewritten atomically); beside a
/// lake directory they default to its `_raw` and `_state`, beside an object-store lake
/// they must be given.
fn places(flags: &PlaceArgs, file: &LakeSection) -> anyhow::Result<(Lake, PathBuf, PathBuf)> {
    let location = flags
        .lake
        .clone()
        .or_else(|| file.path.clone())
        .ok_or_else(|| {
            config_error(
                "no lake given: pass --lake DIR|URL or set [lake] path in the pipeline file",
            )
        })?;
    let lake = open_lake(&location)?;
    let beside = |name: &str, flag: &str, key: &str| {
        lake.local_path().map(|dir| dir.join(name)).ok_or_else(|| {
            config_error(format!(
                "the lake {lake} is on object storage: pass {flag} DIR (a local directory) or set [lake] {key} in the pipeline file"
            ))
        })
    };
    let raw = match flags.raw.clone().or_else(|| file.raw.clone()) {
        Some(dir) => dir,
        None => beside("_raw", "--raw", "raw")?,
    };
    let state = match flags.state.clone().or_else(|| file.state.clone()) {
        Some(dir) => dir,
        None => beside("_state", "--state", "state")?,
    };
    Ok((lake, raw, state))
}

/// A lake location (a directory or an object-store URL) checked and opened; nothing is
/// sent or created yet.
pub fn open_lake(location: &str) -> anyhow::Result<Lake> {
    Lake::open(location).map_err(|e| config_error(e.to_string()))
}

pub fn parse_day(flag: &str, s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| config_error(format!("{flag} {s:?} is not a date of the form YYYY-MM-DD")))
}

pub fn parse_tz(s: Option<&str>) -> anyhow::Result<Tz> {
    match s {
        None => Ok(Tz::UTC),
        Some(name) => name.parse::<Tz>().map_err(|_| {
            config_error(format!(
                "unknown time zone {name:?}; use an IANA name such as UTC or America/New_York"
            ))
        }),
    }
}

/// API credentials from the environment. A missing one is a configuration error that
/// names it. The values are never printed.
pub fn credentials_from_env(server_url_from_file: Option<&str>) -> anyhow::Result<Credentials> {
    let var = |name: &str| -> anyhow::Result<Option<String>> {
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v.trim().to_string())),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(config_error(format!("{name} is not valid UTF-8")))
            }
        }
    };
    let required = |name: &str| -> anyhow::Result<String> {
        var(name)?.ok_or_else(|| {
            config_error(format!(
                "{name} is not set: export RC_SERVER_URL, RC_CLIENT_ID, RC_CLIENT_SECRET and RC_JWT \
                 (the app's credentials and a JWT credential from the RingCentral Developer Console)"
            ))
        })
    };
    let server_url = match var("RC_SERVER_URL")? {
        Some(u) => u,
        None => match server_url_from_file {
            Some(u) => u.to_string(),
            None => required("RC_SERVER_URL")?,
        },
    };
    check_server_url(&server_url).map_err(config_error)?;
    let client_id = required("RC_CLIENT_ID")?;
    let client_secret = Secret::new(required("RC_CLIENT_SECRET")?);
    let jwt = Secret::new(required("RC_JWT")?);
    Ok(Credentials::new(server_url, client_id, client_secret, jwt))
}

/// The API base URL must be `https://`: the client secret and the JWT travel to it. Plain
/// `http://` only to a loopback host (a local simulator or proxy), never over a network.
fn check_server_url(server_url: &str) -> Result<(), String> {
    let not_url = || {
        format!(
            "RC_SERVER_URL {server_url:?} is not an http(s) URL (e.g. https://platform.ringcentral.com)"
        )
    };
    let url = url::Url::parse(server_url).map_err(|_| not_url())?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!(
            "RC_SERVER_URL {server_url:?} is plain http to a host that is not loopback: the \
             credentials would cross the network unencrypted; use https://"
        )),
        _ => Err(not_url()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_go_only_over_tls_or_loopback() {
        for ok in [
            "https://platform.ringcentral.com",
            "https://platform.devtest.ringcentral.com/",
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:9000",
            "http://[::1]:9000",
        ] {
            assert_eq!(check_server_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://platform.ringcentral.com",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
        ] {
            let e = check_server_url(bad).unwrap_err();
            assert!(e.contains("use https://"), "{bad}: {e}");
        }
        for bad in ["ftp://x", "platform.ringcentral.com", "https://", ""] {
            let e = check_server_url(bad).unwrap_err();
            assert!(e.contains("is not an http(s) URL"), "{bad}: {e}");
        }
    }

    #[test]
    fn pipeline_file_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.toml");
        std::fs::write(&p, "[lake]\npath = \"x\"\ncolour = \"blue\"\n").unwrap();
        let err = PipelineFile::load(&p).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }

    #[test]
    fn days_are_inclusive() {
        let args = RunArgs {
            pipeline: None,
            from: "2024-02-28".into(),
            to: "2024-03-01".into(),
            place: PlaceArgs {
                lake: Some("l".into()),
                raw: None,
                state: None,
                time_zone: None,
            },
            lookback_days: None,
            concurrency: None,
            deadline: None,
            dry_run: false,
            streams: None,
        };
        let cfg = RunConfig::from_args(&args).unwrap();
        assert_eq!(cfg.spec.days().len(), 3); // leap day included
        assert_eq!(cfg.spec.deadline, ClientOptions::DEFAULT_DEADLINE);
        for (text, secs) in [("4h", 14_400), ("90m", 5_400), ("1h 30m", 5_400)] {
            assert_eq!(parse_deadline(text).unwrap().as_secs(), secs);
        }
        for bad in ["", "0s", "soon", "-1h"] {
            let e = parse_deadline(bad).unwrap_err().to_string();
            assert!(e.contains("deadline"), "{e}");
        }
        assert_eq!(cfg.spec.streams, Stream::DEFAULT);
        assert_eq!(cfg.spec.raw, PathBuf::from("l/_raw"));
        let mut args = args;
        args.place.lake = Some("s3://bucket/lake".into());
        let e = RunConfig::from_args(&args).unwrap_err().to_string();
        assert!(
            e.contains("--raw DIR") && e.contains("s3://bucket/lake"),
            "{e}"
        );
        args.place.raw = Some("r".into());
        args.place.state = Some("s".into());
        let cfg = RunConfig::from_args(&args).unwrap();
        assert_eq!(
            (cfg.spec.raw, cfg.spec.state),
            (PathBuf::from("r"), PathBuf::from("s"))
        );
        assert_eq!(cfg.spec.time_zone, Tz::UTC);
    }

    #[test]
    fn bad_dates_and_zones_are_config_errors() {
        assert!(
            parse_day("--from", "2024-13-01")
                .unwrap_err()
                .downcast_ref::<ConfigError>()
                .is_some()
        );
        let e = parse_tz(Some("Mars/Olympus")).unwrap_err();
        assert!(e.to_string().contains("Mars/Olympus"));
    }

    /// Every pipeline shipped in `pipelines/` is valid and archives the message store too.
    #[test]
    fn shipped_pipelines_are_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let args = RunArgs {
                pipeline: Some(path.clone()),
                from: "2026-10-01".into(),
                to: "2026-10-02".into(),
                place: PlaceArgs {
                    lake: None,
                    raw: None,
                    state: None,
                    time_zone: None,
                },
                lookback_days: None,
                concurrency: None,
                deadline: None,
                dry_run: false,
                streams: None,
            };
            let cfg =
                RunConfig::from_args(&args).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                cfg.spec.streams.contains(&Stream::MessageStore),
                "{}",
                path.display()
            );
            seen += 1;
        }
        assert!(seen >= 2, "pipelines found: {seen}");
    }

    #[test]
    fn stream_lists_are_sorted_deduplicated_and_checked() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_streams(&list(&["message-store", "call-log", "message-store"])).unwrap(),
            vec![Stream::CallLog, Stream::MessageStore]
        );
        let e = parse_streams(&list(&["sms"])).unwrap_err().to_string();
        assert!(e.contains("\"sms\"") && e.contains("active-calls"), "{e}");
        assert!(parse_streams(&[]).is_err());
    }
}
