use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{Object, Uint8Array};
use napi::{Env, Error, Status};
use napi_derive::napi;
use teddy_core::mp3::MAX_FLUSH_BYTES;
use teddy_core::{Mp3Encoder as CoreMp3, Mp3Error};

use crate::encode_pool;
use crate::encoder::due_from_ms;

fn map_mp3_error(err: Mp3Error) -> Error {
    let status = if err.is_bad_input() {
        Status::InvalidArg
    } else {
        Status::GenericFailure
    };
    Error::new(status, err.to_string())
}

/// The stream being encoded, if one is open, and the reset generation it belongs to.
struct Stream {
    lame: Option<CoreMp3>,
    generation: u64,
}

/// One toy's MP3 answers. LAME costs about as much per 60 ms as an Opus encode
/// and 1-2 ms to set up (bench/codec.ts), so all of it runs on the encode threads:
/// each answer is a new MP3 stream, made by its first `encode` there, ended by
/// `flush`. `reset()` (barge-in) never waits: work queued before it comes back
/// empty and the stream is dropped.
///
/// ! Calls must not overlap: await each before the next, or the encode threads
///   may run them out of order.
#[napi]
pub struct Mp3Encoder {
    rate: u32,
    kbps: u32,
    stream: Arc<Mutex<Stream>>,
    generation: Arc<AtomicU64>,
}

#[napi]
impl Mp3Encoder {
    /// Mono CBR: `sampleRate` 8000..48000 (an MP3 rate), `kbps` a Layer III bitrate for it.
    #[napi(constructor, catch_unwind)]
    pub fn new(sample_rate: u32, kbps: u32) -> napi::Result<Self> {
        CoreMp3::check(sample_rate, kbps).map_err(map_mp3_error)?;
        Ok(Self {
            rate: sample_rate,
            kbps,
            stream: Arc::new(Mutex::new(Stream {
                lame: None,
                generation: 0,
            })),
            generation: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Samples per MP3 frame at this rate (576 below 32 kHz, else 1152).
    #[napi(getter, catch_unwind)]
    pub fn frame_samples(&self) -> u32 {
        CoreMp3::frame_samples_at(self.rate) as u32
    }

    /// Encodes `pcm` (copied before this returns) on an encode thread; resolves with
    /// the MP3 bytes LAME completed, which may end inside a frame.
    #[napi(ts_return_type = "Promise<Uint8Array>", catch_unwind)]
    pub fn encode<'env>(
        &self,
        env: &'env Env,
        pcm: &[i16],
        due_ms: f64,
    ) -> napi::Result<Object<'env>> {
        self.spawn(env, Some(pcm.to_vec()), due_ms)
    }

    /// Ends the stream on an encode thread: resolves with its last bytes (the last
    /// frame padded). The next `encode` starts a new stream.
    #[napi(ts_return_type = "Promise<Uint8Array>", catch_unwind)]
    pub fn flush<'env>(&self, env: &'env Env, due_ms: f64) -> napi::Result<Object<'env>> {
        self.spawn(env, None, due_ms)
    }

    /// Drops the stream: queued work resolves empty, the next `encode` starts anew.
    #[napi(catch_unwind)]
    pub fn reset(&self) {
        let now = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        // Free LAME's state now if no encode thread holds it (an idle toy keeps none); if one
        // does, the next job drops it. Never waits.
        if let Ok(mut s) = self.stream.try_lock() {
            s.lame = None;
            s.generation = now;
        }
    }
}

impl Mp3Encoder {
    fn spawn<'env>(
        &self,
        env: &'env Env,
        pcm: Option<Vec<i16>>,
        due_ms: f64,
    ) -> napi::Result<Object<'env>> {
        // ! Before the deferred: an error after it would leave a promise that never settles, and
        //   its pending deferred keeps the process alive.
        let due = due_from_ms(due_ms)?;
        let (deferred, promise) = env.create_deferred()?;
        let job = Job {
            rate: self.rate,
            kbps: self.kbps,
            stream: Arc::clone(&self.stream),
            generation: Arc::clone(&self.generation),
            queued_at: self.generation.load(Ordering::Acquire),
            pcm,
        };
        encode_pool::spawn(
            due,
            Box::new(move || {
                // ! A panic on an encode thread must become this call's rejection, not a promise
                //   that never settles.
                match catch_unwind(AssertUnwindSafe(|| job.run())) {
                    Ok(Ok(bytes)) => deferred.resolve(move |_env| Ok(Uint8Array::new(bytes))),
                    Ok(Err(err)) => deferred.reject(err),
                    Err(_) => deferred.reject(Error::new(
                        Status::GenericFailure,
                        "the MP3 encoder failed on its thread; the stream is reset",
                    )),
                }
            }),
        )?;
        Ok(promise)
    }
}

struct Job {
    rate: u32,
    kbps: u32,
    stream: Arc<Mutex<Stream>>,
    generation: Arc<AtomicU64>,
    queued_at: u64,
    /// Samples to encode, or None to end the stream.
    pcm: Option<Vec<i16>>,
}

impl Job {
    fn run(self) -> napi::Result<Vec<u8>> {
        // A panic inside LAME cannot poison anything we rely on: the stream is dropped below.
        let mut s = self.stream.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.generation.load(Ordering::Acquire);
        if s.generation != now {
            s.lame = None;
            s.generation = now;
        }
        if self.queued_at != now {
            return Ok(Vec::new());
        }
        match self.pcm {
            Some(pcm) => {
                if s.lame.is_none() {
                    s.lame = Some(CoreMp3::new(self.rate, self.kbps).map_err(map_mp3_error)?);
                }
                let lame = s.lame.as_mut().expect("made above");
                let mut out = vec![0u8; CoreMp3::max_output(pcm.len())];
                let n = lame.encode(&pcm, &mut out).map_err(map_mp3_error)?;
                out.truncate(n);
                Ok(out)
            }
            None => {
                let Some(mut lame) = s.lame.take() else {
                    return Ok(Vec::new());
                };
                let mut out = vec![0u8; MAX_FLUSH_BYTES];
                let n = lame.flush(&mut out).map_err(map_mp3_error)?;
                out.truncate(n);
                Ok(out)
            }
        }
    }
}
