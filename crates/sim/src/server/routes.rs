//! The route table: every path the simulator serves, with its method, its guard (rate-limit
//! group and token) and its handler, in one list. A new endpoint is one row here and a
//! handler function; the gate, faults and error bodies come with the row.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};

use super::gate::{self, Access};
use super::request::{Handler, Incoming};
use super::respond::value_response;
use super::state::Shared;
use super::{account, active_calls, admin, call_log, content, messages, token};
use crate::error::api_error;
use crate::limiter::Group::{Auth, Heavy, Light, Medium};

/// The HTTP methods the simulator answers; a GET route never reads the request body.
#[derive(Clone, Copy, Debug)]
enum Method {
    Get,
    Post,
}

/// One row of [`ROUTES`].
#[derive(Debug)]
struct Route {
    method: Method,
    /// An axum path; `{name}` captures reach the handler through `Incoming::param`.
    path: &'static str,
    access: Access,
    handler: Handler,
}

const fn get_(path: &'static str, access: Access, handler: Handler) -> Route {
    Route {
        method: Method::Get,
        path,
        access,
        handler,
    }
}

const fn post_(path: &'static str, access: Access, handler: Handler) -> Route {
    Route {
        method: Method::Post,
        path,
        access,
        handler,
    }
}

/// A path below the account, whose id (or `~`) every API path but the token's starts with.
macro_rules! under_account {
    ($tail:literal) => {
        concat!("/restapi/v1.0/account/{account_id}", $tail)
    };
}

/// Every route the simulator serves; rate-limit groups per docs/api.md §1 and §5.
#[rustfmt::skip]
static ROUTES: &[Route] = &[
    post_("/restapi/oauth/token", Access::Limited(Auth), token::token),
    get_(under_account!(""), Access::Bearer(Light), account::info),
    get_(under_account!("/extension"), Access::Bearer(Medium), account::extensions),
    get_(under_account!("/call-log"), Access::Bearer(Heavy), call_log::list),
    get_(under_account!("/call-log-extract-sync"), Access::Bearer(Heavy), call_log::extract_sync),
    get_(under_account!("/active-calls"), Access::Bearer(Heavy), active_calls::account),
    get_(under_account!("/extension/{extension_id}/active-calls"), Access::Bearer(Heavy), active_calls::extension),
    get_(under_account!("/extension/{extension_id}/message-store"), Access::Bearer(Light), messages::list),
    get_(under_account!("/extension/{extension_id}/message-store/{message_id}"), Access::Bearer(Light), messages::item),
    get_(under_account!("/extension/{extension_id}/message-store/{message_id}/content/{attachment_id}"), Access::Media(Medium), content::content),
    get_(under_account!("/extension/{extension_id}/message-sync"), Access::Bearer(Light), messages::sync),
    get_("/_admin/truth", Access::Admin, admin::truth),
    get_("/_admin/stats", Access::Admin, admin::stats),
    post_("/_admin/mutate", Access::Admin, admin::mutate),
    post_("/_admin/faults", Access::Admin, admin::faults),
    post_("/_admin/limits", Access::Admin, admin::limits),
];

/// The app: every row of [`ROUTES`], the API's 404 body for anything else, and fault
/// delivery around it all.
pub(super) fn router(state: Shared) -> Router {
    ROUTES
        .iter()
        .fold(Router::new(), |r, route| {
            r.route(route.path, endpoint(route))
        })
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            gate::inject_faults,
        ))
        .with_state(state)
}

/// Path captures in declaration order; an empty list on a path without any.
type Captures = Path<Vec<(String, String)>>;

/// The axum side of one row: extract, then [`gate::admit`] the row's handler.
fn endpoint(route: &'static Route) -> MethodRouter<Shared> {
    let (access, handler, path) = (route.access, route.handler, route.path);
    match route.method {
        Method::Get => get(
            move |State(st): State<Shared>,
                  Path(params): Captures,
                  headers: HeaderMap,
                  RawQuery(raw): RawQuery| async move {
                let req = Incoming {
                    route: path,
                    params: &params,
                    headers: &headers,
                    query: raw.as_deref(),
                    body: &[],
                };
                gate::admit(&st, access, &req, handler)
            },
        ),
        Method::Post => post(
            move |State(st): State<Shared>,
                  Path(params): Captures,
                  headers: HeaderMap,
                  RawQuery(raw): RawQuery,
                  body: Bytes| async move {
                let req = Incoming {
                    route: path,
                    params: &params,
                    headers: &headers,
                    query: raw.as_deref(),
                    body: &body,
                };
                gate::admit(&st, access, &req, handler)
            },
        ),
    }
}

async fn not_found() -> Response {
    value_response(
        StatusCode::NOT_FOUND,
        &api_error("CMN-120", "CMN-120", "Resource not found"),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_path_is_listed_once() {
        let mut seen = HashSet::new();
        for r in ROUTES {
            assert!(seen.insert(r.path), "{} listed twice", r.path);
        }
    }

    #[test]
    fn only_the_admin_hooks_skip_the_rate_limit() {
        for r in ROUTES {
            let admin = r.path.starts_with("/_admin/");
            assert_eq!(matches!(r.access, Access::Admin), admin, "{}", r.path);
        }
    }
}
