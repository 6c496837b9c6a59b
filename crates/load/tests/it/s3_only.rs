//! What only an object-store lake has: multipart uploads, being driven from inside
//! another tokio runtime, settings from the environment's names.

use std::collections::BTreeMap;

use ringlake_load::{Lake, LoadOptions, verify, write_table};

use crate::support::{Moto, S3Lake, TestLake, batch, day};

#[test]
fn big_objects_go_up_in_parts_and_come_back_whole() {
    let t = S3Lake::new();
    // Above the 64 MiB single-PUT limit: a multipart upload of 16 MiB parts.
    let big: Vec<u8> = (0..70 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    t.lake().put("_raw/big.bin", big.clone()).unwrap();
    let back = t.lake().get("_raw/big.bin").unwrap().unwrap();
    assert_eq!(back.len(), big.len());
    assert!(back == big, "same bytes");
    assert_eq!(t.objects("_raw"), ["_raw/big.bin"]);
}

#[test]
fn works_from_spawn_blocking_and_from_async_code_of_another_runtime() {
    let t = S3Lake::new();
    let lake = t.lake().clone();
    // A single-threaded runtime, like a small CLI's: the load's own I/O runtime must not
    // need this one's thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let parts = BTreeMap::from([(day("2024-05-01"), batch(50, 0))]);
    let from_blocking = {
        let lake = lake.clone();
        let parts = parts.clone();
        rt.block_on(async move {
            tokio::task::spawn_blocking(move || {
                write_table(&lake, "calls", &parts, &LoadOptions::new())
            })
            .await
        })
        .unwrap()
        .unwrap()
    };
    assert!(from_blocking[0].changed);
    // Called straight from async code (blocking the runtime's only thread): slow manners,
    // but it must finish, not panic or hang.
    let from_async = rt
        .block_on(async { write_table(&lake, "calls", &parts, &LoadOptions::new()) })
        .unwrap();
    assert!(!from_async[0].changed);
    assert!(verify(&lake).unwrap().is_clean());
}

#[test]
fn url_prefix_and_settings_reach_the_store() {
    let moto = Moto::start();
    // The lake at the bucket's root, and one under a prefix: separate tables.
    let root = Lake::open_with(&format!("s3://{}", moto.bucket), moto.settings()).unwrap();
    let nested = Lake::open_with(&format!("s3://{}/a/b/", moto.bucket), moto.settings()).unwrap();
    assert_eq!(nested.display(), format!("s3://{}/a/b/", moto.bucket));
    nested.put("t/x.txt", b"nested".to_vec()).unwrap();
    assert_eq!(&root.get("a/b/t/x.txt").unwrap().unwrap()[..], b"nested");
    assert_eq!(
        nested.location("t/x.txt"),
        format!("s3://{}/a/b/t/x.txt", moto.bucket)
    );
    // verify at the root sees `a` as a table without manifest; under the prefix, `t`.
    let findings: Vec<String> = verify(&nested)
        .unwrap()
        .findings
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(findings, ["t: no _manifest.json, 1 file not verified"]);
}
