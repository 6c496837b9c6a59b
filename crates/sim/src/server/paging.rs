//! The list envelope every paged endpoint answers with (docs/api.md §2.1): `uri`, `records`,
//! `paging`, `navigation`. Which totals and links a list carries differs by endpoint, as
//! observed on the real server, so the variants are named here once.

use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct Link {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Paging {
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_pages: Option<u64>,
    per_page: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_elements: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_start: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_end: Option<u64>,
}

impl Paging {
    /// `page`, `pageStart`, `pageEnd` are omitted on an empty page (docs/api.md §2.1).
    fn new(page: u32, per_page: u32, count: usize) -> Self {
        let start = u64::from(page - 1) * u64::from(per_page);
        let filled = count > 0;
        Self {
            page: filled.then_some(page),
            total_pages: None,
            per_page,
            total_elements: None,
            page_start: filled.then_some(start),
            page_end: filled.then(|| start + count as u64 - 1),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Navigation {
    first_page: Link,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page: Option<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_page: Option<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_page: Option<Link>,
}

#[derive(Serialize)]
struct ListPage<R> {
    uri: String,
    records: Vec<R>,
    paging: Paging,
    navigation: Navigation,
}

/// Which totals and links a list carries (docs/api.md §2.1).
#[derive(Clone, Copy, Debug)]
pub(super) enum Totals {
    /// No `totalPages`/`totalElements`, no `lastPage` or `previousPage`: the call log and
    /// active calls, which the real server pages without counting.
    None,
    /// Totals and `lastPage`: the extension list.
    Counted,
    /// Totals, `lastPage` and, after page 1, `previousPage`: the message store.
    CountedWithPrevious,
}

/// Where one page sits in its list: the list's URI without query, the page asked for, and
/// the query string of any page number (normalised, defaults included).
pub(super) struct PageOf<'a, Q: Fn(u32) -> String> {
    list: &'a str,
    page: u32,
    per_page: u32,
    query: Q,
}

impl<'a, Q: Fn(u32) -> String> PageOf<'a, Q> {
    /// Page `page` of `per_page` records of the list at `list`; `query` gives the query
    /// string of any page number.
    pub(super) fn new(list: &'a str, page: u32, per_page: u32, query: Q) -> Self {
        Self {
            list,
            page,
            per_page,
            query,
        }
    }

    fn link(&self, page: u32) -> Link {
        Link {
            uri: format!("{}?{}", self.list, (self.query)(page)),
        }
    }

    /// A page of a list that is not counted: `more` says whether a next page exists.
    pub(super) fn uncounted<R: Serialize>(&self, records: Vec<R>, more: bool) -> Vec<u8> {
        let body = ListPage {
            uri: self.link(self.page).uri,
            paging: Paging::new(self.page, self.per_page, records.len()),
            navigation: Navigation {
                first_page: self.link(1),
                next_page: more.then(|| self.link(self.page + 1)),
                previous_page: None,
                last_page: None,
            },
            records,
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// This page of `items`, each rendered by `render`, with the totals `totals` asks for.
    pub(super) fn of<T>(
        &self,
        items: &[T],
        totals: Totals,
        render: impl Fn(&T) -> Value,
    ) -> Vec<u8> {
        let (page, per_page) = (self.page, self.per_page);
        let start =
            usize::try_from(u64::from(page - 1) * u64::from(per_page)).unwrap_or(usize::MAX);
        let records: Vec<Value> = items
            .iter()
            .skip(start)
            .take(per_page as usize)
            .map(render)
            .collect();
        let total = items.len() as u64;
        let total_pages = total.div_ceil(u64::from(per_page));
        let more = u64::from(page) < total_pages;
        if let Totals::None = totals {
            return self.uncounted(records, more);
        }
        let mut paging = Paging::new(page, per_page, records.len());
        paging.total_pages = Some(total_pages);
        paging.total_elements = Some(total);
        let last = u32::try_from(total_pages.max(1)).unwrap_or(u32::MAX);
        let previous = matches!(totals, Totals::CountedWithPrevious) && page > 1;
        let body = ListPage {
            uri: self.link(page).uri,
            records,
            paging,
            navigation: Navigation {
                first_page: self.link(1),
                next_page: more.then(|| self.link(page + 1)),
                previous_page: previous.then(|| self.link((page - 1).min(last))),
                last_page: Some(self.link(last)),
            },
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}
