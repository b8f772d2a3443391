use napi::bindgen_prelude::Int16ArraySlice;
use napi::{Error, Status};
use napi_derive::napi;
use teddy_core::{ResampleError, Resampler as CoreResampler};

use crate::check_disjoint;

/// Streaming mono int16 resampler (polyphase windowed sinc, same output as the TypeScript
/// one). Writes into the caller's Int16Array, so the per-frame path allocates nothing.
#[napi]
pub struct Resampler {
    inner: CoreResampler,
}

// Every resampler error is the caller's: a bad rate or an output buffer sized too small.
fn map_resample_error(err: ResampleError) -> Error {
    Error::new(Status::InvalidArg, err.to_string())
}

#[napi]
impl Resampler {
    #[napi(constructor, catch_unwind)]
    pub fn new(in_rate: u32, out_rate: u32) -> napi::Result<Self> {
        let inner = CoreResampler::new(in_rate, out_rate).map_err(map_resample_error)?;
        Ok(Self { inner })
    }

    /// Resamples `input` into `output` and returns the samples written. Throws (code
    /// `InvalidArg`, nothing consumed) when `output` is shorter than `maxOutput(input.length)`.
    #[napi(catch_unwind)]
    pub fn process(&mut self, input: &[i16], mut output: Int16ArraySlice) -> napi::Result<u32> {
        // SAFETY: synchronous call on the JS thread; the slice does not outlive it.
        let output = unsafe { output.as_mut() };
        check_disjoint(input, output)?;
        let n = self
            .inner
            .process_into(input, output)
            .map_err(map_resample_error)?;
        Ok(n as u32)
    }

    /// Writes the filter's tail at the end of a stream (`maxOutput(0)` is not enough; size
    /// it with `maxFlush()`), then resets.
    #[napi(catch_unwind)]
    pub fn flush(&mut self, mut output: Int16ArraySlice) -> napi::Result<u32> {
        // SAFETY: as in `process`.
        let output = unsafe { output.as_mut() };
        let n = self.inner.flush_into(output).map_err(map_resample_error)?;
        Ok(n as u32)
    }

    #[napi(catch_unwind)]
    pub fn reset(&mut self) {
        self.inner.reset();
    }

    /// Exactly how many samples the next `process` of `inputLen` samples writes.
    #[napi(catch_unwind)]
    pub fn max_output(&self, input_len: u32) -> u32 {
        self.inner.output_frames_max(input_len as usize) as u32
    }

    /// Exactly how many samples `flush` writes now.
    #[napi(catch_unwind)]
    pub fn max_flush(&self) -> u32 {
        self.inner.flush_frames() as u32
    }

    /// Output samples still held back by the filter's look-ahead (latency, not a time shift).
    #[napi(getter, catch_unwind)]
    pub fn output_delay(&self) -> u32 {
        self.inner.output_delay() as u32
    }
}
