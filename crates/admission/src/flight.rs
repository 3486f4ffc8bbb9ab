//! Single flight: when several requests need the same uncached fact (the
//! digest of one tag, the scan of one digest), one task fetches it and the
//! others wait for its result, each within its own deadline.
//!
//! The work runs in a spawned task, so it goes on (and fills the cache)
//! when the request that started it times out; every waiter, the first
//! included, waits with its own deadline. The flight is forgotten once it
//! ends, whatever the result: an error reaches only the requests that
//! were waiting, and the next request starts a new flight.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::watch;

type Result<V> = std::result::Result<V, String>;
/// What a waiter watches: None until the flight lands.
type Landing<V> = watch::Receiver<Option<Result<V>>>;
/// Flights in the air, by key.
type Running<K, V> = Arc<Mutex<HashMap<K, Landing<V>>>>;

pub struct Flights<K, V> {
    running: Running<K, V>,
}

impl<K, V> Default for Flights<K, V> {
    fn default() -> Self {
        Flights {
            running: Arc::default(),
        }
    }
}

/// Removes the flight from the map when its task ends, also by panic or
/// cancellation at shutdown (then the waiters see the sender dropped).
struct Land<K: Hash + Eq, V> {
    running: Running<K, V>,
    key: Option<K>,
}

impl<K: Hash + Eq, V> Drop for Land<K, V> {
    fn drop(&mut self) {
        if let Some(k) = self.key.take() {
            self.running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&k);
        }
    }
}

/// Whether this request started the flight or joined one in the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    Started,
    Merged,
}

impl<K, V> Flights<K, V>
where
    K: Hash + Eq + Clone + Send + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// The result of `work` for `key`: started now, or the one already
    /// running. `work` is only called (and spawned) when no flight for
    /// `key` is running. Waits until `deadline` at most.
    pub async fn run<F, Fut>(&self, key: K, deadline: Instant, work: F) -> (Result<V>, Joined)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V>> + Send + 'static,
    {
        let (tx, rx) = watch::channel(None);
        let in_the_air = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            match running.get(&key) {
                Some(other) => Some(other.clone()),
                None => {
                    running.insert(key.clone(), rx.clone());
                    None
                }
            }
        };
        if let Some(other) = in_the_air {
            return self.wait(other, deadline, Joined::Merged).await;
        }
        // From here the flight must land, whatever happens (the guard is
        // made outside the lock: its drop takes it).
        let land = Land {
            running: self.running.clone(),
            key: Some(key),
        };
        let fut = work();
        tokio::spawn(async move {
            let result = fut.await;
            // Send before landing: a request that looks now either joins
            // and sees the result at once, or finds the flight gone and
            // the cache filled.
            let _ = tx.send(Some(result));
            drop(land);
        });
        self.wait(rx, deadline, Joined::Started).await
    }

    async fn wait(
        &self,
        mut rx: Landing<V>,
        deadline: Instant,
        joined: Joined,
    ) -> (Result<V>, Joined) {
        let left = deadline.saturating_duration_since(Instant::now());
        let result = match tokio::time::timeout(left, rx.wait_for(Option::is_some)).await {
            Ok(Ok(r)) => r.clone().unwrap_or_else(|| Err("no result".into())),
            Ok(Err(_)) => Err("internal error: the fetch stopped without a result".into()),
            Err(_) => Err("timed out (the request deadline passed)".into()),
        };
        (result, joined)
    }

    /// Flights in the air (for tests and metrics).
    pub fn len(&self) -> usize {
        self.running.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_flight_for_many_waiters_and_errors_are_not_kept() {
        let flights: Arc<Flights<&str, u32>> = Arc::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (f, c) = (flights.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                f.run("img", deadline, move || async move {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    c.fetch_add(1, SeqCst);
                    Err::<u32, _>("registry down".to_string())
                })
                .await
            }));
        }
        let mut merged = 0;
        for t in tasks {
            let (r, j) = t.await.unwrap();
            assert_eq!(r, Err("registry down".to_string()));
            merged += usize::from(j == Joined::Merged);
        }
        assert_eq!(calls.load(SeqCst), 1);
        assert_eq!(merged, 15);
        assert!(flights.is_empty(), "the failed flight landed");
        // The error was not kept: the next request fetches again.
        let (r, j) = flights.run("img", deadline, || async { Ok(7) }).await;
        assert_eq!((r, j), (Ok(7), Joined::Started));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_waiter_keeps_its_deadline_and_the_work_goes_on() {
        let flights: Arc<Flights<&str, u32>> = Arc::default();
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(1)
        };
        let short = Instant::now() + Duration::from_millis(50);
        let (r, _) = flights.run("img", short, slow).await;
        assert!(r.unwrap_err().contains("timed out"));
        let long = Instant::now() + Duration::from_secs(5);
        let (r, j) = flights.run("img", long, || async { Ok(2) }).await;
        assert_eq!(
            (r, j),
            (Ok(1), Joined::Merged),
            "joined the flight still running"
        );
    }
}
