//! Attachment content as the media host serves it (docs/api.md §1, §1.9): deterministic
//! bytes seeded from the ids, as long as the attachment's `size`, and single byte ranges.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::messages::{Attachment, Message};

/// Keeps content bytes independent of every other generated stream.
const CONTENT_SEED_SALT: u64 = 0x6d65_6469_615f_6279;

/// Length of content whose attachment carries no `size` and no text (none today).
const FALLBACK_LEN: usize = 4096;

const WORDS: &[&str] = &[
    "hi",
    "this",
    "is",
    "a",
    "message",
    "about",
    "the",
    "invoice",
    "please",
    "call",
    "me",
    "back",
    "tomorrow",
    "at",
    "nine",
    "thanks",
    "regarding",
    "your",
    "order",
    "number",
];

/// The bytes of attachment `a` of message `m`. `Text` attachments (SMS, pager) are the
/// message text; others are as long as `size`, start like a file of their content type
/// and are otherwise seeded noise (readable words for `text/plain` transcriptions).
pub(crate) fn content(m: &Message, a: &Attachment) -> Vec<u8> {
    if a.kind == "Text" {
        return m.subject.clone().unwrap_or_default().into_bytes();
    }
    let len = a.size.map_or(FALLBACK_LEN, |s| s as usize);
    let seed = (m.id as u64) ^ (a.id as u64).rotate_left(29) ^ CONTENT_SEED_SALT;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    if a.content_type.starts_with("text/") {
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(WORDS[rng.random_range(0..WORDS.len())]);
        }
        out.truncate(len);
        return out.into_bytes();
    }
    let magic: &[u8] = match a.content_type {
        "application/pdf" => b"%PDF-1.4\n",
        "audio/x-wav" | "audio/wav" => b"RIFF\0\0\0\0WAVEfmt ",
        "audio/mpeg" => b"ID3\x04\0\0\0\0\0\0",
        "image/tiff" => b"II*\0",
        _ => b"",
    };
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    let n = magic.len().min(len);
    out[..n].copy_from_slice(&magic[..n]);
    out
}

/// What a `Range` header asks of content of a given length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Span {
    /// No usable range (absent, several ranges, or malformed): the whole content, 200.
    Whole,
    /// Bytes `start..=end`, 206.
    Part { start: u64, end: u64 },
    /// Starts past the end, 416.
    Unsatisfiable,
}

/// A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range (RFC 9110 §14.1.2). Malformed or
/// multi-range headers are ignored, which RFC 9110 allows.
pub(crate) fn span(header: Option<&str>, len: u64) -> Span {
    let Some(spec) = header.map(str::trim).and_then(|h| {
        h.get(..6)
            .filter(|p| p.eq_ignore_ascii_case("bytes="))
            .map(|_| &h[6..])
    }) else {
        return Span::Whole;
    };
    if spec.contains(',') {
        return Span::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Span::Whole;
    };
    let num = |s: &str| s.trim().parse::<u64>().ok();
    match (first.trim().is_empty(), last.trim().is_empty()) {
        // Suffix: the last n bytes.
        (true, false) => match num(last) {
            Some(n) if n > 0 && len > 0 => Span::Part {
                start: len.saturating_sub(n),
                end: len - 1,
            },
            Some(_) => Span::Unsatisfiable,
            None => Span::Whole,
        },
        (false, _) => {
            let Some(start) = num(first) else {
                return Span::Whole;
            };
            let end = if last.trim().is_empty() {
                None
            } else {
                match num(last) {
                    Some(e) if e >= start => Some(e),
                    _ => return Span::Whole,
                }
            };
            if start >= len {
                return Span::Unsatisfiable;
            }
            Span::Part {
                start,
                end: end.map_or(len - 1, |e| e.min(len - 1)),
            }
        }
        (true, true) => Span::Whole,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn att(kind: &'static str, content_type: &'static str, size: Option<u32>) -> Attachment {
        Attachment {
            id: 77,
            kind,
            content_type,
            size,
            vm_duration: None,
        }
    }

    #[test]
    fn content_lengths_and_determinism() {
        let mut m = Message::test_sample();
        m.subject = Some("上次的报价还有效吗？".into());
        assert_eq!(
            content(&m, &att("Text", "text/plain", None)),
            "上次的报价还有效吗？".as_bytes()
        );
        for (kind, ct, size) in [
            ("AudioRecording", "audio/x-wav", 48_000),
            ("AudioRecording", "audio/mpeg", 3),
            ("RenderedDocument", "application/pdf", 120_001),
            ("AudioTranscription", "text/plain", 377),
        ] {
            let a = att(kind, ct, Some(size));
            let bytes = content(&m, &a);
            assert_eq!(bytes.len(), size as usize, "{ct}");
            assert_eq!(bytes, content(&m, &a));
            if ct == "text/plain" {
                assert!(std::str::from_utf8(&bytes).is_ok());
            }
        }
        let pdf = content(&m, &att("RenderedDocument", "application/pdf", Some(100)));
        assert!(pdf.starts_with(b"%PDF-"));
        let other = Message {
            id: m.id + 1000,
            ..m.clone()
        };
        assert_ne!(
            pdf,
            content(
                &other,
                &att("RenderedDocument", "application/pdf", Some(100))
            )
        );
    }

    #[test]
    fn ranges() {
        let part = |start, end| Span::Part { start, end };
        assert_eq!(span(None, 100), Span::Whole);
        assert_eq!(span(Some("bytes=0-9"), 100), part(0, 9));
        assert_eq!(span(Some("Bytes=90-"), 100), part(90, 99));
        assert_eq!(span(Some("bytes=90-500"), 100), part(90, 99));
        assert_eq!(span(Some("bytes=-10"), 100), part(90, 99));
        assert_eq!(span(Some("bytes=-500"), 100), part(0, 99));
        assert_eq!(span(Some("bytes=100-"), 100), Span::Unsatisfiable);
        assert_eq!(span(Some("bytes=-0"), 100), Span::Unsatisfiable);
        assert_eq!(span(Some("bytes=0-"), 0), Span::Unsatisfiable);
        for ignored in [
            "bytes=5-2",
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=x-",
            "bytes=-",
        ] {
            assert_eq!(span(Some(ignored), 100), Span::Whole, "{ignored}");
        }
    }
}
