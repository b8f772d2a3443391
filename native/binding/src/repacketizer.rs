use napi::bindgen_prelude::Uint8ArraySlice;
use napi_derive::napi;
use teddy_core::{Push, Repacketizer};

use crate::{check_disjoint, map_error};

/// Joins consecutive Opus packets of one configuration into packets of a target
/// length (the speech API's 20 ms frames into a toy's 60 ms) without decoding.
#[napi]
pub struct OpusRepacketizer {
    inner: Repacketizer,
}

#[napi]
impl OpusRepacketizer {
    /// `targetSamples48k`: the packet length wanted in 48 kHz samples (2880 for 60 ms).
    #[napi(constructor, catch_unwind)]
    pub fn new(target_samples_48k: u32) -> napi::Result<Self> {
        let inner = Repacketizer::new(target_samples_48k).map_err(map_error)?;
        Ok(Self { inner })
    }

    /// Adds `packet`. Returns 0 while the group is short of the target, the byte
    /// length of the joined packet written to `out` once it is complete, or -1 when
    /// the packet cannot join (nothing consumed). Throws (code `InvalidArg`) on a
    /// packet libopus cannot parse.
    #[napi(catch_unwind)]
    pub fn push(&mut self, packet: &[u8], mut out: Uint8ArraySlice) -> napi::Result<i32> {
        // SAFETY: synchronous call on the JS thread; the slice does not outlive it.
        let out = unsafe { out.as_mut() };
        check_disjoint(packet, out)?;
        Ok(match self.inner.push(packet, out).map_err(map_error)? {
            Push::Pending => 0,
            Push::Ready(n) => n as i32,
            Push::Refused => -1,
        })
    }

    /// Completes a partial group with empty (DTX) frames into `out`; returns its
    /// length, 0 when nothing was pending.
    #[napi(catch_unwind)]
    pub fn pad(&mut self, mut out: Uint8ArraySlice) -> napi::Result<u32> {
        // SAFETY: as in push.
        let out = unsafe { out.as_mut() };
        Ok(self.inner.pad(out).map_err(map_error)? as u32)
    }

    /// 48 kHz samples waiting to be joined.
    #[napi(getter, js_name = "pendingSamples48k", catch_unwind)]
    pub fn pending_samples_48k(&self) -> u32 {
        self.inner.pending_48k()
    }

    #[napi(catch_unwind)]
    pub fn reset(&mut self) {
        self.inner.reset();
    }
}
