//! A fault-injecting proxy on 127.0.0.1:0 in front of a real registry. Each request is
//! shown to a handler, which may act first (push to the registry while a DELETE is held:
//! a race window opened on demand) and then says how the upstream answer is delivered:
//! whole, trickled, cut by a reset, truncated, with a lying `Content-Length`, or never.

use super::stub::StubRequest;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the proxy delivers the upstream answer.
#[derive(Clone, Debug)]
pub enum Fault {
    Forward,
    /// Headers, then `chunk` bytes of the body every `every`.
    Trickle {
        chunk: usize,
        every: Duration,
    },
    /// Headers and `after` bytes of the body, then a TCP reset (SO_LINGER 0).
    Reset {
        after: usize,
    },
    /// Headers and `after` bytes of the body, then an orderly close: fewer bytes than the
    /// `Content-Length` promised.
    Truncate {
        after: usize,
    },
    /// A different status, headers and body in place of the upstream's (the upstream is
    /// still asked, so a held DELETE still happens).
    Replace {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Accept and never answer.
    Hang,
    /// Forward without the named request header (a registry that ignores `Range` answers
    /// 200 with the whole blob, as some CDNs and proxies do).
    DropHeader(&'static str),
}

pub type FaultHandler =
    Arc<dyn Fn(StubRequest) -> Pin<Box<dyn Future<Output = Fault> + Send>> + Send + Sync>;

/// (request target, body bytes the upstream answered with), per forwarded request.
type Served = Arc<Mutex<Vec<(String, u64)>>>;

pub struct FaultProxy {
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub requests: Arc<Mutex<Vec<StubRequest>>>,
    pub served: Served,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts the proxy before `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start<F, Fut>(upstream: &str, handler: F) -> FaultProxy
    where
        F: Fn(StubRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Fault> + Send + 'static,
    {
        let handler: FaultHandler = Arc::new(move |r| Box::pin(handler(r)));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let served = Arc::new(Mutex::new(Vec::new()));
        let sent = served.clone();
        let upstream = upstream.trim_end_matches('/').to_string();
        let task = tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let (h, log, up, client, sent) = (
                    handler.clone(),
                    log.clone(),
                    upstream.clone(),
                    client.clone(),
                    sent.clone(),
                );
                tokio::spawn(async move {
                    let _ = serve(sock, h, (log, sent), &up, &client).await;
                });
            }
        });
        FaultProxy {
            addr,
            requests,
            served,
            task,
        }
    }

    pub fn count(&self, method: &str, path_part: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.method == method && r.path().contains(path_part))
            .count()
    }

    /// Body bytes the upstream answered requests whose path holds `path_part` with.
    pub fn served_bytes(&self, path_part: &str) -> u64 {
        self.served
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, _)| t.split('?').next().unwrap_or(t).contains(path_part))
            .map(|(_, n)| n)
            .sum()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<StubRequest>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        // A TLS ClientHello (a client probing https first): hang up like a plain server.
        if buf.is_empty() && chunk[0] == 0x16 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > 1 << 20 {
            return Ok(None);
        }
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
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(StubRequest {
        method,
        target,
        headers,
        body,
    }))
}

async fn serve(
    mut sock: TcpStream,
    handler: FaultHandler,
    (log, sent): (Arc<Mutex<Vec<StubRequest>>>, Served),
    upstream: &str,
    client: &reqwest::Client,
) -> std::io::Result<()> {
    let Some(req) = read_request(&mut sock).await? else {
        return Ok(());
    };
    log.lock().unwrap().push(req.clone());
    let fault = handler(req.clone()).await;
    if let Fault::Hang = fault {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return Ok(());
    }
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
    let mut up = client.request(method, format!("{upstream}{}", req.target));
    let dropped = match &fault {
        Fault::DropHeader(h) => h.to_ascii_lowercase(),
        _ => String::new(),
    };
    for (k, v) in &req.headers {
        let lower = k.to_ascii_lowercase();
        if !["host", "content-length", "connection"].contains(&lower.as_str()) && lower != dropped {
            up = up.header(k, v);
        }
    }
    let r = up.body(req.body.clone()).send().await.unwrap();
    let mut status = r.status().as_u16();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(k, _)| *k != "content-length" && *k != "connection")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut body = r.bytes().await.unwrap().to_vec();
    sent.lock()
        .unwrap()
        .push((req.target.clone(), body.len() as u64));
    if let Fault::Replace {
        status: s,
        headers: h,
        body: b,
    } = &fault
    {
        (status, headers, body) = (*s, h.clone(), b.clone());
    }
    let mut out = format!("HTTP/1.1 {status} X\r\n");
    let declared = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .is_some();
    for (k, v) in &headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !declared {
        out.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    out.push_str("connection: close\r\n\r\n");
    sock.write_all(out.as_bytes()).await?;
    if req.method == "HEAD" {
        return sock.shutdown().await;
    }
    match fault {
        Fault::Trickle { chunk, every } => {
            for piece in body.chunks(chunk.max(1)) {
                sock.write_all(piece).await?;
                sock.flush().await?;
                tokio::time::sleep(every).await;
            }
        }
        Fault::Reset { after } => {
            sock.write_all(&body[..after.min(body.len())]).await?;
            sock.flush().await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
            // A zero linger does not block on drop: it sends the RST at once.
            #[allow(deprecated)]
            sock.set_linger(Some(Duration::ZERO))?;
            drop(sock);
            return Ok(());
        }
        Fault::Truncate { after } => {
            sock.write_all(&body[..after.min(body.len())]).await?;
        }
        _ => sock.write_all(&body).await?,
    }
    sock.shutdown().await
}
