//! Error types shared by the codec wrappers.
//!
//! Messages are written for the person reading a gateway log: they say what
//! was wrong and what would have been accepted.

use std::fmt;

/// Everything that can go wrong in the Opus wrappers. Bad input from callers or
/// devices is reported, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// Opus only runs at these five rates; anything else must be resampled first.
    InvalidSampleRate { rate: i64 },
    /// Only mono and stereo exist in plain (non-multistream) Opus.
    InvalidChannels { channels: i64 },
    /// A PCM buffer whose length is not a legal Opus frame at `rate`.
    InvalidFrameSize { samples: usize, rate: u32 },
    /// The output buffer cannot hold the result.
    BufferTooSmall {
        needed: Option<usize>,
        capacity: usize,
    },
    /// libopus rejected the packet (bad TOC, bad length, truncated, empty).
    CorruptPacket,
    /// `application` is not one of `voip`, `audio`, `lowdelay`.
    InvalidApplication { name: String },
    /// Bitrate outside what libopus accepts.
    InvalidBitrate { bps: i64 },
    /// Complexity outside 0..=10.
    InvalidComplexity { complexity: i64 },
    /// An audio bandwidth Opus does not code (4, 6, 8, 12 or 20 kHz).
    InvalidBandwidth { hz: u32 },
    /// Any other libopus failure (internal error, allocation failure).
    Libopus { code: i32, message: String },
}

impl CodecError {
    /// True when the caller (or the device) sent something unusable, as opposed
    /// to libopus failing on its own. The binding maps this to `InvalidArg`.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, CodecError::Libopus { .. })
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::InvalidSampleRate { rate } => write!(
                f,
                "invalid Opus sample rate {rate} Hz: use 8000, 12000, 16000, 24000 or 48000 (resample other rates first)"
            ),
            CodecError::InvalidChannels { channels } => {
                write!(
                    f,
                    "invalid channel count {channels}: Opus supports 1 (mono) or 2 (stereo)"
                )
            }
            CodecError::InvalidFrameSize { samples, rate } => write!(
                f,
                "invalid Opus frame of {samples} samples per channel at {rate} Hz: a frame lasts 2.5, 5, 10, 20, 40, 60, 80, 100 or 120 ms ({} samples for 20 ms); concealment takes any multiple of 2.5 ms",
                rate / 50
            ),
            CodecError::BufferTooSmall {
                needed: Some(n),
                capacity,
            } => write!(
                f,
                "output buffer too small: {capacity} available, {n} needed"
            ),
            CodecError::BufferTooSmall {
                needed: None,
                capacity,
            } => {
                write!(f, "output buffer too small: {capacity} available")
            }
            CodecError::CorruptPacket => {
                write!(f, "corrupt Opus packet: libopus could not parse it")
            }
            CodecError::InvalidApplication { name } => write!(
                f,
                "invalid Opus application '{name}': use 'voip', 'audio' or 'lowdelay'"
            ),
            CodecError::InvalidBitrate { bps } => {
                write!(f, "invalid Opus bitrate {bps} bit/s: use 500..=512000")
            }
            CodecError::InvalidComplexity { complexity } => {
                write!(f, "invalid Opus complexity {complexity}: use 0..=10")
            }
            CodecError::InvalidBandwidth { hz } => write!(
                f,
                "invalid Opus bandwidth {hz} Hz: use 4000, 6000, 8000, 12000 or 20000"
            ),
            CodecError::Libopus { code, message } => write!(f, "libopus error {code}: {message}"),
        }
    }
}

impl std::error::Error for CodecError {}
