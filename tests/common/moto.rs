//! An S3-compatible server for tests: moto's server mode from the project's virtualenv, on
//! a free 127.0.0.1 port, with one bucket; stopped when dropped. Shared by the loader's
//! tests and the end-to-end tests (`#[path]`-included: std only).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `python -m moto.server` on a free 127.0.0.1 port with one bucket; killed on drop.
pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub bucket: String,
}

impl Moto {
    pub fn start() -> Moto {
        // House rule: no silent skips. `make test` sets RINGLAKE_PYTHON to the project's
        // virtualenv, where `make venv` installed moto[server].
        let python = std::env::var("RINGLAKE_PYTHON").unwrap_or_else(|_| {
            panic!(
                "RINGLAKE_PYTHON is not set: run the tests with `make test`, which points it at \
                 the project's virtualenv (.venv, with moto[server] from requirements-dev.txt)"
            )
        });
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python} -m moto.server: {e}"));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "moto.server exited ({status}) before listening: is moto[server] installed \
                     in {python}'s environment? (`make venv`)"
                );
            }
            assert!(
                Instant::now() < deadline,
                "moto.server did not listen within 60 s"
            );
            // Polling the port, not waiting a fixed time: moto's imports take ~1 s.
            std::thread::sleep(Duration::from_millis(20));
        }
        let bucket = "lake-bucket".to_owned();
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket,
        };
        // moto accepts unsigned requests: create the bucket with one raw PUT.
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "PUT /{} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            moto.bucket
        )
        .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(
            reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200"),
            "{reply}"
        );
        moto
    }

    /// Settings for `Lake::open_with` (the names of the AWS environment variables).
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
