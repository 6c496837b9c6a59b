//! Test data, a moto S3 server on 127.0.0.1, and a common face for local and S3 lakes so
//! each scenario runs against both.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Decimal128Array, ListBuilder, RecordBatch, StringArray, StringBuilder,
    TimestampMillisecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use bytes::Bytes;
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ringlake_load::{Lake, SCHEMA_VERSION_METADATA, SORT_KEY_METADATA};

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub const START_TIME_DESCRIPTION: &str = "When the call started (UTC).";

pub fn schema() -> SchemaRef {
    let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, false)));
    Arc::new(Schema::new_with_metadata(
        vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("tags", list, true),
            Field::new(
                "start_time",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                false,
            )
            .with_metadata(HashMap::from([(
                "description".to_owned(),
                START_TIME_DESCRIPTION.to_owned(),
            )])),
            Field::new("cost", DataType::Decimal128(18, 6), true),
            Field::new("deleted", DataType::Boolean, false),
        ],
        HashMap::from([
            (SORT_KEY_METADATA.to_owned(), "start_time,id".to_owned()),
            (SCHEMA_VERSION_METADATA.to_owned(), "7".to_owned()),
        ]),
    ))
}

/// `n` rows sorted by (start_time, id); `salt` changes the values.
pub fn batch(n: usize, salt: i64) -> RecordBatch {
    let ids: StringArray = (0..n).map(|i| Some(format!("id-{i:06}-{salt}"))).collect();
    let mut tags = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
        "item",
        DataType::Utf8,
        false,
    )));
    for i in 0..n {
        if i % 3 == 0 {
            tags.append(false);
        } else {
            tags.values().append_value("Sales");
            tags.values().append_value(format!("t{i}"));
            tags.append(true);
        }
    }
    let start: TimestampMillisecondArray = (0..n)
        .map(|i| Some(1_704_067_200_000 + (i as i64) * 1_000 + salt))
        .collect();
    let cost = (0..n)
        .map(|i| {
            if i % 4 == 0 {
                None
            } else {
                Some(137_000 * i as i128 + salt as i128)
            }
        })
        .collect::<Decimal128Array>()
        .with_precision_and_scale(18, 6)
        .unwrap();
    let deleted: BooleanArray = (0..n).map(|i| Some(i % 5 == 0)).collect();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(ids),
        Arc::new(tags.finish()),
        Arc::new(start.with_timezone("UTC")),
        Arc::new(cost),
        Arc::new(deleted),
    ];
    RecordBatch::try_new(schema(), cols).unwrap()
}

/// Every row of a Parquet file, as one batch.
pub fn read_back(bytes: Bytes) -> RecordBatch {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

/// A lake under test, with the back doors a scenario needs to damage it.
pub trait TestLake {
    fn lake(&self) -> &Lake;
    /// Every object under `dir` (relative to the lake), relative to the lake, sorted.
    fn objects(&self, dir: &str) -> Vec<String>;
    /// Removes one object behind the lake's back.
    fn delete(&self, rel: &str);
    /// Something that changes when the object is rewritten (mtime+inode / ETag).
    fn version(&self, rel: &str) -> String;
    fn name(&self) -> &'static str;
}

pub struct LocalLake {
    pub dir: tempfile::TempDir,
    lake: Lake,
}

impl LocalLake {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        Self { dir, lake }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

impl TestLake for LocalLake {
    fn lake(&self) -> &Lake {
        &self.lake
    }

    fn objects(&self, dir: &str) -> Vec<String> {
        fn walk(base: &std::path::Path, rel: &str, out: &mut Vec<String>) {
            let Ok(rd) = std::fs::read_dir(base.join(rel)) else {
                return;
            };
            for e in rd {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                let child = format!("{rel}/{name}");
                if e.file_type().unwrap().is_dir() {
                    walk(base, &child, out);
                } else {
                    out.push(child);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), dir, &mut out);
        out.sort();
        out
    }

    fn delete(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap();
    }

    fn version(&self, rel: &str) -> String {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(self.path(rel)).unwrap();
        format!("{}:{}:{:?}", m.ino(), m.len(), m.modified().unwrap())
    }

    fn name(&self) -> &'static str {
        "local"
    }
}

#[path = "../../../../tests/common/moto.rs"]
mod moto;
pub use moto::Moto;

/// An object_store client of the moto server's bucket, to look behind the lake's back.
fn s3_client(moto: &Moto) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(&moto.endpoint)
        .with_allow_http(true)
        .with_bucket_name(&moto.bucket)
        .with_access_key_id("testing")
        .with_secret_access_key("testing")
        .with_region("us-east-1")
        .build()
        .unwrap()
}

pub struct S3Lake {
    /// Held for its `Drop`, which stops the server.
    _moto: Moto,
    lake: Lake,
    client: AmazonS3,
    rt: tokio::runtime::Runtime,
    pub prefix: String,
}

impl S3Lake {
    pub fn new() -> Self {
        let moto = Moto::start();
        let prefix = "some/lake".to_owned();
        let lake =
            Lake::open_with(&format!("s3://{}/{prefix}", moto.bucket), moto.settings()).unwrap();
        let client = s3_client(&moto);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self {
            _moto: moto,
            lake,
            client,
            rt,
            prefix,
        }
    }

    fn key(&self, rel: &str) -> ObjPath {
        ObjPath::parse(format!("{}/{rel}", self.prefix)).unwrap()
    }
}

impl TestLake for S3Lake {
    fn lake(&self) -> &Lake {
        &self.lake
    }

    fn objects(&self, dir: &str) -> Vec<String> {
        let prefix = self.key(dir);
        let metas: Vec<_> = self
            .rt
            .block_on(self.client.list(Some(&prefix)).try_collect::<Vec<_>>())
            .unwrap();
        let mut out: Vec<String> = metas
            .into_iter()
            .map(|m| {
                m.location
                    .as_ref()
                    .strip_prefix(&format!("{}/", self.prefix))
                    .unwrap()
                    .to_owned()
            })
            .collect();
        out.sort();
        out
    }

    fn delete(&self, rel: &str) {
        self.rt
            .block_on(self.client.delete(&self.key(rel)))
            .unwrap();
    }

    fn version(&self, rel: &str) -> String {
        let m = self.rt.block_on(self.client.head(&self.key(rel))).unwrap();
        format!("{:?}:{}:{}", m.e_tag, m.size, m.last_modified)
    }

    fn name(&self) -> &'static str {
        "s3"
    }
}
