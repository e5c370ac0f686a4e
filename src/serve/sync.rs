//! Mutexes that stay usable after a panic elsewhere: the server's shared state (sessions,
//! jobs, connection slots) is plain data, whole after any panic.

use std::sync::{Mutex, MutexGuard};

/// A mutex's content, also after a panic elsewhere (the data stay usable).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
