//! Safe wrappers over libopus (statically built by `opusic-sys`).
//!
//! Every buffer is the caller's, so the per-frame path never allocates.
//! Inputs are checked before they reach C so that bad frames and packets come
//! back as `CodecError` with a useful message instead of a bare libopus code.

use std::ffi::{CStr, c_int};
use std::ptr::NonNull;
use std::str::FromStr;

use opusic_sys as ffi;

use crate::error::CodecError;

/// What the encoder tunes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Application {
    /// Speech (the toys' microphone and TTS).
    Voip,
    /// Music or mixed content.
    Audio,
    /// Lowest algorithmic delay; no speech-specific modes.
    LowDelay,
}

impl Application {
    fn raw(self) -> c_int {
        match self {
            Application::Voip => ffi::OPUS_APPLICATION_VOIP,
            Application::Audio => ffi::OPUS_APPLICATION_AUDIO,
            Application::LowDelay => ffi::OPUS_APPLICATION_RESTRICTED_LOWDELAY,
        }
    }
}

impl FromStr for Application {
    type Err = CodecError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "voip" => Ok(Application::Voip),
            "audio" => Ok(Application::Audio),
            "lowdelay" => Ok(Application::LowDelay),
            _ => Err(CodecError::InvalidApplication {
                name: name.to_owned(),
            }),
        }
    }
}

/// Opus decoder state for one stream (one device's uplink).
pub struct Decoder {
    state: NonNull<ffi::OpusDecoder>,
    rate: u32,
    channels: usize,
}

// SAFETY: the libopus state is plain heap memory owned by this value, with no
// thread-local or shared globals; every use goes through `&mut self`.
unsafe impl Send for Decoder {}

impl Decoder {
    pub fn new(sample_rate: u32, channels: u32) -> Result<Self, CodecError> {
        let (rate, channels) = check_format(sample_rate, channels)?;
        let mut err: c_int = ffi::OPUS_OK;
        // SAFETY: arguments validated above; `err` is a valid out-pointer.
        let raw = unsafe { ffi::opus_decoder_create(rate as i32, channels as c_int, &mut err) };
        let state = NonNull::new(raw).ok_or_else(|| libopus_error(err))?;
        Ok(Self {
            state,
            rate,
            channels,
        })
    }

    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Decodes `packet` into `out` (interleaved when stereo) and returns the samples
    /// per channel written. `None` conceals a lost packet and fills all of `out`,
    /// whose length must then be a multiple of 2.5 ms.
    pub fn decode(&mut self, packet: Option<&[u8]>, out: &mut [i16]) -> Result<usize, CodecError> {
        let frame = out.len() / self.channels;
        let (data, len) = match packet {
            // libopus treats an empty packet as "lost"; make that explicit with `None`
            // so an empty frame from a device is reported rather than concealed.
            Some([]) => return Err(CodecError::CorruptPacket),
            Some(p) => (
                p.as_ptr(),
                i32::try_from(p.len()).map_err(|_| CodecError::CorruptPacket)?,
            ),
            None => {
                let unit = (self.rate / 400) as usize;
                if frame == 0
                    || !frame.is_multiple_of(unit)
                    || !out.len().is_multiple_of(self.channels)
                {
                    return Err(CodecError::InvalidFrameSize {
                        samples: frame,
                        rate: self.rate,
                    });
                }
                (std::ptr::null(), 0)
            }
        };
        if frame == 0 {
            return Err(CodecError::BufferTooSmall {
                needed: None,
                capacity: 0,
            });
        }
        let frame_arg = c_int::try_from(frame).unwrap_or(c_int::MAX);
        // SAFETY: `data` is null (with len 0) or points to `len` readable bytes;
        // `out` holds at least `frame * channels` samples.
        let n = unsafe {
            ffi::opus_decode(
                self.state.as_ptr(),
                data,
                len,
                out.as_mut_ptr(),
                frame_arg,
                0,
            )
        };
        match n {
            n if n >= 0 => Ok(n as usize),
            ffi::OPUS_INVALID_PACKET => Err(CodecError::CorruptPacket),
            ffi::OPUS_BUFFER_TOO_SMALL => Err(CodecError::BufferTooSmall {
                needed: packet
                    .and_then(|p| self.samples_in(p))
                    .map(|s| s * self.channels),
                capacity: out.len(),
            }),
            // BAD_ARG with a validated state and buffer means libopus disliked the packet.
            ffi::OPUS_BAD_ARG if packet.is_some() => Err(CodecError::CorruptPacket),
            code => Err(libopus_error(code)),
        }
    }

    /// Samples per channel in `packet`, if libopus can parse its header. Only used
    /// to make the "buffer too small" message say how big the buffer must be.
    fn samples_in(&self, packet: &[u8]) -> Option<usize> {
        let len = i32::try_from(packet.len()).ok()?;
        // SAFETY: `packet` is `len` readable bytes; the state is live.
        let n =
            unsafe { ffi::opus_decoder_get_nb_samples(self.state.as_ptr(), packet.as_ptr(), len) };
        usize::try_from(n).ok()
    }

    /// Forgets all history (use between unrelated streams or after a long gap).
    pub fn reset(&mut self) {
        // SAFETY: OPUS_RESET_STATE takes no argument and cannot fail on a live state.
        unsafe { ffi::opus_decoder_ctl(self.state.as_ptr(), ffi::OPUS_RESET_STATE) };
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: created by opus_decoder_create and destroyed exactly once.
        unsafe { ffi::opus_decoder_destroy(self.state.as_ptr()) }
    }
}

/// Opus encoder state for one stream (one device's downlink).
pub struct Encoder {
    state: NonNull<ffi::OpusEncoder>,
    rate: u32,
    channels: usize,
}

// SAFETY: as for `Decoder`: owned heap state, used only through `&mut self`.
unsafe impl Send for Encoder {}

impl Encoder {
    pub fn new(
        sample_rate: u32,
        channels: u32,
        application: Application,
    ) -> Result<Self, CodecError> {
        let (rate, channels) = check_format(sample_rate, channels)?;
        let mut err: c_int = ffi::OPUS_OK;
        // SAFETY: arguments validated above; `err` is a valid out-pointer.
        let raw = unsafe {
            ffi::opus_encoder_create(rate as i32, channels as c_int, application.raw(), &mut err)
        };
        let state = NonNull::new(raw).ok_or_else(|| libopus_error(err))?;
        Ok(Self {
            state,
            rate,
            channels,
        })
    }

    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Encodes exactly one frame (`pcm.len() / channels` must be a legal Opus frame
    /// size) into `out` and returns the packet length in bytes.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
        let frame = pcm.len() / self.channels;
        if !pcm.len().is_multiple_of(self.channels) || !is_frame_size(frame, self.rate) {
            return Err(CodecError::InvalidFrameSize {
                samples: frame,
                rate: self.rate,
            });
        }
        if out.is_empty() {
            return Err(CodecError::BufferTooSmall {
                needed: None,
                capacity: 0,
            });
        }
        // libopus takes an i32 capacity; a larger buffer is only partly usable, which is fine.
        let cap = i32::try_from(out.len()).unwrap_or(i32::MAX);
        // SAFETY: `pcm` holds `frame * channels` samples; `out` has at least `cap` bytes.
        let n = unsafe {
            ffi::opus_encode(
                self.state.as_ptr(),
                pcm.as_ptr(),
                frame as c_int,
                out.as_mut_ptr(),
                cap,
            )
        };
        match n {
            n if n >= 0 => Ok(n as usize),
            ffi::OPUS_BUFFER_TOO_SMALL => Err(CodecError::BufferTooSmall {
                needed: None,
                capacity: out.len(),
            }),
            code => Err(libopus_error(code)),
        }
    }

    /// Target bitrate in bit/s (500..=512000).
    pub fn set_bitrate(&mut self, bps: i64) -> Result<(), CodecError> {
        if !(500..=512_000).contains(&bps) {
            return Err(CodecError::InvalidBitrate { bps });
        }
        self.ctl(ffi::OPUS_SET_BITRATE_REQUEST, bps as i32)
    }

    /// CPU/quality trade-off, 0 (cheapest) ..= 10 (best).
    pub fn set_complexity(&mut self, complexity: i64) -> Result<(), CodecError> {
        if !(0..=10).contains(&complexity) {
            return Err(CodecError::InvalidComplexity { complexity });
        }
        self.ctl(ffi::OPUS_SET_COMPLEXITY_REQUEST, complexity as i32)
    }

    /// Caps the audio band the encoder codes, in Hz of audio bandwidth: 4000 (narrowband), 6000,
    /// 8000 (wideband), 12000 or 20000 (fullband, no cap). Below 12 kHz, Opus codes speech with
    /// SILK alone, which costs a fraction of the hybrid mode it picks on its own at 24 kbit/s.
    pub fn set_max_bandwidth(&mut self, hz: u32) -> Result<(), CodecError> {
        let band = match hz {
            4000 => ffi::OPUS_BANDWIDTH_NARROWBAND,
            6000 => ffi::OPUS_BANDWIDTH_MEDIUMBAND,
            8000 => ffi::OPUS_BANDWIDTH_WIDEBAND,
            12000 => ffi::OPUS_BANDWIDTH_SUPERWIDEBAND,
            20000 => ffi::OPUS_BANDWIDTH_FULLBAND,
            _ => return Err(CodecError::InvalidBandwidth { hz }),
        };
        self.ctl(ffi::OPUS_SET_MAX_BANDWIDTH_REQUEST, band)
    }

    /// Forgets all history but keeps settings (bitrate, complexity).
    pub fn reset(&mut self) {
        // SAFETY: OPUS_RESET_STATE takes no argument and cannot fail on a live state.
        unsafe { ffi::opus_encoder_ctl(self.state.as_ptr(), ffi::OPUS_RESET_STATE) };
    }

    fn ctl(&mut self, request: c_int, value: i32) -> Result<(), CodecError> {
        // SAFETY: every request passed here takes one opus_int32 argument.
        let code = unsafe { ffi::opus_encoder_ctl(self.state.as_ptr(), request, value) };
        if code == ffi::OPUS_OK {
            Ok(())
        } else {
            Err(libopus_error(code))
        }
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: created by opus_encoder_create and destroyed exactly once.
        unsafe { ffi::opus_encoder_destroy(self.state.as_ptr()) }
    }
}

fn check_format(sample_rate: u32, channels: u32) -> Result<(u32, usize), CodecError> {
    if !matches!(sample_rate, 8000 | 12000 | 16000 | 24000 | 48000) {
        return Err(CodecError::InvalidSampleRate {
            rate: sample_rate.into(),
        });
    }
    if !matches!(channels, 1 | 2) {
        return Err(CodecError::InvalidChannels {
            channels: channels.into(),
        });
    }
    Ok((sample_rate, channels as usize))
}

/// Legal Opus frames: 2.5, 5, 10, 20, 40, 60, 80, 100, 120 ms.
fn is_frame_size(samples: usize, rate: u32) -> bool {
    let unit = (rate / 400) as usize; // 2.5 ms
    samples > 0
        && samples.is_multiple_of(unit)
        && matches!(samples / unit, 1 | 2 | 4 | 8 | 16 | 24 | 32 | 40 | 48)
}

fn libopus_error(code: c_int) -> CodecError {
    // SAFETY: opus_strerror returns a pointer to a static NUL-terminated string for any code.
    let message = unsafe { CStr::from_ptr(ffi::opus_strerror(code)) }
        .to_string_lossy()
        .into_owned();
    CodecError::Libopus { code, message }
}
