//! A client for the OCI distribution API: scheme choice, authentication from
//! the `WWW-Authenticate` challenge (anonymous, basic, bearer token),
//! retries with backoff on 429/5xx and transport errors, and errors that
//! say which registry answered what.

use super::RegistryOptions;
use super::auth::{Challenge, parse_challenges};
use super::credentials::{self, Credentials};
use crate::error::{ImageError, Result};
use crate::reference::RegistryRef;
use base64::Engine as _;
use reqwest::StatusCode;
use reqwest::blocking::{Client as Http, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

/// Longest wait honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// Largest error, token or tag-list body read.
const MAX_SMALL_BODY: u64 = 1 << 20;
/// Most tag-list pages followed.
const MAX_TAG_PAGES: usize = 1000;

pub struct Client {
    http: Http,
    /// `https://host` or `http://host`.
    base: String,
    reference: RegistryRef,
    input: String,
    credentials: Option<Credentials>,
    /// The `Authorization` header value once authenticated.
    authorization: Mutex<Option<String>>,
    options: RegistryOptions,
    /// Token scopes asked for (`repository:NAME:pull`, `…:pull,push` to push).
    scopes: Vec<String>,
}

impl Client {
    pub fn connect(
        input: &str,
        reference: &RegistryRef,
        options: &RegistryOptions,
    ) -> Result<Client> {
        let pull = format!("repository:{}:pull", reference.repository);
        Self::connect_with_scopes(input, reference, options, vec![pull])
    }

    /// Like [`Client::connect`], asking bearer tokens for `scopes` (a push
    /// needs `pull,push` on its repository, a cross-repository mount also
    /// `pull` on the source repository).
    pub fn connect_with_scopes(
        input: &str,
        reference: &RegistryRef,
        options: &RegistryOptions,
        scopes: Vec<String>,
    ) -> Result<Client> {
        let credentials = match (&options.username, &options.password) {
            (Some(u), Some(p)) => Some(Credentials {
                username: u.clone(),
                password: p.clone(),
            }),
            (Some(_), None) | (None, Some(_)) => {
                return Err(ImageError::registry(
                    input,
                    "give both --username and --password-stdin",
                ));
            }
            (None, None) => {
                // A file the user named must exist; the default one may not.
                if let Some(p) = &options.docker_config
                    && !p.exists()
                {
                    return Err(ImageError::Path {
                        path: p.clone(),
                        reason: "--docker-config: no such file".into(),
                    });
                }
                let path = options
                    .docker_config
                    .clone()
                    .or_else(credentials::default_docker_config);
                match path {
                    Some(p) => {
                        credentials::from_docker_config(&p, &reference.registry).map_err(|e| {
                            ImageError::registry(input, format!("reading credentials: {e}"))
                        })?
                    }
                    None => None,
                }
            }
        };
        let build = |verify: bool| {
            Http::builder()
                .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(options.timeout)
                // In the blocking client this bounds the wait for headers and every single read.
                .timeout(options.timeout)
                .tls_danger_accept_invalid_certs(!verify)
                .build()
                .map_err(|e| ImageError::registry(input, format!("cannot build HTTP client: {e}")))
        };
        let host = reference.api_host().to_string();
        let plain_allowed = options.insecure || reference.is_loopback();
        let mut client = Client {
            http: build(!options.insecure)?,
            base: format!("https://{host}"),
            reference: reference.clone(),
            input: input.to_string(),
            credentials,
            authorization: Mutex::new(None),
            options: options.clone(),
            scopes,
        };
        // Ping /v2/ to learn the scheme and the auth challenge.
        let ping = match client.http.get(format!("{}/v2/", client.base)).send() {
            Ok(resp) => resp,
            Err(e) if plain_allowed && (e.is_connect() || e.is_request()) => {
                client.base = format!("http://{host}");
                client
                    .http
                    .get(format!("{}/v2/", client.base))
                    .send()
                    .map_err(|e2| {
                        ImageError::registry(
                            input,
                            format!(
                                "cannot reach {host} over HTTPS ({}) or HTTP ({})",
                                describe(&e),
                                describe(&e2)
                            ),
                        )
                    })?
            }
            Err(e) => {
                let hint = if e.is_connect() && !plain_allowed {
                    " (plain HTTP or an untrusted certificate? pass --insecure)"
                } else {
                    ""
                };
                return Err(ImageError::registry(
                    input,
                    format!("cannot reach {host}: {}{hint}", describe(&e)),
                ));
            }
        };
        if ping.status() == StatusCode::UNAUTHORIZED {
            client.authenticate(&ping)?;
        }
        Ok(client)
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn repo_url(&self, kind: &str, reference: &str) -> String {
        format!(
            "{}/v2/{}/{kind}/{reference}",
            self.base, self.reference.repository
        )
    }

    /// `GET /v2/<repo>/manifests/<reference>`.
    pub fn get_manifest(&self, reference: &str, accept: &str) -> Result<Response> {
        self.get(
            &self.repo_url("manifests", reference),
            Some(accept),
            &format!("manifest {reference}"),
        )
    }

    /// `GET /v2/<repo>/blobs/<digest>` (redirects to storage are followed;
    /// reqwest drops the Authorization header when the host changes).
    pub fn get_blob(&self, digest: &str) -> Result<Response> {
        self.get(
            &self.repo_url("blobs", digest),
            None,
            &format!("blob {digest}"),
        )
    }

    /// `GET /v2/<repo>/tags/list`: every tag of the repository (following
    /// `Link: <…>; rel="next"` pages, at most [`MAX_TAG_PAGES`]).
    pub fn list_tags(&self) -> Result<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct TagList {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let mut url = format!("{}/v2/{}/tags/list", self.base, self.reference.repository);
        let mut tags = Vec::new();
        for _ in 0..MAX_TAG_PAGES {
            let resp = self.get(&url, Some("application/json"), "tag list")?;
            let next = resp
                .headers()
                .get("link")
                .and_then(|v| v.to_str().ok())
                .and_then(|l| l.split_once('<'))
                .and_then(|(_, rest)| rest.split_once('>'))
                .map(|(path, _)| path.to_string());
            let mut body = Vec::new();
            resp.take(MAX_SMALL_BODY + 1)
                .read_to_end(&mut body)
                .map_err(|e| self.error(format!("tag list: {e}")))?;
            if body.len() as u64 > MAX_SMALL_BODY {
                return Err(self.error("tag list: larger than 1 MiB".into()));
            }
            let page: TagList = serde_json::from_slice(&body)
                .map_err(|e| self.error(format!("tag list: invalid JSON: {e}")))?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                Some(path) if path.starts_with('/') => url = format!("{}{path}", self.base),
                _ => return Ok(tags),
            }
        }
        Err(self.error(format!("tag list: more than {MAX_TAG_PAGES} pages")))
    }

    /// `DELETE /v2/<repo>/manifests/<digest>` (the registry must allow deletion).
    pub fn delete_manifest(&self, digest: &str) -> Result<()> {
        let url = self.repo_url("manifests", digest);
        self.send_checked(
            reqwest::Method::DELETE,
            &url,
            None,
            &format!("delete manifest {digest}"),
        )
        .map(|_| ())
    }

    fn get(&self, url: &str, accept: Option<&str>, what: &str) -> Result<Response> {
        self.send_checked(reqwest::Method::GET, url, accept, what)
    }

    /// A request whose answer must be a success: `send` (auth, retries)
    /// then the status turned into a clear error.
    fn send_checked(
        &self,
        method: reqwest::Method,
        url: &str,
        accept: Option<&str>,
        what: &str,
    ) -> Result<Response> {
        let resp = self.send(
            &|http| {
                let req = http.request(method.clone(), url);
                match accept {
                    Some(a) => req.header(ACCEPT, a),
                    None => req,
                }
            },
            what,
        )?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let detail = error_detail(resp);
        Err(self.error(match status {
            StatusCode::UNAUTHORIZED => {
                let why = if self.credentials.is_some() {
                    "the credentials were rejected"
                } else {
                    "authentication required (docker login, or --username with --password-stdin)"
                };
                format!("{what}: 401 Unauthorized: {why}{detail}")
            }
            StatusCode::FORBIDDEN => format!("{what}: 403 Forbidden: access denied{detail}"),
            StatusCode::NOT_FOUND => format!("{what}: 404 Not Found{detail}"),
            s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => format!(
                "{what}: HTTP {s} after {} attempts{detail}",
                self.options.retries + 1
            ),
            s => format!("{what}: HTTP {s}{detail}"),
        }))
    }

    /// The URL of `/v2/<repo>/<kind>/<reference>` (kind `blobs`,
    /// `manifests`, `blobs/uploads`).
    pub fn url(&self, kind: &str, reference: &str) -> String {
        self.repo_url(kind, reference)
    }

    /// An upload `Location` made absolute (registries may answer with a path).
    pub fn absolute(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else {
            format!("{}/{}", self.base, location.trim_start_matches('/'))
        }
    }

    /// Sends a request built by `build` (called again for each attempt, so
    /// bodies must be replayable), authenticating on a 401 and retrying on
    /// 429, 5xx and transport errors. Any other answer is returned as is,
    /// success or not, for the caller to interpret (404 of a HEAD, 202 of a
    /// mount that fell back to an upload).
    pub fn send(
        &self,
        build: &dyn Fn(&Http) -> reqwest::blocking::RequestBuilder,
        what: &str,
    ) -> Result<Response> {
        let mut authenticated_again = false;
        let mut attempt: u32 = 0;
        loop {
            let mut req = build(&self.http);
            if let Some(h) = self
                .authorization
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
            {
                req = req.header(AUTHORIZATION, h);
            }
            let resp = match req.send() {
                Ok(r) => r,
                Err(e) => {
                    if attempt < self.options.retries
                        && (e.is_timeout() || e.is_connect() || e.is_request())
                    {
                        self.backoff(attempt, None);
                        attempt += 1;
                        continue;
                    }
                    return Err(self.error(format!("{what}: {}", describe(&e))));
                }
            };
            let status = resp.status();
            if status == StatusCode::UNAUTHORIZED && !authenticated_again {
                authenticated_again = true;
                self.authenticate(&resp)?;
                continue;
            }
            if (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
                && attempt < self.options.retries
            {
                let retry_after = resp
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                self.backoff(attempt, retry_after);
                attempt += 1;
                continue;
            }
            return Ok(resp);
        }
    }

    /// An error for an unexpected answer, with the registry's error detail.
    pub fn unexpected(&self, what: &str, resp: Response) -> ImageError {
        let status = resp.status();
        let detail = error_detail(resp);
        self.error(format!("{what}: HTTP {status}{detail}"))
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) {
        let exp = self.options.backoff.saturating_mul(1u32 << attempt.min(6));
        let wait = retry_after.map(|r| r.min(MAX_RETRY_AFTER)).unwrap_or(exp);
        std::thread::sleep(wait);
    }

    fn error(&self, reason: String) -> ImageError {
        ImageError::registry(
            &self.input,
            format!("registry {}: {reason}", self.reference.registry),
        )
    }

    /// Answers a 401's challenge: basic credentials, or a bearer token from the realm.
    fn authenticate(&self, resp: &Response) -> Result<()> {
        let challenges: Vec<Challenge> = resp
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(parse_challenges)
            .collect();
        let header = if let Some(c) = challenges.iter().find(|c| c.scheme == "bearer") {
            format!("Bearer {}", self.fetch_token(c)?)
        } else if challenges.iter().any(|c| c.scheme == "basic") {
            let creds = self.credentials.as_ref().ok_or_else(|| {
                self.error("401 Unauthorized: the registry wants a username and password (docker login, or --username with --password-stdin)".into())
            })?;
            let raw = format!("{}:{}", creds.username, creds.password);
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        } else {
            return Err(
                self.error("401 Unauthorized without a usable WWW-Authenticate challenge".into())
            );
        };
        *self.authorization.lock().unwrap_or_else(|p| p.into_inner()) = Some(header);
        Ok(())
    }

    fn fetch_token(&self, challenge: &Challenge) -> Result<String> {
        let realm = challenge
            .params
            .get("realm")
            .ok_or_else(|| self.error("bearer challenge without a realm".into()))?;
        let mut url = reqwest::Url::parse(realm)
            .map_err(|_| self.error(format!("bearer challenge realm {realm:?} is not a URL")))?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(self.error(format!("bearer challenge realm {realm:?} is not http(s)")));
        }
        {
            let mut q = url.query_pairs_mut();
            if let Some(service) = challenge.params.get("service") {
                q.append_pair("service", service);
            }
            for scope in &self.scopes {
                q.append_pair("scope", scope);
            }
        }
        // Credentials only travel in the clear to loopback or with --insecure.
        let realm_is_safe = url.scheme() == "https"
            || self.options.insecure
            || url.host_str().is_some_and(|h| {
                h == "localhost"
                    || h.trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            });
        if self.credentials.is_some() && !realm_is_safe {
            return Err(self.error(format!(
                "the token realm {realm} is plain HTTP; refusing to send credentials over it (pass --insecure to allow)"
            )));
        }
        let mut req = self.http.get(url);
        if let Some(c) = &self.credentials {
            req = req.basic_auth(&c.username, Some(&c.password));
        }
        let resp = req
            .send()
            .map_err(|e| self.error(format!("token request to {realm}: {}", describe(&e))))?;
        let status = resp.status();
        if !status.is_success() {
            let detail = error_detail(resp);
            let why = match (status, self.credentials.is_some()) {
                (StatusCode::UNAUTHORIZED, true) => ": the credentials were rejected",
                (StatusCode::UNAUTHORIZED, false) => ": authentication required",
                _ => "",
            };
            return Err(self.error(format!(
                "token request to {realm}: HTTP {status}{why}{detail}"
            )));
        }
        #[derive(serde::Deserialize)]
        struct TokenAnswer {
            token: Option<String>,
            access_token: Option<String>,
        }
        let body = read_small(resp);
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| self.error(format!("token endpoint {realm} did not answer with JSON")))?;
        answer
            .token
            .or(answer.access_token)
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| self.error(format!("token endpoint {realm} returned no usable token")))
    }
}

fn read_small(resp: Response) -> Vec<u8> {
    let mut body = Vec::new();
    let _ = resp.take(MAX_SMALL_BODY).read_to_end(&mut body);
    body
}

/// The distribution API error body (`{"errors":[{"code","message"}]}`) as
/// `: CODE: message`, shortened and stripped of control characters.
fn error_detail(resp: Response) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<ApiError>,
    }
    #[derive(serde::Deserialize)]
    struct ApiError {
        code: Option<String>,
        message: Option<String>,
    }
    let body = read_small(resp);
    let Ok(parsed) = serde_json::from_slice::<Errors>(&body) else {
        return String::new();
    };
    let Some(first) = parsed.errors.first() else {
        return String::new();
    };
    let text = match (&first.code, &first.message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.clone(),
        (None, Some(m)) => m.clone(),
        (None, None) => return String::new(),
    };
    let clean: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    format!(" ({clean})")
}

/// A transport error with its root cause ("connection refused", "timed out").
pub(crate) fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out (the registry did not answer)".to_string();
    }
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let root = cause.to_string();
    if e.is_connect() {
        format!("connection failed: {root}")
    } else {
        root
    }
}
