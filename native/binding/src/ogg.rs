use std::hash::{BuildHasher, Hasher};

use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi::{Error, Status};
use napi_derive::napi;
use teddy_core::{OggError, OggOpusReader, ogg};

fn map_ogg_error(err: OggError) -> Error {
    let status = if err.is_bad_input() {
        Status::InvalidArg
    } else {
        Status::GenericFailure
    };
    Error::new(status, err.to_string())
}

/// RFC 3533 wants a random serial per stream so files can be chained; the
/// std hasher's per-process random keys are random enough for that.
// ? napi-derive registers free functions only outside `cfg(test)`, so the
//   lib test build would call these dead.
#[cfg_attr(test, allow(dead_code))]
fn random_serial() -> u32 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    h.finish() as u32
}

/// Muxes mono Opus packets, each lasting `frameSamples48k` samples at 48 kHz
/// (2880 for 60 ms), into one Ogg Opus file. `inputSampleRate` is recorded in
/// OpusHead for players; it does not change the audio.
#[napi(catch_unwind)]
#[cfg_attr(test, allow(dead_code))]
pub fn mux_ogg_opus(
    packets: Vec<Uint8Array>,
    frame_samples_48k: u32,
    input_sample_rate: u32,
) -> napi::Result<Buffer> {
    let refs: Vec<&[u8]> = packets.iter().map(|p| p.as_ref()).collect();
    let file = ogg::mux(
        &refs,
        frame_samples_48k.into(),
        input_sample_rate,
        1,
        random_serial(),
    )
    .map_err(map_ogg_error)?;
    Ok(file.into())
}

/// Incremental Ogg Opus demuxer: push bytes as they arrive, get back the audio
/// packets their pages completed. Throws (code `InvalidArg`) on a stream that
/// is not Ogg Opus or is corrupt, and keeps throwing after that.
#[napi]
pub struct OggOpusDemuxer {
    inner: OggOpusReader,
}

#[napi]
impl OggOpusDemuxer {
    #[napi(constructor, catch_unwind)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            inner: OggOpusReader::new(),
        }
    }

    /// Returns the complete audio packets (headers are consumed, not returned).
    #[napi(catch_unwind)]
    pub fn push(&mut self, bytes: &[u8]) -> napi::Result<Vec<Uint8Array>> {
        self.inner.push(bytes).map_err(map_ogg_error)?;
        Ok(self.inner.packets().map(Uint8Array::from).collect())
    }

    /// Throws if the input stopped inside a page or packet or before the headers.
    #[napi(catch_unwind)]
    pub fn end(&self) -> napi::Result<()> {
        self.inner.finish().map_err(map_ogg_error)
    }

    /// The input sample rate from OpusHead, once it has arrived (0 = unknown).
    #[napi(getter, catch_unwind)]
    pub fn sample_rate(&self) -> Option<u32> {
        self.inner.head().map(|h| h.input_sample_rate)
    }
}
