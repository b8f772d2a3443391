use napi::bindgen_prelude::Uint8ArraySlice;
use napi_derive::napi;
use teddy_core::{Application, Encoder};

use crate::{check_disjoint, map_error};

/// Opus encoder for one stream. Encodes into the caller's Buffer/Uint8Array.
#[napi]
pub struct OpusEncoder {
    inner: Encoder,
}

#[napi]
impl OpusEncoder {
    /// `application` is `'voip'`, `'audio'` or `'lowdelay'`.
    #[napi(constructor)]
    pub fn new(sample_rate: u32, channels: u32, application: String) -> napi::Result<Self> {
        let app: Application = application.parse().map_err(map_error)?;
        let inner = Encoder::new(sample_rate, channels, app).map_err(map_error)?;
        Ok(Self { inner })
    }

    /// Encodes exactly one frame (2.5–120 ms) and returns the packet length in bytes.
    #[napi]
    pub fn encode(&mut self, pcm: &[i16], mut out: Uint8ArraySlice) -> napi::Result<u32> {
        // SAFETY: synchronous call on the JS thread; the slice does not outlive it.
        let out = unsafe { out.as_mut() };
        check_disjoint(pcm, out)?;
        let n = self.inner.encode(pcm, out).map_err(map_error)?;
        Ok(n as u32)
    }

    #[napi]
    pub fn set_bitrate(&mut self, bps: i64) -> napi::Result<()> {
        self.inner.set_bitrate(bps).map_err(map_error)
    }

    #[napi]
    pub fn set_complexity(&mut self, complexity: i64) -> napi::Result<()> {
        self.inner.set_complexity(complexity).map_err(map_error)
    }

    #[napi]
    pub fn reset(&mut self) {
        self.inner.reset();
    }
}
