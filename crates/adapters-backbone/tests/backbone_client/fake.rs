//! A scripted HTTP/1.1 Backbone: records every request and answers what the test's script says,
//! including late answers and connections dropped without an answer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub const LOGIN: &str = "/connect/token";
pub const TOKENS: &str = "/api/v2/Tokens";
pub const VERSION: &str = "/api/v2/Version";

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn form(&self) -> HashMap<String, String> {
        let body = std::str::from_utf8(&self.body).expect("a UTF-8 form");
        let url = reqwest::Url::parse(&format!("http://form/?{body}")).expect("a form body");
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// What the fake does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    Delay(Duration, Box<Reply>),
    /// Close the connection without answering.
    Hangup,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn empty(status: u16) -> Self {
        Self::Respond {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn login(access_token: &str, expires_in: u64) -> Self {
        Self::json(
            200,
            serde_json::json!({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in}),
        )
    }

    /// 201 with the id `TOK` + `n` as 17 digits.
    pub fn created(n: usize) -> Self {
        Self::json(
            201,
            serde_json::json!({"result": {"id": format!("TOK{n:017}"), "createdAt": "2030-01-01T12:00:00.123Z"}}),
        )
    }

    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({"error": {"id": "ERR1", "code": code, "message": message, "docs": "", "time": "2030-01-01T12:00:00.000Z"}}),
        )
    }

    pub fn with_header(self, name: &str, value: &str) -> Self {
        match self {
            Self::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.to_owned(), value.to_owned()));
                Self::Respond {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }

    pub fn after(self, delay: Duration) -> Self {
        Self::Delay(delay, Box::new(self))
    }
}

/// Decides the reply to a request; `n` counts the earlier requests to the same path.
pub type Script = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

/// A script answering `/connect/token` with `login(n)` and `POST /api/v2/Tokens` with
/// `tokens(n)`, everything else 404.
pub fn routes(
    login: impl Fn(usize) -> Reply + Send + Sync + 'static,
    tokens: impl Fn(usize) -> Reply + Send + Sync + 'static,
) -> Script {
    Arc::new(move |request: &Recorded, n| match request.path.as_str() {
        LOGIN => login(n),
        TOKENS => tokens(n),
        _ => Reply::empty(404),
    })
}

pub struct FakeBackbone {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    accept_loop: JoinHandle<()>,
}

impl FakeBackbone {
    pub async fn start(script: Script) -> Self {
        Self::start_on("127.0.0.1:0".parse().expect("an address"), script).await
    }

    pub async fn start_on(addr: SocketAddr, script: Script) -> Self {
        let listener = TcpListener::bind(addr).await.expect("the fake binds");
        let addr = listener.local_addr().expect("a local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let accept_loop = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&script), Arc::clone(&recorded)));
            }
        });
        Self {
            addr,
            requests,
            accept_loop,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        let requests = self.requests.lock().expect("not poisoned");
        requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    pub fn logins(&self) -> usize {
        self.requests_to(LOGIN).len()
    }

    pub fn creates(&self) -> usize {
        self.requests_to(TOKENS).len()
    }

    /// Stops listening (connections are then refused) and returns the address, to restart on it.
    pub async fn stop(self) -> SocketAddr {
        self.accept_loop.abort();
        let _cancelled = self.accept_loop.await;
        self.addr
    }
}

/// An address nothing listens on.
pub async fn unused_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("a local address");
    drop(listener);
    format!("http://{addr}")
}

async fn serve(stream: TcpStream, script: Script, requests: Arc<Mutex<Vec<Recorded>>>) {
    let mut stream = BufReader::new(stream);
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let n = {
        let mut requests = requests.lock().expect("not poisoned");
        let n = requests.iter().filter(|r| r.path == request.path).count();
        requests.push(request.clone());
        n
    };
    let mut reply = script(&request, n);
    loop {
        match reply {
            Reply::Delay(delay, next) => {
                tokio::time::sleep(delay).await;
                reply = *next;
            }
            Reply::Hangup => return,
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} Scripted\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let stream = stream.get_mut();
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}

async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let mut line = String::new();
    stream.read_line(&mut line).await.ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?;
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    Some(Recorded {
        method,
        path,
        query,
        headers,
        body,
    })
}
