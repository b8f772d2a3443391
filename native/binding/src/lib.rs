//! napi-rs binding: one small file per exported class, each method only
//! converts arguments and calls `teddy-core`. The JS-facing shape the gateway
//! relies on is wrapped again in `gateway/src/codec/native.ts`.
//!
//! ! Nothing JS passes may abort the process (a panic across the N-API boundary does, taking every
//!   toy's session with it): inputs are checked and refused with `InvalidArg`, nothing on the JS
//!   path unwraps, and every export is `catch_unwind` so a bug still surfaces as a JS error.

mod decoder;
mod encode_pool;
mod encoder;
mod mp3_encoder;
mod ogg;
mod repacketizer;
mod resampler;
mod token;
mod vad;

use napi::{Error, Status};
use teddy_core::CodecError;

/// Core errors become JS errors whose `code` is `InvalidArg` for bad input
/// (corrupt packet, wrong frame size, bad rate) and `GenericFailure` for libopus
/// failing on its own, so the gateway can tell a bad device from a bug.
pub(crate) fn map_error(err: CodecError) -> Error {
    let status = if err.is_bad_input() {
        Status::InvalidArg
    } else {
        Status::GenericFailure
    };
    Error::new(status, err.to_string())
}

/// A call on a codec whose `free()` ran. The message starts with `FREED` so the JS wrapper (and
/// anyone reading a log) can tell a use-after-free bug from bad audio.
pub(crate) fn freed(what: &str) -> Error {
    Error::new(
        Status::GenericFailure,
        format!("FREED: this {what} was freed; make a new one"),
    )
}

/// JS may pass views of one ArrayBuffer as both input and output; Rust must not
/// hold `&[T]` and `&mut [U]` over the same bytes, so such calls are refused.
pub(crate) fn check_disjoint<T, U>(input: &[T], output: &[U]) -> napi::Result<()> {
    let (a, b) = (input.as_ptr_range(), output.as_ptr_range());
    // Compare addresses, not pointers: the two ranges have different element types.
    if (a.start as usize) < b.end as usize && (b.start as usize) < a.end as usize {
        return Err(Error::new(
            Status::InvalidArg,
            "input and output buffers overlap: pass separate buffers",
        ));
    }
    Ok(())
}
