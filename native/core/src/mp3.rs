//! MP3 encoding for toys that play MP3 (the seed firmware asks for 22.05 kHz):
//! a safe wrapper over LAME 3.100, built from source by `mp3lame-sys`.
//!
//! Mono, constant bitrate, no Xing/LAME tag (a stream has no end to seek
//! from), no ID3. One encoder is one MP3 stream: the gateway makes one per
//! answer and drops it after `flush`, or at a barge-in, so no frame of the next
//! answer ever points into the bit reservoir of bytes the toy never got.

use std::ffi::c_int;
use std::fmt;
use std::ptr::NonNull;

use mp3lame_sys as ffi;

/// Sample rates an MP3 stream can have: MPEG-1, MPEG-2 and MPEG-2.5 Layer III.
const RATES: [u32; 9] = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];
/// Bitrates (kbit/s) of MPEG-1 Layer III (32, 44.1, 48 kHz).
const KBPS_MPEG1: [u32; 14] = [
    32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
];
/// Bitrates (kbit/s) of MPEG-2 and 2.5 Layer III (8 to 24 kHz).
const KBPS_MPEG2: [u32; 14] = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
/// LAME's algorithm quality: 0 best and slowest, 9 worst. 7 is its "fast, ok
/// quality" preset; measured in bench/codec.ts.
const QUALITY: c_int = 7;
/// What `lame_encode_flush` may write at most (lame.h).
pub const MAX_FLUSH_BYTES: usize = 7200;

/// Everything that can go wrong making or running an MP3 encoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mp3Error {
    InvalidSampleRate {
        rate: u32,
    },
    InvalidBitrate {
        kbps: u32,
        rate: u32,
    },
    BufferTooSmall {
        needed: usize,
        capacity: usize,
    },
    /// More samples in one call than LAME takes (`c_int`).
    TooManySamples {
        samples: usize,
    },
    /// LAME itself failed (allocation, internal error).
    Lame {
        code: i32,
        what: &'static str,
    },
}

impl Mp3Error {
    /// True when the caller asked for something unusable; the binding maps it to `InvalidArg`.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, Mp3Error::Lame { .. })
    }
}

impl fmt::Display for Mp3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mp3Error::InvalidSampleRate { rate } => write!(
                f,
                "invalid MP3 sample rate {rate} Hz: use 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100 or 48000"
            ),
            Mp3Error::InvalidBitrate { kbps, rate } => {
                let list = if *rate >= 32_000 {
                    &KBPS_MPEG1
                } else {
                    &KBPS_MPEG2
                };
                write!(
                    f,
                    "invalid MP3 bitrate {kbps} kbit/s at {rate} Hz: use one of {list:?}"
                )
            }
            Mp3Error::BufferTooSmall { needed, capacity } => write!(
                f,
                "MP3 output buffer too small: {capacity} available, {needed} needed"
            ),
            Mp3Error::TooManySamples { samples } => {
                write!(
                    f,
                    "{samples} samples is more than one MP3 encode call takes"
                )
            }
            Mp3Error::Lame { code, what } => write!(f, "LAME error {code} while {what}"),
        }
    }
}

impl std::error::Error for Mp3Error {}

/// One mono CBR MP3 stream.
pub struct Mp3Encoder {
    gf: NonNull<ffi::lame_global_flags>,
    rate: u32,
    kbps: u32,
}

// SAFETY: the LAME state is heap memory owned by this value with no thread-local
// or shared globals; every use goes through `&mut self`.
unsafe impl Send for Mp3Encoder {}

impl Mp3Encoder {
    /// Whether `new` would accept these, without setting LAME up (1-2 ms).
    pub fn check(sample_rate: u32, kbps: u32) -> Result<(), Mp3Error> {
        if !RATES.contains(&sample_rate) {
            return Err(Mp3Error::InvalidSampleRate { rate: sample_rate });
        }
        let allowed = if sample_rate >= 32_000 {
            &KBPS_MPEG1
        } else {
            &KBPS_MPEG2
        };
        if !allowed.contains(&kbps) {
            return Err(Mp3Error::InvalidBitrate {
                kbps,
                rate: sample_rate,
            });
        }
        Ok(())
    }

    /// Samples per Layer III frame: 1152 for MPEG-1 rates, 576 (one granule) below 32 kHz.
    pub fn frame_samples_at(sample_rate: u32) -> usize {
        if sample_rate >= 32_000 { 1152 } else { 576 }
    }

    pub fn new(sample_rate: u32, kbps: u32) -> Result<Self, Mp3Error> {
        Self::check(sample_rate, kbps)?;
        // SAFETY: no arguments; null means the allocation failed.
        let gf = NonNull::new(unsafe { ffi::lame_init() }).ok_or(Mp3Error::Lame {
            code: -2,
            what: "allocating the encoder",
        })?;
        let enc = Self {
            gf,
            rate: sample_rate,
            kbps,
        };
        let p = gf.as_ptr();
        let rate = sample_rate as c_int;
        // SAFETY: `p` is a live, not yet initialised LAME state; the setters only store
        // values, which lame_init_params then checks. A null report function silences
        // LAME's messages to stderr.
        let code = unsafe {
            ffi::lame_set_errorf(p, None);
            ffi::lame_set_debugf(p, None);
            ffi::lame_set_msgf(p, None);
            ffi::lame_set_num_channels(p, 1);
            ffi::lame_set_mode(p, ffi::MPEG_mode::MONO);
            ffi::lame_set_in_samplerate(p, rate);
            ffi::lame_set_out_samplerate(p, rate);
            ffi::lame_set_VBR(p, ffi::vbr_mode::vbr_off);
            ffi::lame_set_brate(p, kbps as c_int);
            ffi::lame_set_quality(p, QUALITY);
            ffi::lame_set_bWriteVbrTag(p, 0);
            ffi::lame_init_params(p)
        };
        if code < 0 {
            return Err(Mp3Error::Lame {
                code,
                what: "setting up the encoder",
            });
        }
        Ok(enc)
    }

    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    pub fn kbps(&self) -> u32 {
        self.kbps
    }

    /// Samples per MP3 frame: 1152 (MPEG-1) or 576 (MPEG-2 and 2.5).
    pub fn frame_samples(&self) -> usize {
        // SAFETY: live, initialised state.
        unsafe { ffi::lame_get_framesize(self.gf.as_ptr()) as usize }
    }

    /// Samples of silence the decoded stream starts with (LAME's encoder delay;
    /// a decoder adds its own 529).
    pub fn delay_samples(&self) -> usize {
        // SAFETY: live, initialised state.
        unsafe { ffi::lame_get_encoder_delay(self.gf.as_ptr()).max(0) as usize }
    }

    /// Bytes `encode` may write for `samples` samples, at most (lame.h: 1.25 n + 7200).
    pub fn max_output(samples: usize) -> usize {
        samples + samples / 4 + MAX_FLUSH_BYTES
    }

    /// Encodes mono samples and writes the MP3 bytes LAME completed (often none
    /// for a short input: it buffers a frame and its look-ahead). `out` must hold
    /// `max_output(pcm.len())` bytes.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, Mp3Error> {
        let needed = Self::max_output(pcm.len());
        if out.len() < needed {
            return Err(Mp3Error::BufferTooSmall {
                needed,
                capacity: out.len(),
            });
        }
        let n = c_int::try_from(pcm.len())
            .map_err(|_| Mp3Error::TooManySamples { samples: pcm.len() })?;
        let cap = c_int::try_from(out.len()).unwrap_or(c_int::MAX);
        // SAFETY: `pcm` holds `n` samples (mono: LAME reads only the left pointer);
        // `out` has `cap` writable bytes.
        let written = unsafe {
            ffi::lame_encode_buffer(
                self.gf.as_ptr(),
                pcm.as_ptr(),
                pcm.as_ptr(),
                n,
                out.as_mut_ptr(),
                cap,
            )
        };
        lame_result(written, "encoding")
    }

    /// Ends the stream: encodes what is buffered, pads the last frame, and writes
    /// the remaining frames. `out` must hold `MAX_FLUSH_BYTES`. The encoder is
    /// then done; make a new one for the next stream.
    pub fn flush(&mut self, out: &mut [u8]) -> Result<usize, Mp3Error> {
        if out.len() < MAX_FLUSH_BYTES {
            return Err(Mp3Error::BufferTooSmall {
                needed: MAX_FLUSH_BYTES,
                capacity: out.len(),
            });
        }
        let cap = c_int::try_from(out.len()).unwrap_or(c_int::MAX);
        // SAFETY: `out` has `cap` writable bytes.
        let written = unsafe { ffi::lame_encode_flush(self.gf.as_ptr(), out.as_mut_ptr(), cap) };
        lame_result(written, "flushing")
    }
}

impl Drop for Mp3Encoder {
    fn drop(&mut self) {
        // SAFETY: created by lame_init and closed exactly once.
        unsafe { ffi::lame_close(self.gf.as_ptr()) };
    }
}

fn lame_result(code: c_int, what: &'static str) -> Result<usize, Mp3Error> {
    match code {
        n if n >= 0 => Ok(n as usize),
        // ? -1 is "mp3buf too small": the size was checked above, so it cannot be the caller's.
        code => Err(Mp3Error::Lame { code, what }),
    }
}
