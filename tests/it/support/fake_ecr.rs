//! A small purpose-built ECR endpoint that misbehaves on cue, for what moto cannot do:
//! throttle, deny one repository, paginate, and report the fields moto leaves out (last
//! pull, storage class, scan summary). It speaks just enough HTTP/1.1 and AWS JSON 1.1.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Request bodies seen per `(operation, repositoryName)`.
pub type Seen = Arc<Mutex<HashMap<(String, String), Vec<Value>>>>;

pub type Handler = dyn Fn(&str, &Value, u32) -> (u16, Value) + Send + Sync;

pub struct FakeEcr {
    pub url: String,
    /// Requests seen per `(operation, repositoryName)`, with their bodies.
    pub seen: Seen,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeEcr {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeEcr {
    /// Serves on 127.0.0.1:0. `handler(operation, body, n)` answers the `n`th (0-based)
    /// request for that operation and repository with a status and a JSON body; a status
    /// >= 400 sends the body's `__type` as the AWS error type.
    pub async fn start(handler: Arc<Handler>) -> FakeEcr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Seen = Arc::default();
        let seen2 = seen.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let handler = handler.clone();
                let seen = seen2.clone();
                tokio::spawn(async move {
                    loop {
                        let Some((target, body)) = read_request(&mut sock).await else {
                            return;
                        };
                        let op = target.rsplit('.').next().unwrap_or("").to_string();
                        let repo = body["repositoryName"].as_str().unwrap_or("").to_string();
                        let n = {
                            let mut s = seen.lock().unwrap();
                            let v = s.entry((op.clone(), repo)).or_default();
                            v.push(body.clone());
                            v.len() as u32 - 1
                        };
                        let (status, reply) = handler(&op, &body, n);
                        let text = reply.to_string();
                        let mut head = format!(
                            "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nx-amzn-RequestId: fake\r\n",
                            text.len()
                        );
                        if status >= 400 {
                            if let Some(t) = reply["__type"].as_str() {
                                head.push_str(&format!("x-amzn-ErrorType: {t}\r\n"));
                            }
                        }
                        head.push_str("\r\n");
                        if sock.write_all(head.as_bytes()).await.is_err()
                            || sock.write_all(text.as_bytes()).await.is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        FakeEcr { url, seen, task }
    }

    pub fn requests(&self, op: &str, repo: &str) -> Vec<Value> {
        self.seen
            .lock()
            .unwrap()
            .get(&(op.to_string(), repo.to_string()))
            .cloned()
            .unwrap_or_default()
    }
}

/// Reads one request: returns its X-Amz-Target and JSON body.
async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<(String, Value)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let len: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[header_end..header_end + len]).unwrap_or(json!({}));
    Some((header("x-amz-target").unwrap_or_default(), body))
}
