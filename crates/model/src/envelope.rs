//! The list envelope shared by call log, active calls, extensions and message store
//! (docs/api.md §2.1).

use serde::Deserialize;
use serde_json::value::RawValue;

/// One page of a list endpoint.
///
/// Records stay raw so that a record the transform cannot read spoils only itself, not
/// the page, and so that the extractor never needs to understand records at all.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPage<'a> {
    /// This page's link, with the query normalised and defaults filled in (docs/api.md §2.1).
    #[serde(default)]
    pub uri: Option<String>,
    /// The page's records as raw JSON, borrowed from the page body.
    #[serde(borrow)]
    pub records: Vec<&'a RawValue>,
    /// Page numbers and sizes; absent on some pages.
    #[serde(default)]
    pub paging: Option<Paging>,
    /// Links to other pages; `nextPage` is what ends paging.
    #[serde(default)]
    pub navigation: Option<Navigation>,
}

impl ListPage<'_> {
    /// The link to the next page, if the server says there is one.
    ///
    /// Paging ends when `navigation.nextPage` is absent (docs/api.md §2.1): call-log pages
    /// carry no totals, so `totalPages` cannot be relied on.
    pub fn next_page_uri(&self) -> Option<&str> {
        self.navigation
            .as_ref()?
            .next_page
            .as_ref()
            .map(|l| l.uri.as_str())
    }
}

/// `paging` block. Only `perPage` is required; `page`, `pageStart`, `pageEnd` are omitted
/// on empty pages and the totals "may be omitted for performance".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    /// 1-based page number; absent on an empty page.
    #[serde(default)]
    pub page: Option<i64>,
    /// `perPage`: records per page asked for (clamped to 1000).
    #[serde(default)]
    pub per_page: Option<i64>,
    /// `pageStart`: 0-based index of the page's first record; absent on an empty page.
    #[serde(default)]
    pub page_start: Option<i64>,
    /// `pageEnd`: 0-based index of the page's last record; absent on an empty page.
    #[serde(default)]
    pub page_end: Option<i64>,
    /// `totalPages`: never sent for the call log; do not rely on it.
    #[serde(default)]
    pub total_pages: Option<i64>,
    /// `totalElements`: never sent for the call log; do not rely on it.
    #[serde(default)]
    pub total_elements: Option<i64>,
}

/// `navigation` block: links to neighbouring pages, each present only when it makes sense
/// (call-log pages never have `lastPage`; docs/api.md §2.1).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Navigation {
    /// `firstPage`.
    #[serde(default)]
    pub first_page: Option<NavLink>,
    /// `nextPage`: absent on the last page, which ends paging.
    #[serde(default)]
    pub next_page: Option<NavLink>,
    /// `previousPage`: presumably on later pages only (unconfirmed).
    #[serde(default)]
    pub previous_page: Option<NavLink>,
    /// `lastPage`: message and extension lists only.
    #[serde(default)]
    pub last_page: Option<NavLink>,
}

/// One navigation link, `{"uri": …}`.
#[derive(Debug, Clone, Deserialize)]
pub struct NavLink {
    /// Absolute URL of the page, ready to request.
    pub uri: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_present_and_absent() {
        let with = r#"{"records":[{"id":"a"}],"paging":{"perPage":1,"page":1},
            "navigation":{"nextPage":{"uri":"https://x/call-log?page=2&perPage=1"},"firstPage":{"uri":"u"}}}"#;
        let page: ListPage<'_> = serde_json::from_str(with).unwrap();
        assert_eq!(page.records.len(), 1);
        assert_eq!(
            page.next_page_uri(),
            Some("https://x/call-log?page=2&perPage=1")
        );

        let without = r#"{"uri":"u","records":[],"paging":{"perPage":1000},"navigation":{}}"#;
        let page: ListPage<'_> = serde_json::from_str(without).unwrap();
        assert!(page.records.is_empty());
        assert_eq!(page.next_page_uri(), None);
    }

    #[test]
    fn envelope_without_paging_or_navigation() {
        // The 2015 active-calls capture has neither block.
        let page: ListPage<'_> = serde_json::from_str(r#"{"records":[]}"#).unwrap();
        assert!(page.paging.is_none() && page.next_page_uri().is_none());
    }

    #[test]
    fn missing_records_is_an_error() {
        assert!(serde_json::from_str::<ListPage<'_>>(r#"{"uri":"u"}"#).is_err());
    }
}
