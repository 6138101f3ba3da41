//! Employee list pages and employee records kept between requests
//! (issue 17, item 4).
//!
//! A page is kept with the version read before it
//! (`cscms_store::list_versions`), which every write to the employees, the
//! organisations or the service histories bumps in its own transaction,
//! whichever instance makes it. A request reads the version first (one
//! indexed row) and is answered from a kept page only when the version has
//! not moved since the page was read, so no instance ever answers with a
//! page another instance's write has changed. A list page's key holds the
//! caller's visibility, so it is only ever served to callers who see
//! exactly the same employees; a record is kept with where it is held, and
//! the caller's scope is checked against that on every request.
//!
//! Each store is bounded in bytes (`CSCMS_LIST_CACHE_MIB`,
//! `CSCMS_RECORD_CACHE_MIB`); when it is full, or the version moves, it
//! starts again empty. Pages of a superseded version are never served, so
//! dropping them all is all eviction needs.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::http::header::{self, HeaderValue};
use actix_web::HttpResponse;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::OrgId;
use cscms_domain::scope::Visibility;
use cscms_store::employees::EmployeeFilter;
use serde::Serialize;

use crate::error::ApiError;

/// What decides an employee list page besides the data: who sees what,
/// the filters, where the page starts and how long it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmployeePageKey {
    pub visibility: Visibility,
    pub filter: EmployeeFilter,
    pub cursor: Option<String>,
    pub limit: u32,
}

/// A page as sent: its JSON, its strong validator and its `Link`.
#[derive(Debug)]
pub struct Page {
    body: actix_web::web::Bytes,
    etag: HeaderValue,
    link: Option<HeaderValue>,
}

impl Page {
    /// The page of `body`, with `next` as its `rel="next"` link.
    pub fn new<B: Serialize>(next: Option<&str>, body: &B) -> Result<Self, ApiError> {
        let json = serde_json::to_vec(body)
            .map_err(|e| ApiError::Internal(format!("writing a page: {e}")))?;
        let etag = HeaderValue::from_str(&crate::http_cache::etag_of(&json))
            .map_err(|e| ApiError::Internal(format!("a page's tag: {e}")))?;
        let link = next
            .map(|n| HeaderValue::from_str(&crate::routes::paging::link_header(n)))
            .transpose()
            .map_err(|e| ApiError::Internal(format!("a page's link: {e}")))?;
        Ok(Self {
            body: json.into(),
            etag,
            link,
        })
    }

    /// The 200 response: the same bytes and headers each time it is sent.
    pub fn respond(&self) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        res.insert_header(header::ContentType::json())
            .insert_header((header::ETAG, self.etag.clone()));
        if let Some(link) = &self.link {
            res.insert_header((header::LINK, link.clone()));
        }
        res.body(self.body.clone())
    }
}

/// What a request found for its key: an entry kept, or what it read after
/// reading `version` (to keep under that version).
pub enum Found<K, V, T> {
    Kept { key: K, kept: Arc<V> },
    Read { version: i64, key: K, read: T },
}

/// What a kept entry holds in memory.
pub trait Weighed {
    fn size(&self) -> usize;
}

impl Weighed for Page {
    /// Its body, plus an allowance for its headers and its key.
    fn size(&self) -> usize {
        self.body.len() + 256
    }
}

/// An employee's record as sent, with where it is held: the caller's scope
/// is checked against the place on every request, as for a record read.
#[derive(Debug)]
pub struct KeptRecord {
    pub org: OrgId,
    pub org_parent: Option<OrgId>,
    pub page: Page,
}

impl Weighed for KeptRecord {
    fn size(&self) -> usize {
        self.page.size() + 64
    }
}

/// Employee records kept, by code.
pub type RecordCache = PageCache<EmployeeCode, KeptRecord>;

/// Pages of one version, bounded in bytes.
pub struct PageCache<K, V = Page> {
    max_bytes: usize,
    kept: Mutex<Kept<K, V>>,
}

struct Kept<K, V> {
    version: i64,
    bytes: usize,
    pages: HashMap<K, Arc<V>>,
}

impl<K: Hash + Eq, V: Weighed> PageCache<K, V> {
    /// A store of at most `max_bytes` of pages; 0 keeps none.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            kept: Mutex::new(Kept {
                version: i64::MIN,
                bytes: 0,
                pages: HashMap::new(),
            }),
        }
    }

    /// The page kept for `key`, if it was read at `version` (the version
    /// the caller has just read). A newer version drops every kept page.
    pub fn get(&self, version: i64, key: &K) -> Option<Arc<V>> {
        if self.max_bytes == 0 {
            return None;
        }
        // Nothing below can panic with the lock held; a poisoned lock's
        // map is still a map of whole pages.
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if version > kept.version {
            kept.renew(version);
            return None;
        }
        if version < kept.version {
            return None;
        }
        kept.pages.get(key).cloned()
    }

    /// Keeps `page`, read after reading `version`. A page of an older
    /// version than the one kept is not kept.
    pub fn put(&self, version: i64, key: K, page: Arc<V>) {
        let size = page.size();
        if size > self.max_bytes {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if version < kept.version {
            return;
        }
        if version > kept.version || kept.bytes + size > self.max_bytes {
            kept.renew(version);
        }
        kept.bytes += size;
        if let Some(old) = kept.pages.insert(key, page) {
            kept.bytes = kept.bytes.saturating_sub(old.size());
        }
    }
}

impl<K, V> Kept<K, V> {
    fn renew(&mut self, version: i64) {
        self.version = version;
        self.bytes = 0;
        self.pages.clear();
    }
}

/// One read of the version shared by the requests that wait for it,
/// where a read is a round trip (PostgreSQL).
///
/// A request may only use a version read that *started after it arrived*:
/// otherwise a write committed before the request could be missing from
/// its answer. So a request arriving while a read is under way waits for
/// the next one, which starts as soon as the current one ends and serves
/// everyone who arrived meanwhile. Under load one round trip serves many
/// requests; alone, a request waits for one round trip, as before.
pub struct VersionGate {
    shared: Arc<Shared>,
}

struct Shared {
    gate: Mutex<Gate>,
    done: tokio::sync::watch::Sender<Reading>,
}

#[derive(Default)]
struct Gate {
    /// The id of the last read started.
    started: u64,
    /// Whether a read is under way.
    running: bool,
    /// Whether a request arrived during the read under way.
    wanted: bool,
}

/// A finished read: its id and what it found (`None` when it failed).
#[derive(Clone, Copy)]
struct Reading {
    id: u64,
    version: Option<i64>,
}

impl Default for VersionGate {
    fn default() -> Self {
        Self {
            shared: Arc::new(Shared {
                gate: Mutex::new(Gate::default()),
                done: tokio::sync::watch::Sender::new(Reading {
                    id: 0,
                    version: None,
                }),
            }),
        }
    }
}

impl VersionGate {
    /// The version as read by `read` after this call began; `None` when
    /// the read failed (the caller reads it itself).
    pub async fn current<R, F>(&self, read: R) -> Option<i64>
    where
        R: Fn() -> F + 'static,
        F: Future<Output = Option<i64>> + 'static,
    {
        let mut done = self.shared.done.subscribe();
        let (need, start) = {
            let mut g = self.shared.lock();
            if g.running {
                g.wanted = true;
                (g.started + 1, false)
            } else {
                g.started += 1;
                g.running = true;
                (g.started, true)
            }
        };
        if start {
            let shared = self.shared.clone();
            actix_web::rt::spawn(async move { shared.run(read).await });
        }
        loop {
            let reading = *done.borrow_and_update();
            if reading.id >= need {
                return reading.version;
            }
            // The sender lives as long as the gate: closed means shutdown.
            done.changed().await.ok()?;
        }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Gate> {
        // Nothing panics with the lock held; a poisoned gate is still whole.
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads until no request is left waiting for a read.
    async fn run<R, F>(&self, read: R)
    where
        R: Fn() -> F,
        F: Future<Output = Option<i64>>,
    {
        let mut unfinished = Unfinished(Some(self));
        loop {
            let id = self.lock().started;
            let version = read().await;
            // Published under the lock, so a request either sees this read
            // still running (and is served by the next) or starts its own.
            let mut g = self.lock();
            self.done.send_replace(Reading { id, version });
            if g.wanted {
                g.wanted = false;
                g.started += 1;
            } else {
                g.running = false;
                unfinished.0 = None;
                return;
            }
        }
    }
}

/// Should the reading task be dropped mid-read (its worker stopping), the
/// requests waiting are told the read failed, and read for themselves.
struct Unfinished<'a>(Option<&'a Shared>);

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        if let Some(shared) = self.0 {
            let mut g = shared.lock();
            // Past the read that was under way, and the one asked for
            // next: everyone waiting is answered.
            g.running = false;
            g.wanted = false;
            g.started += 1;
            shared.done.send_replace(Reading {
                id: g.started,
                version: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize) -> Arc<Page> {
        Arc::new(Page::new(None, &vec![n; n]).expect("a page"))
    }

    #[test]
    fn a_page_is_served_only_at_the_version_it_was_read_at() {
        let cache = PageCache::new(1 << 20);
        cache.put(3, "a", page(1));
        assert!(cache.get(3, &"a").is_some());
        assert!(cache.get(3, &"b").is_none());
        // A reader still on an older version is not served the newer page.
        assert!(cache.get(2, &"a").is_none());
        // A newer version drops it for good.
        assert!(cache.get(4, &"a").is_none());
        assert!(cache.get(3, &"a").is_none());
        // A page read at an older version than the one kept is not kept.
        cache.put(3, "a", page(1));
        assert!(cache.get(4, &"a").is_none());
    }

    #[test]
    fn the_store_starts_again_when_full_and_keeps_nothing_at_zero() {
        let one = page(100).size();
        let cache = PageCache::new(one * 2);
        cache.put(1, 1, page(100));
        cache.put(1, 2, page(100));
        assert!(cache.get(1, &1).is_some() && cache.get(1, &2).is_some());
        cache.put(1, 3, page(100));
        assert!(cache.get(1, &1).is_none() && cache.get(1, &3).is_some());
        // The same key again replaces its page without growing the store.
        cache.put(1, 3, page(100));
        cache.put(1, 4, page(100));
        assert!(cache.get(1, &3).is_some() && cache.get(1, &4).is_some());

        let off = PageCache::new(0);
        off.put(1, 1, page(1));
        assert!(off.get(1, &1).is_none());
    }

    #[test]
    fn a_kept_page_is_sent_as_it_was_written() {
        let p = Page::new(Some("/v1/employees?cursor=X"), &serde_json::json!({"a": 1}))
            .expect("a page");
        let res = p.respond();
        assert_eq!(
            res.headers()
                .get(header::LINK)
                .and_then(|v| v.to_str().ok()),
            Some("</v1/employees?cursor=X>; rel=\"next\"")
        );
        assert_eq!(
            res.headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok()),
            Some(crate::http_cache::etag_of(br#"{"a":1}"#).as_str())
        );
    }

    /// Requests arriving one after another while writes commit between
    /// them: each is answered by a read that began after it arrived (so
    /// it sees every write before it), and the reads are shared.
    #[actix_web::test]
    async fn each_request_gets_a_read_begun_after_it_arrived() {
        use std::cell::Cell;
        use std::rc::Rc;
        let gate = Rc::new(VersionGate::default());
        let committed = Rc::new(Cell::new(0i64));
        let reads = Rc::new(Cell::new(0u32));
        let reader = {
            let (committed, reads) = (committed.clone(), reads.clone());
            move || {
                let (committed, reads) = (committed.clone(), reads.clone());
                // A round trip: what is committed when it begins, answered later.
                async move {
                    reads.set(reads.get() + 1);
                    let seen = committed.get();
                    for _ in 0..3 {
                        actix_web::rt::task::yield_now().await;
                    }
                    Some(seen)
                }
            }
        };
        let mut asked = Vec::new();
        for i in 0..40 {
            committed.set(i);
            let (gate, reader) = (gate.clone(), reader.clone());
            asked.push(actix_web::rt::spawn(async move {
                (i, gate.current(reader).await)
            }));
            actix_web::rt::task::yield_now().await;
        }
        for a in asked {
            let (i, version) = a.await.expect("the request");
            assert!(
                version.is_some_and(|v| v >= i),
                "request {i} answered from {version:?}"
            );
        }
        assert!(reads.get() < 40, "the reads were shared: {}", reads.get());
    }
}
