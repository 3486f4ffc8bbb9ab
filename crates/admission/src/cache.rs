//! A bounded least-recently-used map whose entries expire. Small and
//! hand-written: a map for lookups and an ordered map of use ticks for
//! eviction, both O(log n).

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Inner<K, V> {
    map: HashMap<K, (V, Instant, u64)>,
    order: BTreeMap<u64, K>,
    tick: u64,
}

pub struct Lru<K, V> {
    inner: Mutex<Inner<K, V>>,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V: Clone> Lru<K, V> {
    pub fn new(capacity: usize) -> Self {
        Lru {
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                order: BTreeMap::new(),
                tick: 0,
            }),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // A panic while holding the lock cannot leave the maps half
        // updated in a way that matters for a cache: keep using it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value if present and younger than `ttl`.
    pub fn get(&self, key: &K, ttl: Duration) -> Option<V> {
        let mut g = self.lock();
        let inner = &mut *g;
        let (value, at, tick) = inner.map.get_mut(key)?;
        if at.elapsed() > ttl {
            let t = *tick;
            inner.order.remove(&t);
            inner.map.remove(key);
            return None;
        }
        inner.tick += 1;
        inner.order.remove(tick);
        *tick = inner.tick;
        inner.order.insert(inner.tick, key.clone());
        Some(value.clone())
    }

    pub fn insert(&self, key: K, value: V) {
        let mut g = self.lock();
        let inner = &mut *g;
        inner.tick += 1;
        let tick = inner.tick;
        if let Some((_, _, old)) = inner.map.insert(key.clone(), (value, Instant::now(), tick)) {
            inner.order.remove(&old);
        }
        inner.order.insert(tick, key);
        while inner.map.len() > self.capacity {
            let Some((_, oldest)) = inner.order.pop_first() else {
                break;
            };
            inner.map.remove(&oldest);
        }
    }

    pub fn clear(&self) {
        let mut g = self.lock();
        g.map.clear();
        g.order.clear();
    }

    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used_and_expires() {
        let c = Lru::new(2);
        let long = Duration::from_secs(60);
        c.insert("a", 1);
        c.insert("b", 2);
        assert_eq!(c.get(&"a", long), Some(1)); // a is now the newest
        c.insert("c", 3);
        assert_eq!(c.get(&"b", long), None);
        assert_eq!(c.get(&"a", long), Some(1));
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&"a", Duration::ZERO), None, "expired");
        assert_eq!(c.len(), 1);
        c.clear();
        assert!(c.is_empty());
    }
}
