//! Ogg Opus (RFC 7845) mux and demux.
//!
//! Page framing, CRC-32 and packet lacing come from the `ogg` crate (RustAudio,
//! pure Rust, no unsafe, no C dependency): it is the maintained Ogg container
//! implementation in Rust, and writing CRC and lacing by hand again would only
//! add code to get wrong. The crate's reader wants `Read + Seek`, which a
//! socket is not, so `OggOpusReader` (in `ogg_reader.rs`) does its own
//! incremental framing and hands complete pages to the crate's `PageParser`
//! (CRC check) and `BasePacketReader` (packets across pages). Everything the
//! Opus mapping adds (OpusHead, OpusTags, granule positions, end of stream) is
//! here.

use std::fmt;

use ogg::writing::{PacketWriteEndInfo, PacketWriter};

pub use crate::ogg_reader::OggOpusReader;

/// Decoder delay of libopus at 48 kHz that players drop from the start
/// (RFC 7845 §4.2 recommends 80 ms of pre-roll only when seeking; 312 is
/// what opusenc/libopusenc write for the standard encoder lookahead).
pub const PRE_SKIP_48K: u16 = 312;

/// The longest Opus packet lasts 120 ms: 5760 samples at 48 kHz.
pub const MAX_PACKET_SAMPLES_48K: u64 = 5760;

/// A page is closed once it holds this much audio (1 s), so a live stream is
/// never held back long and page overhead stays near 0.2 kbit/s.
const PAGE_SAMPLES_48K: u64 = 48_000;

const VENDOR: &[u8] = b"teddy";

/// Everything that can be wrong with an Ogg Opus stream or with a request to
/// write one. Hostile input is reported with one of these, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OggError {
    /// No `OggS` capture pattern where a page must start (not Ogg, or misaligned).
    BadCapture { offset: u64 },
    /// Ogg stream structure version other than 0.
    BadVersion { version: u8 },
    /// The page's CRC-32 does not match its contents (corrupted in transit).
    BadCrc {
        sequence: u32,
        stored: u32,
        computed: u32,
    },
    /// The first packet of the stream is not an `OpusHead`.
    NotOpus,
    /// `OpusHead` or `OpusTags` is malformed.
    BadHeader { reason: &'static str },
    /// Pages out of order: no beginning-of-stream page, a continuation that
    /// continues nothing, pages of a second interleaved stream, a sequence gap.
    BadStructure { reason: String },
    /// One packet grows past what any Opus stream needs (a memory bomb guard).
    PacketTooLarge { bytes: usize, limit: usize },
    /// The input ended inside a page or a packet, or before the headers.
    Truncated { pending_bytes: usize },
    /// Writer: only mono and stereo (channel mapping family 0) are written.
    InvalidChannels { channels: u8 },
    /// Writer: a packet's duration must be 1..=5760 samples at 48 kHz.
    InvalidDuration { samples_48k: u64 },
    /// Writer: an output error (cannot happen while writing into memory).
    Write { reason: String },
}

impl OggError {
    /// True when the bytes or arguments were at fault (always, today); kept so
    /// the binding maps errors the same way as `CodecError`.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, OggError::Write { .. })
    }
}

impl fmt::Display for OggError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OggError::BadCapture { offset } => write!(
                f,
                "not an Ogg stream: no 'OggS' page header at byte {offset}"
            ),
            OggError::BadVersion { version } => {
                write!(
                    f,
                    "unsupported Ogg stream structure version {version} (only 0 exists)"
                )
            }
            OggError::BadCrc {
                sequence,
                stored,
                computed,
            } => write!(
                f,
                "corrupt Ogg page {sequence}: CRC {stored:#010x} stored, {computed:#010x} computed"
            ),
            OggError::NotOpus => write!(f, "not an Ogg Opus stream: first packet is not OpusHead"),
            OggError::BadHeader { reason } => write!(f, "malformed Opus header: {reason}"),
            OggError::BadStructure { reason } => write!(f, "malformed Ogg stream: {reason}"),
            OggError::PacketTooLarge { bytes, limit } => write!(
                f,
                "Ogg packet of at least {bytes} bytes exceeds the {limit}-byte limit"
            ),
            OggError::Truncated { pending_bytes } => write!(
                f,
                "truncated Ogg Opus stream: input ended with {pending_bytes} bytes of an incomplete page or packet"
            ),
            OggError::InvalidChannels { channels } => {
                write!(
                    f,
                    "cannot write {channels} channels: use 1 (mono) or 2 (stereo)"
                )
            }
            OggError::InvalidDuration { samples_48k } => write!(
                f,
                "invalid Opus packet duration of {samples_48k} samples at 48 kHz: use 1..=5760 (120 ms)"
            ),
            OggError::Write { reason } => write!(f, "cannot write Ogg Opus: {reason}"),
        }
    }
}

impl std::error::Error for OggError {}

/// The identification header (RFC 7845 §5.1) fields a caller needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpusHead {
    pub channels: u8,
    /// Samples at 48 kHz to drop from the start of the decoded output.
    pub pre_skip: u16,
    /// Rate of the audio before encoding (informational; 0 = unknown).
    pub input_sample_rate: u32,
    /// Q7.8 dB gain to apply on output.
    pub output_gain: i16,
    pub mapping_family: u8,
}

impl OpusHead {
    pub(crate) fn to_bytes(self) -> Vec<u8> {
        let mut b = Vec::with_capacity(19);
        b.extend_from_slice(b"OpusHead");
        b.push(1); // version 1; readers accept any 0x0N
        b.push(self.channels);
        b.extend_from_slice(&self.pre_skip.to_le_bytes());
        b.extend_from_slice(&self.input_sample_rate.to_le_bytes());
        b.extend_from_slice(&self.output_gain.to_le_bytes());
        b.push(self.mapping_family);
        b
    }

    pub(crate) fn parse(p: &[u8]) -> Result<Self, OggError> {
        if !p.starts_with(b"OpusHead") {
            return Err(OggError::NotOpus);
        }
        let bad = |reason| Err(OggError::BadHeader { reason });
        let Some(h) = p.get(8..19) else {
            return bad("OpusHead shorter than 19 bytes");
        };
        // ? The upper nibble is the major version; a change there is incompatible.
        if h[0] & 0xf0 != 0 {
            return bad("OpusHead major version is not 0");
        }
        let head = OpusHead {
            channels: h[1],
            pre_skip: u16::from_le_bytes([h[2], h[3]]),
            input_sample_rate: u32::from_le_bytes([h[4], h[5], h[6], h[7]]),
            output_gain: i16::from_le_bytes([h[8], h[9]]),
            mapping_family: h[10],
        };
        match (head.mapping_family, head.channels) {
            (_, 0) => bad("OpusHead declares 0 channels"),
            (0, 3..) => bad("channel mapping family 0 allows only 1 or 2 channels"),
            // Families 1+ carry a table: stream count, coupled count, one byte per channel.
            (1.., c) if p.len() < 21 + c as usize => {
                bad("OpusHead channel mapping table is cut short")
            }
            _ => Ok(head),
        }
    }
}

/// The comment header (RFC 7845 §5.2): vendor "teddy", no user comments.
fn opus_tags() -> Vec<u8> {
    let mut b = Vec::with_capacity(16 + VENDOR.len());
    b.extend_from_slice(b"OpusTags");
    b.extend_from_slice(&(VENDOR.len() as u32).to_le_bytes());
    b.extend_from_slice(VENDOR);
    b.extend_from_slice(&0u32.to_le_bytes());
    b
}

/// A packet held back until the next one arrives, so the last packet of the
/// stream can carry the end-of-stream flag when `finish` is called.
struct Pending {
    data: Vec<u8>,
    granule: u64,
    ends_page: bool,
}

/// Writes one Ogg Opus logical stream into memory.
pub struct OggOpusWriter {
    pages: PacketWriter<'static, Vec<u8>>,
    serial: u32,
    pending: Option<Pending>,
    granule: u64,
    page_start: u64,
}

impl OggOpusWriter {
    /// Starts a stream: the OpusHead page is written at once, OpusTags when
    /// the first audio packet (or `finish`) shows whether it is also the last.
    /// `serial` should be random per stream (RFC 3533) so streams can be chained.
    pub fn new(sample_rate_in: u32, channels: u8, serial: u32) -> Result<Self, OggError> {
        if !matches!(channels, 1 | 2) {
            return Err(OggError::InvalidChannels { channels });
        }
        let head = OpusHead {
            channels,
            pre_skip: PRE_SKIP_48K,
            input_sample_rate: sample_rate_in,
            output_gain: 0,
            mapping_family: 0,
        };
        let mut writer = Self {
            pages: PacketWriter::new(Vec::new()),
            serial,
            pending: None,
            granule: 0,
            page_start: 0,
        };
        // Both headers sit alone on pages with granule 0 (RFC 7845 §3).
        writer.write(head.to_bytes(), PacketWriteEndInfo::EndPage, 0)?;
        writer.pending = Some(Pending {
            data: opus_tags(),
            granule: 0,
            ends_page: true,
        });
        Ok(writer)
    }

    /// Appends one Opus packet lasting `samples_48k` samples at 48 kHz (2880
    /// for 60 ms). The page granule is the running total, pre-skip included,
    /// as RFC 7845 §4 defines it.
    pub fn push_packet(&mut self, packet: &[u8], samples_48k: u64) -> Result<(), OggError> {
        if !(1..=MAX_PACKET_SAMPLES_48K).contains(&samples_48k) {
            return Err(OggError::InvalidDuration { samples_48k });
        }
        if let Some(p) = self.pending.take() {
            let end = if p.ends_page {
                PacketWriteEndInfo::EndPage
            } else {
                PacketWriteEndInfo::NormalPacket
            };
            self.write(p.data, end, p.granule)?;
        }
        self.granule += samples_48k;
        let ends_page = self.granule - self.page_start >= PAGE_SAMPLES_48K;
        if ends_page {
            self.page_start = self.granule;
        }
        self.pending = Some(Pending {
            data: packet.to_vec(),
            granule: self.granule,
            ends_page,
        });
        Ok(())
    }

    /// Bytes of complete pages written so far, removed from the writer (for
    /// streaming the file out while it is being made).
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(self.pages.inner_mut())
    }

    /// Ends the stream: the last packet goes out on a page flagged end-of-stream.
    pub fn finish(mut self) -> Result<Vec<u8>, OggError> {
        if let Some(p) = self.pending.take() {
            self.write(p.data, PacketWriteEndInfo::EndStream, p.granule)?;
        }
        Ok(self.pages.into_inner())
    }

    fn write(
        &mut self,
        data: Vec<u8>,
        end: PacketWriteEndInfo,
        granule: u64,
    ) -> Result<(), OggError> {
        self.pages
            .write_packet(data, self.serial, end, granule)
            .map_err(|e| OggError::Write {
                reason: e.to_string(),
            })
    }
}

/// Muxes whole packets of equal duration into one Ogg Opus file.
pub fn mux(
    packets: &[&[u8]],
    samples_48k: u64,
    sample_rate_in: u32,
    channels: u8,
    serial: u32,
) -> Result<Vec<u8>, OggError> {
    let mut w = OggOpusWriter::new(sample_rate_in, channels, serial)?;
    for p in packets {
        w.push_packet(p, samples_48k)?;
    }
    w.finish()
}
