//! The one paging loop of every list stream (call log, extension list, message store,
//! active calls): request a page, land it, follow `navigation.nextPage` until the list ends.

use std::collections::HashSet;

use chrono::NaiveDate;
use tracing::debug;
use url::Url;

use crate::client::{ApiClient, path_only};
use crate::error::{Error, Result};
use crate::landing::Staging;
use crate::pacer::RateGroup;
use crate::progress::Progress;

/// More pages than this for one window (10 million records at 1000 per page) means the
/// server is looping.
const MAX_PAGES_PER_WINDOW: u32 = 10_000;

/// The fewest requests that paging a window of `records` records allows: its first page
/// (also when empty), then one per further `per_page` records. A run's requests above the
/// sum of these are retries, 429s and empty last pages.
pub fn paging_minimum(records: u64, per_page: u32) -> u64 {
    records.div_ceil(u64::from(per_page.max(1))).max(1)
}

/// What one window's paging fetched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fetched {
    pub pages: u32,
    pub records: u64,
    /// Bytes of the page bodies as received (before compression).
    pub bytes: u64,
}

/// The window being paged, as errors, logs and the progress sink name it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window<'a> {
    /// Stream and window, e.g. `call-log 2024-01-02`.
    pub label: &'a str,
    /// The day reported to [`Progress::page_fetched`].
    pub day: NaiveDate,
}

/// Fetches every page of a list from `first_page` on into `staging`, each page landed
/// before the next is requested (the next request depends on its link). `on_page` sees
/// each body once it parsed as a list envelope. The caller publishes the staging.
pub(crate) async fn fetch_pages(
    client: &ApiClient,
    group: RateGroup,
    first_page: String,
    staging: &Staging,
    window: Window<'_>,
    progress: &dyn Progress,
    on_page: &mut (dyn FnMut(&[u8]) + Send),
) -> Result<Fetched> {
    let mut path_and_query = first_page;
    let mut seen = HashSet::from([path_and_query.clone()]);
    let mut done = Fetched::default();
    loop {
        let (body, info) = client
            .inner
            .get_list_page(group, &path_and_query, progress)
            .await?;
        done.pages += 1;
        done.records += info.records as u64;
        done.bytes += body.len() as u64;
        on_page(&body);
        staging.write_page(done.pages, body).await?;
        debug!(
            window = window.label,
            page = done.pages,
            records = info.records,
            "Page landed."
        );
        progress.page_fetched(window.day, done.pages, info.records);

        // §2.1: paging ends when nextPage is absent (call-log lists send no totals). An
        // empty page ends it too, whatever its links say, and so does the last page of a
        // list that sends its totals (message store, extensions).
        let Some(next) = info.next_page.filter(|_| info.records > 0) else {
            break;
        };
        if let Some(total) = info.total_pages
            && info.page.unwrap_or(i64::from(done.pages)) >= total
        {
            break;
        }
        let paging_error = |path: &str, detail: String| Error::Paging {
            window: window.label.to_owned(),
            path: path_only(path).to_owned(),
            detail,
        };
        let next = resolve_next_page(&next).map_err(|d| paging_error(&path_and_query, d))?;
        if !seen.insert(next.clone()) {
            return Err(paging_error(
                &next,
                format!(
                    "nextPage of page {} leads to a page already fetched",
                    done.pages
                ),
            ));
        }
        if done.pages >= MAX_PAGES_PER_WINDOW {
            return Err(paging_error(
                &next,
                format!("more than {MAX_PAGES_PER_WINDOW} pages"),
            ));
        }
        path_and_query = next;
    }
    Ok(done)
}

/// The path and query of a `nextPage` link. Its host is ignored on purpose: requests go
/// only to the configured server, so the token is never sent to a host a response named.
pub(crate) fn resolve_next_page(uri: &str) -> std::result::Result<String, String> {
    let url = match Url::parse(uri) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => Url::parse("http://localhost/")
            .and_then(|base| base.join(uri))
            .map_err(|e| format!("nextPage link is not a URL: {e}"))?,
        Err(e) => return Err(format!("nextPage link is not a URL: {e}")),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("nextPage link has scheme {:?}", url.scheme()));
    }
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_minimum_is_one_page_then_one_per_full_page_more() {
        let cases = [
            (0, 1000, 1),
            (1, 1000, 1),
            (1000, 1000, 1),
            (1001, 1000, 2),
            (25, 10, 3),
        ];
        for (records, per_page, want) in cases {
            assert_eq!(
                paging_minimum(records, per_page),
                want,
                "{records}/{per_page}"
            );
        }
    }

    #[test]
    fn next_page_keeps_path_and_query_and_drops_the_host() {
        assert_eq!(
            resolve_next_page("https://platform.ringcentral.com/restapi/v1.0/account/1/call-log?view=Detailed&page=2&perPage=1000").unwrap(),
            "/restapi/v1.0/account/1/call-log?view=Detailed&page=2&perPage=1000"
        );
        assert_eq!(
            resolve_next_page(
                "http://evil.example:8443/restapi/v1.0/account/~/call-log?page=3#frag"
            )
            .unwrap(),
            "/restapi/v1.0/account/~/call-log?page=3"
        );
        assert_eq!(
            resolve_next_page("/restapi/v1.0/account/~/call-log?page=2").unwrap(),
            "/restapi/v1.0/account/~/call-log?page=2"
        );
        assert_eq!(
            resolve_next_page("https://h/p?dateFrom=2024-01-02T00%3A00%3A00.000Z&page=2").unwrap(),
            "/p?dateFrom=2024-01-02T00%3A00%3A00.000Z&page=2"
        );
        assert!(resolve_next_page("ftp://h/x").is_err());
        assert!(resolve_next_page("http://[bad").is_err());
    }
}
