//! Pure-Rust core of the Teddy gateway's native module.
//!
//! No napi types live here so the logic is testable with plain `cargo test`
//! and reusable from other hosts (benchmarks, fuzz targets). The napi binding
//! in `../binding` only converts arguments and calls into this crate.

pub mod error;
pub mod mp3;
pub mod ogg;
mod ogg_reader;
pub mod opus;
pub mod repacketize;
pub mod resample;
pub mod token;
pub mod vad;

pub use error::CodecError;
pub use mp3::{Mp3Encoder, Mp3Error};
pub use ogg::{OggError, OggOpusReader, OggOpusWriter, OpusHead};
pub use opus::{Application, Decoder, Encoder};
pub use repacketize::{Push, Repacketizer};
pub use resample::{ResampleError, Resampler};
pub use token::{InvalidSecret, TokenVerifier, Verified};
pub use vad::{TurnDetector, VadError, VadEvent, VadOptions};
