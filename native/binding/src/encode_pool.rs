//! The threads that encode answers (`OpusEncoder.encodeFrames`). Our own rather than the runtime's
//! worker pool, so they can run below the event loop's priority: when the gateway shares a core
//! with them, the thread that reads every toy's frames and paces every answer preempts the encode,
//! not the other way round. An answer is encoded ~0.6 s ahead of playback, so its encode can wait.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use napi::{Error, Status};

pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Nice value of the encode threads (0 is the event loop's; 19 the lowest).
const NICE: i32 = 5;

/// Earliest deadline first: an answer whose toy is about to run dry is encoded before answers
/// that are half a second ahead, whatever order they were queued in.
struct Queued {
    due: Instant,
    seq: u64,
    job: Job,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap pops the greatest: the earliest deadline, then the oldest, is the greatest.
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl Eq for Queued {}

#[derive(Default)]
struct Queue {
    jobs: BinaryHeap<Queued>,
    seq: u64,
}

struct Pool {
    queue: Mutex<Queue>,
    ready: Condvar,
    /// Threads that did start; 0 when the system refused them all.
    running: AtomicUsize,
}

static POOL: OnceLock<&'static Pool> = OnceLock::new();

/// Runs `job` on an encode thread; `due` is how soon its result is needed. Fails (and drops the
/// job) when no encode thread could be started.
pub fn spawn(due: Duration, job: Job) -> napi::Result<()> {
    let pool = POOL.get_or_init(start);
    if pool.running.load(AtomicOrdering::Relaxed) == 0 {
        return Err(Error::new(
            Status::GenericFailure,
            "no encode thread could be started",
        ));
    }
    // Instant + a minute at most (the caller caps `due`), so this cannot overflow.
    let due = Instant::now().checked_add(due).unwrap_or_else(Instant::now);
    let mut q = pool.queue.lock().unwrap_or_else(|e| e.into_inner());
    q.seq += 1;
    let seq = q.seq;
    q.jobs.push(Queued { due, seq, job });
    drop(q);
    pool.ready.notify_one();
    Ok(())
}

fn start() -> &'static Pool {
    // Lives as long as the process, like the threads that serve it.
    let pool: &'static Pool = Box::leak(Box::new(Pool {
        queue: Mutex::new(Queue::default()),
        ready: Condvar::new(),
        running: AtomicUsize::new(0),
    }));
    for i in 0..threads() {
        let spawned = thread::Builder::new()
            .name(format!("teddy-encode-{i}"))
            .spawn(move || run(pool));
        // ? A thread the system refused is one fewer; none at all is reported by `spawn`.
        if spawned.is_ok() {
            pool.running.fetch_add(1, AtomicOrdering::Relaxed);
        }
    }
    pool
}

/// How many encode threads there are (or will be).
pub fn threads() -> usize {
    // One core stays the event loop's; `available_parallelism` honours the CPU affinity mask.
    thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1))
        .unwrap_or(1)
        .max(1)
}

fn run(pool: &Pool) {
    lower_priority();
    loop {
        // The lock is held only while taking the next job, never while encoding.
        let job = {
            let mut q = pool.queue.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(next) = q.jobs.pop() {
                    break next.job;
                }
                q = pool.ready.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        // ! A panicking job must not take the thread with it (jobs settle their own promise).
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux the nice value is per thread: this lowers only the calling encode thread.
    // SAFETY: plain syscalls on the calling thread's own id.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, NICE);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn pool_keeps_encoding_after_a_job_panics() {
        // every thread gets a panicking job first, so a thread lost to it would show below
        for _ in 0..threads() {
            spawn(Duration::ZERO, Box::new(|| panic!("a job that panics"))).unwrap();
        }
        let (tx, rx) = mpsc::channel();
        for i in 0..threads() * 2 {
            let tx = tx.clone();
            spawn(
                Duration::from_millis(1),
                Box::new(move || tx.send(i).unwrap()),
            )
            .unwrap();
        }
        let mut done: Vec<usize> = (0..threads() * 2)
            .map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap())
            .collect();
        done.sort_unstable();
        assert_eq!(done, (0..threads() * 2).collect::<Vec<_>>());
    }
}
