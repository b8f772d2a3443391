use napi::bindgen_prelude::Int16ArraySlice;
use napi_derive::napi;
use teddy_core::Decoder;

use crate::{check_disjoint, freed, map_error};

/// Opus decoder for one stream. Decodes into the caller's Int16Array, so the
/// per-packet path allocates nothing.
#[napi]
pub struct OpusDecoder {
    /// `None` once `free()` ran.
    inner: Option<Decoder>,
}

#[napi]
impl OpusDecoder {
    #[napi(constructor, catch_unwind)]
    pub fn new(sample_rate: u32, channels: u32) -> napi::Result<Self> {
        let inner = Decoder::new(sample_rate, channels).map_err(map_error)?;
        Ok(Self { inner: Some(inner) })
    }

    /// Decodes one packet into `out` and returns samples per channel written.
    /// `null`/`undefined` conceals a lost packet over all of `out`.
    /// Throws (code `InvalidArg`) on a corrupt packet; the decoder stays usable.
    #[napi(catch_unwind)]
    pub fn decode(&mut self, packet: Option<&[u8]>, mut out: Int16ArraySlice) -> napi::Result<u32> {
        // SAFETY: this call is synchronous on the JS thread, so no JS code touches
        // `out` while the slice lives, and the slice does not outlive the call.
        let out = unsafe { out.as_mut() };
        if let Some(p) = packet {
            check_disjoint(p, out)?;
        }
        let inner = self.inner.as_mut().ok_or_else(|| freed("OpusDecoder"))?;
        let n = inner.decode(packet, out).map_err(map_error)?;
        Ok(n as u32)
    }

    #[napi(catch_unwind)]
    pub fn reset(&mut self) -> napi::Result<()> {
        self.inner
            .as_mut()
            .ok_or_else(|| freed("OpusDecoder"))?
            .reset();
        Ok(())
    }

    /// Releases the codec state now rather than at the GC's finalizer. Later calls throw; freeing
    /// twice is a no-op.
    #[napi(catch_unwind)]
    pub fn free(&mut self) {
        self.inner = None;
    }
}
