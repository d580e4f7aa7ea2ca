//! A counting proxy for the store and latency benchmarks: HTTP/1.1 on 127.0.0.1, every
//! request forwarded to the registry, each answer held back `delay` before it is sent (a
//! registry that far away, one round trip per request), and the requests counted by kind.
//! `GET /_counts` (not forwarded) answers the counts so far as JSON; `DELETE /_counts`
//! resets them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type Counts = Arc<Mutex<BTreeMap<String, u64>>>;

/// What a request is, for the counts: `GET manifest`, `HEAD manifest`, `GET blob`, ...
fn kind(method: &str, path: &str) -> String {
    let what = if path.contains("/manifests/") {
        "manifest"
    } else if path.contains("/blobs/") {
        "blob"
    } else if path.contains("/tags/list") {
        "tags"
    } else if path.contains("/_catalog") {
        "catalog"
    } else {
        "other"
    };
    format!("{method} {what}")
}

/// Serves until the process ends; prints `127.0.0.1:PORT` on stdout once listening.
pub async fn run(upstream: &str, delay: Duration) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("{}", listener.local_addr().expect("addr"));
    let counts: Counts = Arc::default();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let upstream = format!("http://{}", upstream.trim_start_matches("http://"));
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            continue;
        };
        let (counts, client, upstream) = (counts.clone(), client.clone(), upstream.clone());
        tokio::spawn(async move {
            let _ = serve(sock, &client, &upstream, delay, &counts).await;
        });
    }
}

async fn serve(
    mut sock: TcpStream,
    client: &reqwest::Client,
    upstream: &str,
    delay: Duration,
    counts: &Counts,
) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            // A TLS ClientHello (a client probing https first): hang up as a plain server.
            if buf.is_empty() && chunk[0] == 0x16 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_string();
        let target = first.next().unwrap_or("").to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        buf.drain(..head_end + 4);
        while buf.len() < len {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body: Vec<u8> = buf.drain(..len).collect();

        let (status, out_headers, out_body, keep_length) = if target.starts_with("/_counts") {
            let json = {
                let mut c = counts.lock().unwrap();
                if method == "DELETE" {
                    c.clear();
                }
                serde_json::to_vec(&*c).unwrap()
            };
            (
                200,
                vec![("Content-Type".into(), "application/json".into())],
                json,
                None,
            )
        } else {
            *counts
                .lock()
                .unwrap()
                .entry(kind(&method, target.split('?').next().unwrap_or("")))
                .or_default() += 1;
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = client.request(m.clone(), format!("{upstream}{target}"));
            for (k, v) in &headers {
                if !["host", "connection", "content-length"].contains(&k.to_lowercase().as_str()) {
                    req = req.header(k, v);
                }
            }
            let resp = match req.body(body).send().await {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("proxy: {method} {target}: {e}");
                    return Ok(());
                }
            };
            let status = resp.status().as_u16();
            let upstream_len = resp
                .headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let hs: Vec<(String, String)> = resp
                .headers()
                .iter()
                .filter(|(k, _)| {
                    !["content-length", "connection", "transfer-encoding"].contains(&k.as_str())
                })
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                .collect();
            let b = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            // A HEAD keeps the length the registry said (the client reads the size from it).
            let keep = (m == reqwest::Method::HEAD)
                .then_some(upstream_len)
                .flatten();
            (status, hs, b, keep)
        };
        tokio::time::sleep(delay).await;
        let mut out = format!("HTTP/1.1 {status} X\r\n");
        for (k, v) in &out_headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        let length = keep_length.unwrap_or_else(|| out_body.len().to_string());
        out.push_str(&format!("Content-Length: {length}\r\n\r\n"));
        sock.write_all(out.as_bytes()).await?;
        if method != "HEAD" {
            sock.write_all(&out_body).await?;
        }
    }
}
