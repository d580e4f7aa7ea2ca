//! `moto_server` (the AWS emulator, PyPI `moto[server]`) started per test on 127.0.0.1:0,
//! with its request recorder on so a test can see every API call that reached it, and an
//! independent raw-JSON ECR client to seed it (not the SDK the code under test uses).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "eu-west-1";

/// Finds `moto_server` in the project's `.venv/bin` (where scripts/install-test-deps.sh
/// puts the pinned version the tests expect), else on PATH. Under `CI=true` a missing
/// one fails.
pub fn find_moto() -> Option<PathBuf> {
    let on_path = || {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("moto_server"))
                .find(|p| p.is_file())
        })
    };
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    let found = venv.is_file().then_some(venv).or_else(on_path);
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("moto_server is not installed; run scripts/install-test-deps.sh (CI=true: a missing server is a failure)");
        }
        eprintln!("SKIP: moto_server not installed; run scripts/install-test-deps.sh");
    }
    found
}

pub struct Moto {
    child: Child,
    pub dir: tempfile::TempDir,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The moto_server executable (its virtualenv's python sits beside it).
    pub bin: PathBuf,
    recording: PathBuf,
    http: reqwest::Client,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    pub fn start() -> Option<Moto> {
        let bin = find_moto()?;
        let dir = tempfile::tempdir().expect("tempdir");
        let recording = dir.path().join("requests.jsonl");
        // moto_server prints the bound port (` * Running on http://127.0.0.1:PORT`) on
        // stderr when given port 0, so no port is ever guessed.
        let mut child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("MOTO_ENABLE_RECORDING", "true")
            .env("MOTO_RECORDER_FILEPATH", &recording)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moto_server");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // Keep draining: werkzeug logs every request, and a full pipe would stall it.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("Running on http://127.0.0.1:") {
                    let url = line[i + "Running on ".len()..].trim().to_string();
                    let _ = tx.send(url);
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("moto_server did not report its port within 30s");
        let moto = Moto {
            child,
            dir,
            url,
            bin,
            recording,
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(moto.url.trim_start_matches("http://")).is_err() {
            assert!(Instant::now() < deadline, "moto_server not accepting");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(moto)
    }

    /// One ECR API call as raw JSON 1.1. moto reads the region from the credential scope.
    pub async fn call(&self, region: &str, op: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/", self.url))
            .header("X-Amz-Target", format!("AmazonEC2ContainerRegistry_V20150921.{op}"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header(
                "Authorization",
                format!("AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/{region}/ecr/aws4_request, SignedHeaders=host, Signature=0"),
            )
            .body(body.to_string())
            .send()
            .await
            .expect("moto request");
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "{op}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn create_repository(&self, name: &str, immutable: bool, scan_on_push: bool) {
        self.call(
            REGION,
            "CreateRepository",
            json!({"repositoryName": name,
                   "imageTagMutability": if immutable {"IMMUTABLE"} else {"MUTABLE"},
                   "imageScanningConfiguration": {"scanOnPush": scan_on_push}}),
        )
        .await;
    }

    /// Uploads `bytes` as one layer of `repo` (InitiateLayerUpload, one UploadLayerPart,
    /// CompleteLayerUpload), as `docker push` does before PutImage, so that
    /// BatchCheckLayerAvailability finds it under the sha256 of the bytes.
    pub async fn upload_layer(&self, repo: &str, bytes: &[u8]) {
        use base64::Engine as _;
        let started = self
            .call(
                REGION,
                "InitiateLayerUpload",
                json!({"repositoryName": repo}),
            )
            .await;
        let upload = started["uploadId"].as_str().expect("uploadId").to_string();
        self.call(
            REGION,
            "UploadLayerPart",
            json!({"repositoryName": repo, "uploadId": upload, "partFirstByte": 0,
                "partLastByte": bytes.len().saturating_sub(1),
                "layerPartBlob": base64::engine::general_purpose::STANDARD.encode(bytes)}),
        )
        .await;
        let digest = regscope::model::Digest::sha256_of(bytes).to_string();
        self.call(
            REGION,
            "CompleteLayerUpload",
            json!({"repositoryName": repo, "uploadId": upload, "layerDigests": [digest]}),
        )
        .await;
    }

    /// Puts manifest bytes with `imageDigest` = their sha256 (moto would invent one).
    pub async fn put_image(
        &self,
        repo: &str,
        manifest: &str,
        media_type: &str,
        tag: Option<&str>,
    ) -> String {
        let digest = regscope::model::Digest::sha256_of(manifest.as_bytes()).to_string();
        let mut body = json!({"repositoryName": repo, "imageManifest": manifest,
            "imageManifestMediaType": media_type, "imageDigest": digest});
        if let Some(t) = tag {
            body["imageTag"] = json!(t);
        }
        self.call(REGION, "PutImage", body).await;
        digest
    }

    /// One IAM query-protocol call (form fields); returns the XML answer.
    pub async fn iam(&self, form: &[(&str, &str)]) -> String {
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        body.append_pair("Version", "2010-05-08");
        for (k, v) in form {
            body.append_pair(k, v);
        }
        let r = self
            .http
            .post(format!("{}/", self.url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
            )
            .body(body.finish())
            .send()
            .await
            .expect("moto IAM request");
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "IAM {form:?}: {status} {text}");
        text
    }

    /// A user allowed exactly `actions`, and its access key (id, secret).
    pub async fn iam_user(&self, name: &str, actions: &[&str]) -> (String, String) {
        self.iam(&[("Action", "CreateUser"), ("UserName", name)])
            .await;
        let policy = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": "*"}]})
        .to_string();
        self.iam(&[
            ("Action", "PutUserPolicy"),
            ("UserName", name),
            ("PolicyName", "doctor-test"),
            ("PolicyDocument", &policy),
        ])
        .await;
        let xml = self
            .iam(&[("Action", "CreateAccessKey"), ("UserName", name)])
            .await;
        let field = |tag: &str| {
            let open = format!("<{tag}>");
            let start = xml.find(&open).expect(tag) + open.len();
            let end = xml[start..].find("</").unwrap() + start;
            xml[start..end].to_string()
        };
        (field("AccessKeyId"), field("SecretAccessKey"))
    }

    /// From now on moto checks every request's signature and IAM permissions.
    pub async fn enforce_iam(&self) {
        let r = self
            .http
            .post(format!("{}/moto-api/reset-auth", self.url))
            .body("0")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }

    /// Queues a DescribeImageScanFindings answer through moto's own API.
    pub async fn inject_scan_result(&self, result: Value) {
        let r = self
            .http
            .post(format!(
                "{}/moto-api/static/ecr/scan-finding-results",
                self.url
            ))
            .header("Content-Type", "application/json")
            .body(json!({"results": [result], "region": REGION, "account_id": ACCOUNT}).to_string())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }

    /// The ECR operations that reached moto, in order (from its request recorder).
    pub fn recorded_operations(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.recording).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| {
                let h = v.get("headers")?.as_object()?;
                let target = h
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))?
                    .1
                    .as_str()?;
                Some(target.rsplit('.').next()?.to_string())
            })
            .collect()
    }

    /// Hermetic settings for the code under test: this endpoint, test credentials, and
    /// empty AWS config files, so nothing of the developer's AWS setup leaks in and no
    /// instance-metadata lookup is ever made (credentials and region are explicit).
    pub fn connect_options(&self) -> regscope::registry::ecr::EcrConnectOptions {
        let config = self.dir.path().join("aws-config");
        let creds = self.dir.path().join("aws-credentials");
        std::fs::write(&config, "").unwrap();
        std::fs::write(&creds, "").unwrap();
        regscope::registry::ecr::EcrConnectOptions {
            endpoint_url: Some(self.url.clone()),
            credentials: Some(aws_sdk_ecr::config::Credentials::new(
                "AKIDTEST",
                "test-secret",
                None,
                None,
                "regscope-tests",
            )),
            profile_files: Some((config, creds)),
            retry: regscope::registry::ecr::RetryPolicy {
                throttle_attempts: 3,
                transient_attempts: 2,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(50),
            },
        }
    }
}
