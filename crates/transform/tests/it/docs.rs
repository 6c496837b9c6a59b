//! `docs/lake.md` is `lake_reference()`: the checked-in reference matches the schemas.
//! With `UPDATE_DOCS=1` the test rewrites the file instead of failing.

use ringlake_transform::lake_reference;

const LAKE_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/lake.md");

#[test]
fn lake_md_is_current() {
    let want = lake_reference();
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| !v.is_empty() && v != "0");
    if update {
        if let Some(dir) = std::path::Path::new(LAKE_MD).parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(LAKE_MD, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(LAKE_MD).unwrap_or_default();
    if have != want {
        let first_difference = have
            .lines()
            .zip(want.lines())
            .enumerate()
            .find(|(_, (h, w))| h != w)
            .map(|(i, (h, w))| format!("line {}:\n  file: {h}\n  code: {w}", i + 1))
            .unwrap_or_else(|| "the files differ in length".to_owned());
        panic!(
            "docs/lake.md is out of date: run `UPDATE_DOCS=1 cargo test -p ringlake-transform \
             --test it docs`\nfirst difference: {first_difference}"
        );
    }
}
