//! Opus repacketizing (RFC 6716 §3.2): consecutive packets of one TOC
//! configuration (mode, bandwidth, frame size, channels) joined into packets of
//! a target duration without decoding them. The speech API sends 20 ms frames,
//! a toy wants 60 ms packets: three frames become one code-3 packet, and the
//! encode a transcode would cost (DESIGN.md: downlink encode dominates) is gone.
//!
//! libopus' own repacketizer does the framing. It keeps pointers into the
//! packets it is given, so each packet is copied into a buffer owned here and
//! the group is handed to libopus only when it is complete, while that buffer
//! cannot move. Padding (and the extensions libopus 1.5+ carries in it) is
//! dropped on the way in: a toy's decoder uses neither, and the TypeScript twin
//! in `gateway/src/codec/opus-repacketizer.ts` must give the same bytes.

use std::ffi::c_int;
use std::ptr::NonNull;

use opusic_sys as ffi;

use crate::error::CodecError;

/// 2.5 ms at 48 kHz: the shortest Opus frame, and the unit of every duration.
const UNIT_48K: u32 = 120;
/// 120 ms at 48 kHz: the longest Opus packet (RFC 6716 §3.2.5).
const MAX_48K: u32 = 5760;

/// What became of a pushed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// It joined the group, which is not yet the target's length.
    Pending,
    /// It completed the group: the packet of `n` bytes in `out` lasts the target.
    Ready(usize),
    /// It cannot join (another configuration, a frame length that does not
    /// divide the target, or too long for what is left): nothing was consumed,
    /// the group is as it was. The caller decides, e.g. decodes from here on.
    Refused,
}

/// Groups packets into packets of `target` 48 kHz samples.
pub struct Repacketizer {
    rp: NonNull<ffi::OpusRepacketizer>,
    target: u32,
    /// The group's packets, unpadded, back to back.
    data: Vec<u8>,
    lens: Vec<usize>,
    /// The group's TOC byte with the frame-count code cleared.
    toc: u8,
    /// Samples (48 kHz) of one frame of the group's configuration.
    frame: u32,
    samples: u32,
    frames: usize,
}

// SAFETY: the libopus state is plain heap memory owned by this value; every use goes
// through `&mut self`, and it only ever points into `data` during `emit`.
unsafe impl Send for Repacketizer {}

impl Repacketizer {
    /// `target_48k`: the packet length wanted, in 48 kHz samples (2880 for 60 ms);
    /// a multiple of 2.5 ms up to 120 ms.
    pub fn new(target_48k: u32) -> Result<Self, CodecError> {
        if target_48k == 0 || target_48k > MAX_48K || !target_48k.is_multiple_of(UNIT_48K) {
            return Err(CodecError::InvalidFrameSize {
                samples: target_48k as usize,
                rate: 48_000,
            });
        }
        // SAFETY: no arguments; a null return means the allocation failed.
        let raw = unsafe { ffi::opus_repacketizer_create() };
        let rp = NonNull::new(raw).ok_or(CodecError::Libopus {
            code: ffi::OPUS_ALLOC_FAIL,
            message: "cannot allocate an Opus repacketizer".into(),
        })?;
        Ok(Self {
            rp,
            target: target_48k,
            data: Vec::with_capacity(1024),
            lens: Vec::with_capacity(8),
            toc: 0,
            frame: 0,
            samples: 0,
            frames: 0,
        })
    }

    pub fn target_48k(&self) -> u32 {
        self.target
    }

    /// 48 kHz samples waiting in the group (0 when it is empty).
    pub fn pending_48k(&self) -> u32 {
        self.samples
    }

    /// Adds `packet` to the group. When that completes it, the joined packet is
    /// written to `out`. A packet libopus cannot parse is `CorruptPacket`.
    pub fn push(&mut self, packet: &[u8], out: &mut [u8]) -> Result<Push, CodecError> {
        let start = self.data.len();
        self.data.extend_from_slice(packet);
        let info = match unpad(&mut self.data[start..]) {
            Ok(info) => info,
            Err(e) => {
                self.data.truncate(start);
                return Err(e);
            }
        };
        let fits = (self.samples == 0 || info.toc == self.toc)
            && self.target.is_multiple_of(info.frame)
            && self.samples + info.samples <= self.target
            && bound(start + info.len, self.frames + info.frames) <= out.len();
        if !fits {
            self.data.truncate(start);
            return Ok(Push::Refused);
        }
        self.data.truncate(start + info.len);
        self.lens.push(info.len);
        self.toc = info.toc;
        self.frame = info.frame;
        self.samples += info.samples;
        self.frames += info.frames;
        if self.samples < self.target {
            return Ok(Push::Pending);
        }
        self.emit(out).map(Push::Ready)
    }

    /// Completes a partial group with empty frames of its configuration (RFC 6716
    /// §3.2.1: a zero-length frame is DTX, which a decoder conceals) and writes
    /// it to `out`. Returns 0 when nothing was pending.
    pub fn pad(&mut self, out: &mut [u8]) -> Result<usize, CodecError> {
        if self.samples == 0 {
            return Ok(0);
        }
        while self.samples < self.target {
            // A TOC byte alone: code 0, one frame of zero bytes.
            self.data.push(self.toc);
            self.lens.push(1);
            self.samples += self.frame;
            self.frames += 1;
        }
        self.emit(out)
    }

    /// Drops the group (barge-in, end of a stream).
    pub fn reset(&mut self) {
        self.data.clear();
        self.lens.clear();
        self.samples = 0;
        self.frames = 0;
    }

    fn emit(&mut self, out: &mut [u8]) -> Result<usize, CodecError> {
        let needed = bound(self.data.len(), self.frames);
        let rp = self.rp.as_ptr();
        // SAFETY: `rp` is live; init only clears its frame count.
        unsafe { ffi::opus_repacketizer_init(rp) };
        let mut at = 0;
        let mut result = Ok(());
        for &len in &self.lens {
            let p = &self.data[at..at + len];
            at += len;
            // SAFETY: `p` is `len` readable bytes of `self.data`, which is not touched
            // until `opus_repacketizer_out` below has copied every frame out of it.
            let code = unsafe { ffi::opus_repacketizer_cat(rp, p.as_ptr(), len as i32) };
            if code != ffi::OPUS_OK {
                result = Err(libopus(code));
                break;
            }
        }
        let cap = c_int::try_from(out.len()).unwrap_or(c_int::MAX);
        let n = result.and_then(|()| {
            // SAFETY: `out` has `cap` writable bytes; the frames point into `self.data`.
            match unsafe { ffi::opus_repacketizer_out(rp, out.as_mut_ptr(), cap) } {
                n if n > 0 => Ok(n as usize),
                ffi::OPUS_BUFFER_TOO_SMALL => Err(CodecError::BufferTooSmall {
                    needed: Some(needed),
                    capacity: out.len(),
                }),
                code => Err(libopus(code)),
            }
        });
        self.reset();
        n
    }
}

impl Drop for Repacketizer {
    fn drop(&mut self) {
        // SAFETY: created by opus_repacketizer_create and destroyed exactly once.
        unsafe { ffi::opus_repacketizer_destroy(self.rp.as_ptr()) }
    }
}

/// The most a group of `bytes` (its packets, TOC bytes included) and `frames`
/// frames can take once joined: TOC and count bytes, and a two-byte length for
/// every frame but the last.
fn bound(bytes: usize, frames: usize) -> usize {
    bytes + 2 + 2 * frames.saturating_sub(1)
}

struct PacketInfo {
    /// Length once unpadded.
    len: usize,
    toc: u8,
    frame: u32,
    frames: usize,
    samples: u32,
}

/// Drops the padding of the packet in `buf` in place and reads its header.
fn unpad(buf: &mut [u8]) -> Result<PacketInfo, CodecError> {
    if buf.is_empty() {
        return Err(CodecError::CorruptPacket);
    }
    let len = i32::try_from(buf.len()).map_err(|_| CodecError::CorruptPacket)?;
    // SAFETY: `buf` is `len` writable bytes; unpad rewrites it in place, never longer.
    let n = unsafe { ffi::opus_packet_unpad(buf.as_mut_ptr(), len) };
    if n <= 0 {
        return Err(CodecError::CorruptPacket);
    }
    // SAFETY: `buf` holds the `n`-byte unpadded packet that libopus just parsed.
    let (frames, per_frame) = unsafe {
        (
            ffi::opus_packet_get_nb_frames(buf.as_ptr(), n),
            ffi::opus_packet_get_samples_per_frame(buf.as_ptr(), 48_000),
        )
    };
    if frames <= 0 || per_frame <= 0 {
        return Err(CodecError::CorruptPacket);
    }
    Ok(PacketInfo {
        len: n as usize,
        toc: buf[0] & 0xFC,
        frame: per_frame as u32,
        frames: frames as usize,
        samples: (frames * per_frame) as u32,
    })
}

fn libopus(code: c_int) -> CodecError {
    CodecError::Libopus {
        code,
        message: "the Opus repacketizer refused a packet it had accepted".into(),
    }
}
