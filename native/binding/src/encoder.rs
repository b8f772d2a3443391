use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use napi::bindgen_prelude::{Object, Uint8Array, Uint8ArraySlice};
use napi::{Env, Error, Status};
use napi_derive::napi;
use teddy_core::{Application, Encoder};

use crate::{check_disjoint, encode_pool, freed, map_error};

/// libopus never writes a packet longer than this for one frame (RFC 6716 §3.4 caps a frame at 1275 bytes).
const MAX_PACKET: usize = 1500;

/// The encoder state, and the reset generation it was last brought up to.
struct Shared {
    encoder: Encoder,
    applied: u64,
}

/// Opus encoder for one stream. Encodes into the caller's Buffer/Uint8Array on the JS thread, or a
/// batch of frames on an encode thread (`encodeFrames`) so the event loop stays free for the toys.
///
/// `reset()` never waits for a batch being encoded (a barge-in must not stall the event loop): it
/// bumps `generation`; a batch queued before it comes back empty, and whoever next takes the
/// state resets it first. A batch checks the generation before every frame, so a stale one lets
/// go of the state within one frame: the JS thread's next `encode`/`setComplexity` never waits
/// for the rest of an answer that is gone.
#[napi]
pub struct OpusEncoder {
    /// `None` once `free()` ran; a batch still running holds its own reference until it gives up.
    shared: Option<Arc<Mutex<Shared>>>,
    generation: Arc<AtomicU64>,
}

/// Packets of one `encodeFrames` call, back to back in `data`; `lengths[i]` is packet i's size.
#[napi(object)]
pub struct EncodedFrames {
    pub data: Uint8Array,
    pub lengths: Vec<u32>,
}

/// Furthest ahead a batch's deadline may be; later ones wait their turn like this one.
const MAX_DUE_MS: f64 = 60_000.0;

/// How soon a batch is needed, from the `dueMs` JS passed. NaN or an infinity is refused: it reached
/// `Duration::from_secs_f64`, which panics, and a panic here aborted the gateway with every toy's
/// session. Negative means now; beyond a minute counts as a minute.
pub(crate) fn due_from_ms(due_ms: f64) -> napi::Result<Duration> {
    if !due_ms.is_finite() {
        return Err(Error::new(
            Status::InvalidArg,
            format!("dueMs must be a finite number of milliseconds (got {due_ms})"),
        ));
    }
    Duration::try_from_secs_f64(due_ms.clamp(0.0, MAX_DUE_MS) / 1000.0)
        .map_err(|e| Error::new(Status::InvalidArg, format!("dueMs {due_ms}: {e}")))
}

/// Threads that encode `encodeFrames` batches: one per core beyond the event loop's, at least one.
#[napi(catch_unwind)]
#[cfg_attr(test, allow(dead_code))]
pub fn encode_threads() -> u32 {
    encode_pool::threads() as u32
}

/// The state, reset first if a reset was asked for since it was last used.
fn lock<'a>(shared: &'a Mutex<Shared>, generation: &AtomicU64) -> MutexGuard<'a, Shared> {
    // A panic inside libopus cannot poison anything we rely on: the state is reset by the next answer.
    let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
    let now = generation.load(Ordering::Acquire);
    if s.applied != now {
        s.encoder.reset();
        s.applied = now;
    }
    s
}

#[napi]
impl OpusEncoder {
    /// `application` is `'voip'`, `'audio'` or `'lowdelay'`.
    #[napi(constructor, catch_unwind)]
    pub fn new(sample_rate: u32, channels: u32, application: String) -> napi::Result<Self> {
        let app: Application = application.parse().map_err(map_error)?;
        let encoder = Encoder::new(sample_rate, channels, app).map_err(map_error)?;
        Ok(Self {
            shared: Some(Arc::new(Mutex::new(Shared {
                encoder,
                applied: 0,
            }))),
            generation: Arc::new(AtomicU64::new(0)),
        })
    }

    fn state(&self) -> napi::Result<MutexGuard<'_, Shared>> {
        let shared = self.shared.as_ref().ok_or_else(|| freed("OpusEncoder"))?;
        Ok(lock(shared, &self.generation))
    }

    /// Encodes exactly one frame (2.5–120 ms) and returns the packet length in bytes.
    #[napi(catch_unwind)]
    pub fn encode(&self, pcm: &[i16], mut out: Uint8ArraySlice) -> napi::Result<u32> {
        // SAFETY: synchronous call on the JS thread; the slice does not outlive it.
        let out = unsafe { out.as_mut() };
        check_disjoint(pcm, out)?;
        let n = self.state()?.encoder.encode(pcm, out).map_err(map_error)?;
        Ok(n as u32)
    }

    /// Encodes `pcm` as consecutive frames of `frameSamples` on an encode thread (below the event
    /// loop's priority, earliest `dueMs` first: see encode_pool.rs). The samples are copied before
    /// this returns, so the caller may reuse its buffer at once. Resolves with no packets when
    /// `reset()` ran in between.
    #[napi(ts_return_type = "Promise<EncodedFrames>", catch_unwind)]
    pub fn encode_frames<'env>(
        &self,
        env: &'env Env,
        pcm: &[i16],
        frame_samples: u32,
        due_ms: f64,
    ) -> napi::Result<Object<'env>> {
        let due = due_from_ms(due_ms)?;
        let shared = self.shared.as_ref().ok_or_else(|| freed("OpusEncoder"))?;
        let (deferred, promise) = env.create_deferred()?;
        let job = EncodeFrames {
            shared: Arc::clone(shared),
            generation: Arc::clone(&self.generation),
            queued_at: self.generation.load(Ordering::Acquire),
            pcm: pcm.to_vec(),
            frame: frame_samples as usize,
        };
        encode_pool::spawn(
            due,
            Box::new(move || {
                // ! A panic on an encode thread must become this batch's rejection, not a promise
                //   that never settles.
                match catch_unwind(AssertUnwindSafe(|| job.run().map(Batch::packets))) {
                    Ok(Ok((data, lengths))) => deferred.resolve(move |_env| {
                        Ok(EncodedFrames {
                            data: Uint8Array::new(data),
                            lengths,
                        })
                    }),
                    Ok(Err(err)) => deferred.reject(err),
                    Err(_) => deferred.reject(Error::new(
                        Status::GenericFailure,
                        "the encoder failed on its thread; the stream is reset",
                    )),
                }
            }),
        )?;
        Ok(promise)
    }

    #[napi(catch_unwind)]
    pub fn set_bitrate(&self, bps: i64) -> napi::Result<()> {
        self.state()?.encoder.set_bitrate(bps).map_err(map_error)
    }

    #[napi(catch_unwind)]
    pub fn set_complexity(&self, complexity: i64) -> napi::Result<()> {
        self.state()?
            .encoder
            .set_complexity(complexity)
            .map_err(map_error)
    }

    /// Caps the coded audio band (Hz): 4000, 6000, 8000, 12000 or 20000 (no cap).
    #[napi(catch_unwind)]
    pub fn set_max_bandwidth(&self, hz: u32) -> napi::Result<()> {
        self.state()?
            .encoder
            .set_max_bandwidth(hz)
            .map_err(map_error)
    }

    #[napi(catch_unwind)]
    pub fn reset(&self) -> napi::Result<()> {
        if self.shared.is_none() {
            return Err(freed("OpusEncoder"));
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Releases the codec state now rather than at the GC's finalizer (~44 KB per encoder, and
    /// thousands of toys come and go). Never waits: a batch still queued or running is made stale
    /// and drops the state when it lets go, within one frame. Later calls throw; freeing twice is
    /// a no-op.
    #[napi(catch_unwind)]
    pub fn free(&mut self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.shared = None;
    }
}

/// What a batch came to.
#[derive(Debug)]
enum Batch {
    Done(Vec<u8>, Vec<u32>),
    /// A reset (or free) made it stale after `encoded` of its frames: nothing of it is wanted.
    Stale {
        // ? Only the tests read it: they show a stale batch gives up early.
        #[cfg_attr(not(test), allow(dead_code))]
        encoded: usize,
    },
}

impl Batch {
    fn packets(self) -> (Vec<u8>, Vec<u32>) {
        match self {
            Batch::Done(data, lengths) => (data, lengths),
            Batch::Stale { .. } => (Vec::new(), Vec::new()),
        }
    }
}

pub struct EncodeFrames {
    shared: Arc<Mutex<Shared>>,
    generation: Arc<AtomicU64>,
    /// The reset generation when the batch was queued: a later reset drops the batch.
    queued_at: u64,
    pcm: Vec<i16>,
    frame: usize,
}

impl EncodeFrames {
    fn stale(&self) -> bool {
        self.generation.load(Ordering::Acquire) != self.queued_at
    }

    fn run(&self) -> napi::Result<Batch> {
        if self.stale() {
            return Ok(Batch::Stale { encoded: 0 });
        }
        if self.frame == 0 {
            return Ok(Batch::Done(Vec::new(), Vec::new()));
        }
        let mut s = lock(&self.shared, &self.generation);
        let frames = self.pcm.len() / self.frame;
        let mut data = Vec::with_capacity(frames * 200);
        let mut lengths = Vec::with_capacity(frames);
        let mut packet = [0u8; MAX_PACKET];
        for (i, pcm) in self.pcm.chunks_exact(self.frame).enumerate() {
            // ? One atomic load per frame (~20 µs of encode each): a reset, or a reset that landed
            //   while this waited for the state, frees the state for the JS thread within a frame.
            if self.stale() {
                return Ok(Batch::Stale { encoded: i });
            }
            let n = s.encoder.encode(pcm, &mut packet).map_err(map_error)?;
            data.extend_from_slice(&packet[..n]);
            lengths.push(n as u32);
        }
        Ok(Batch::Done(data, lengths))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_refuses_nan_and_infinities() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = due_from_ms(bad).unwrap_err();
            assert_eq!(err.status, Status::InvalidArg);
            assert!(err.reason.contains("finite"), "{}", err.reason);
        }
    }

    #[test]
    fn due_clamps_finite_numbers() {
        assert_eq!(due_from_ms(-5.0).unwrap(), Duration::ZERO);
        assert_eq!(due_from_ms(-0.0).unwrap(), Duration::ZERO);
        assert_eq!(due_from_ms(250.0).unwrap(), Duration::from_millis(250));
        assert_eq!(due_from_ms(0.5).unwrap(), Duration::from_micros(500));
        assert_eq!(due_from_ms(1e300).unwrap(), Duration::from_secs(60));
        assert_eq!(due_from_ms(f64::MIN).unwrap(), Duration::ZERO);
    }

    #[test]
    fn batch_with_zero_or_huge_frames_encodes_nothing() {
        for frame in [0usize, usize::MAX] {
            let job = EncodeFrames {
                shared: Arc::new(Mutex::new(Shared {
                    encoder: Encoder::new(24_000, 1, Application::Voip).unwrap(),
                    applied: 0,
                })),
                generation: Arc::new(AtomicU64::new(0)),
                queued_at: 0,
                pcm: vec![0; 2880],
                frame,
            };
            let (data, lengths) = job.run().unwrap().packets();
            assert!(data.is_empty() && lengths.is_empty());
        }
    }

    #[test]
    fn batch_of_a_frame_size_opus_refuses_is_an_error_not_a_panic() {
        let job = EncodeFrames {
            shared: Arc::new(Mutex::new(Shared {
                encoder: Encoder::new(24_000, 1, Application::Voip).unwrap(),
                applied: 0,
            })),
            generation: Arc::new(AtomicU64::new(0)),
            queued_at: 0,
            pcm: vec![0; 2000],
            frame: 1000,
        };
        assert_eq!(job.run().unwrap_err().status, Status::InvalidArg);
    }

    /// Noise, so every frame costs libopus real work (silence would be encoded almost for free).
    fn noise(samples: usize) -> Vec<i16> {
        let mut x: u32 = 0x1234_5678;
        (0..samples)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 18) as i16
            })
            .collect()
    }

    #[test]
    fn reset_frees_the_state_from_a_stale_batch_within_a_frame() {
        let mut encoder = Encoder::new(48_000, 1, Application::Audio).unwrap();
        encoder.set_complexity(10).unwrap();
        let shared = Arc::new(Mutex::new(Shared {
            encoder,
            applied: 0,
        }));
        let generation = Arc::new(AtomicU64::new(0));
        // 100 s of audio in 20 ms frames: far longer than the test takes to reset it.
        let frames = 5000;
        let job = EncodeFrames {
            shared: Arc::clone(&shared),
            generation: Arc::clone(&generation),
            queued_at: 0,
            pcm: noise(960 * frames),
            frame: 960,
        };
        let batch = std::thread::spawn(move || job.run());
        // Wait until the batch holds the state, as an answer's batch does when the child barges in.
        while shared.try_lock().is_ok() {
            assert!(
                !batch.is_finished(),
                "the batch ended before it was seen running"
            );
            std::thread::yield_now();
        }
        // The barge-in: reset, then the next answer's first frame on the JS thread.
        generation.fetch_add(1, Ordering::AcqRel);
        let mut packet = [0u8; MAX_PACKET];
        let mut s = lock(&shared, &generation);
        assert_eq!(s.applied, 1, "the next answer starts from a reset state");
        assert!(s.encoder.encode(&noise(960), &mut packet).unwrap() > 0);
        drop(s);
        match batch.join().unwrap().unwrap() {
            Batch::Stale { encoded } => assert!(
                encoded < frames,
                "the stale batch gave up the state after {encoded} of {frames} frames"
            ),
            Batch::Done(_, lengths) => panic!(
                "the stale batch encoded all {} frames while the JS thread waited",
                lengths.len()
            ),
        }
    }
}
