//! Call-log records (API-NOTES §3.1–3.3). Written in the transform work.
