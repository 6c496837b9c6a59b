//! Bulk (multi-id) GET answers: 207 Multi-Status as `multipart/mixed` or as the
//! `application/vnd.ringcentral.multipart+json` array (docs/api.md §1.9, §6.2).

use axum::http::StatusCode;
use rand::Rng;
use serde_json::{Value, json};

/// Most ids one bulk GET may name (`CMN-106` beyond, docs/api.md §6.2).
pub(crate) const MAX_BULK_IDS: usize = 50;

/// The media type that selects the JSON-array form.
pub(crate) const MULTIPART_JSON: &str = "application/vnd.ringcentral.multipart+json";

/// One id's answer.
#[derive(Clone, Debug)]
pub(crate) struct Part {
    /// The item's URL.
    pub href: String,
    /// The id as the request named it.
    pub resource_id: String,
    pub status: StatusCode,
    /// The item, or its error body.
    pub body: Value,
}

/// `[{resourceId, status, body}, …]` (samples/message_batch_get_multipart_json_207.json).
pub(crate) fn json_array(parts: &[Part]) -> Value {
    parts
        .iter()
        .map(|p| {
            json!({
                "resourceId": p.resource_id,
                "status": p.status.as_u16(),
                "body": p.body,
            })
        })
        .collect()
}

/// A Jersey-style boundary like `Boundary_20_32057915_1351669531796` (samples/
/// message_batch_get_multipart_mixed_207.txt).
pub(crate) fn boundary() -> String {
    let mut rng = rand::rng();
    format!(
        "Boundary_{}_{}_{}",
        rng.random_range(1..100u32),
        rng.random_range(10_000_000..100_000_000u32),
        chrono::Utc::now().timestamp_millis()
    )
}

/// The `multipart/mixed` body: first a part with every item's status, then one JSON part
/// per id in request order, CRLF line ends (RFC 2046).
pub(crate) fn multipart_mixed(parts: &[Part], boundary: &str) -> Vec<u8> {
    let statuses = json!({
        "response": parts
            .iter()
            .map(|p| json!({
                "href": p.href,
                "status": p.status.as_u16(),
                "responseDescription": p.status.canonical_reason().unwrap_or(""),
            }))
            .collect::<Vec<_>>(),
    });
    let mut out = Vec::new();
    for body in std::iter::once(&statuses).chain(parts.iter().map(|p| &p.body)) {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
        );
        out.extend_from_slice(&serde_json::to_vec(body).unwrap_or_default());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn multipart_shape() {
        let parts = vec![
            Part {
                href: "http://h/m/1".into(),
                resource_id: "1".into(),
                status: StatusCode::OK,
                body: json!({"id": 1}),
            },
            Part {
                href: "http://h/m/2".into(),
                resource_id: "2".into(),
                status: StatusCode::NOT_FOUND,
                body: json!({"errorCode": "CMN-102"}),
            },
        ];
        let b = boundary();
        assert!(b.starts_with("Boundary_"));
        let text = String::from_utf8(multipart_mixed(&parts, &b)).unwrap();
        let sections: Vec<&str> = text.split(&format!("--{b}")).collect();
        // Preamble (empty), status part, two items, closing `--`.
        assert_eq!(sections.len(), 5, "{text}");
        assert_eq!(sections[0], "");
        assert!(sections[4].starts_with("--"));
        let body = |s: &str| -> Value {
            let (_, json) = s.split_once("\r\n\r\n").unwrap();
            serde_json::from_str(json.trim()).unwrap()
        };
        assert_eq!(
            body(sections[1]),
            json!({"response": [
                {"href": "http://h/m/1", "status": 200, "responseDescription": "OK"},
                {"href": "http://h/m/2", "status": 404, "responseDescription": "Not Found"},
            ]})
        );
        assert_eq!(body(sections[3]), json!({"errorCode": "CMN-102"}));
        assert_eq!(
            json_array(&parts)[1],
            json!({"resourceId": "2", "status": 404, "body": {"errorCode": "CMN-102"}})
        );
    }
}
