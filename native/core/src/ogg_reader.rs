//! Incremental Ogg Opus demuxer: bytes go in as they arrive (a socket, an HTTP
//! body), Opus audio packets come out as soon as their page is complete.

use std::collections::VecDeque;

use ogg::reading::{BasePacketReader, OggReadError, PageParser};

use crate::ogg::{OggError, OpusHead};

const HEADER_LEN: usize = 27;

/// The longest legal Opus packet is 120 ms of 1275-byte frames plus framing,
/// about 61 KB; anything past 64 KiB is not Opus audio.
const MAX_AUDIO_PACKET: usize = 65_536;
/// OpusTags may carry pictures; we skip them but still bound the memory.
const MAX_HEADER_PACKET: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Head,
    Tags,
    Audio,
}

/// One logical stream of a (possibly chained) physical stream.
struct Link {
    serial: u32,
    next_sequence: u32,
    stage: Stage,
    ended: bool,
    /// Bytes of a packet that continues on the next page (None: no packet is open).
    open_packet: Option<usize>,
    packets: BasePacketReader,
}

/// Parses an Ogg Opus byte stream pushed in pieces of any size.
///
/// Only one logical stream at a time is followed; streams chained one after
/// another (each ending before the next begins) are read in order, each with
/// its own OpusHead. After an error every later `push` returns it again.
pub struct OggOpusReader {
    buf: Vec<u8>,
    consumed: u64,
    link: Option<Link>,
    head: Option<OpusHead>,
    ready: VecDeque<Vec<u8>>,
    failed: Option<OggError>,
}

impl Default for OggOpusReader {
    fn default() -> Self {
        Self::new()
    }
}

impl OggOpusReader {
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            consumed: 0,
            link: None,
            head: None,
            ready: VecDeque::new(),
            failed: None,
        }
    }

    /// The OpusHead of the stream being read, once its first page has arrived.
    pub fn head(&self) -> Option<OpusHead> {
        self.head
    }

    /// Adds bytes and parses every page they complete. Incomplete pages wait
    /// for more bytes. Returns how many audio packets are ready.
    pub fn push(&mut self, bytes: &[u8]) -> Result<usize, OggError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.buf.extend_from_slice(bytes);
        let mut at = 0;
        let result = loop {
            match self.next_page(at) {
                Ok(Some(len)) => at += len,
                Ok(None) => break Ok(self.ready.len()),
                Err(e) => break Err(e),
            }
        };
        self.buf.drain(..at);
        self.consumed += at as u64;
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    /// The next complete audio packet, oldest first.
    pub fn pop(&mut self) -> Option<Vec<u8>> {
        self.ready.pop_front()
    }

    /// Drains the ready audio packets.
    pub fn packets(&mut self) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.ready.drain(..)
    }

    /// Call when the input has ended: an error if it stopped inside a page or
    /// a packet, or before any audio header was complete.
    pub fn finish(&self) -> Result<(), OggError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let open = self.link.as_ref().and_then(|l| l.open_packet).unwrap_or(0);
        let headers_done = self.link.as_ref().is_some_and(|l| l.stage == Stage::Audio);
        if !self.buf.is_empty() || open > 0 || !headers_done {
            return Err(OggError::Truncated {
                pending_bytes: self.buf.len() + open,
            });
        }
        Ok(())
    }

    /// Parses one page starting at `buf[at]`; returns its length, or None when
    /// the page is not complete yet.
    fn next_page(&mut self, at: usize) -> Result<Option<usize>, OggError> {
        let rest = &self.buf[at..];
        let offset = self.consumed + at as u64;
        // Check the capture pattern on a prefix too, so garbage fails at once
        // instead of waiting for 27 bytes that may never come.
        if !b"OggS".starts_with(&rest[..rest.len().min(4)]) {
            return Err(OggError::BadCapture { offset });
        }
        let Some(header) = rest.get(..HEADER_LEN) else {
            return Ok(None);
        };
        if header[4] != 0 {
            return Err(OggError::BadVersion { version: header[4] });
        }
        let segments = header[26] as usize;
        let Some(lacing) = rest.get(HEADER_LEN..HEADER_LEN + segments) else {
            return Ok(None);
        };
        let body_len: usize = lacing.iter().map(|&l| l as usize).sum();
        let page_len = HEADER_LEN + segments + body_len;
        let Some(body) = rest.get(HEADER_LEN + segments..page_len) else {
            return Ok(None);
        };
        let mut header_buf = [0u8; HEADER_LEN];
        header_buf.copy_from_slice(header);
        let page = Page::read(&header_buf);
        let lacing = lacing.to_vec();
        let body = body.to_vec();
        self.accept_page(page, header_buf, lacing, body)?;
        Ok(Some(page_len))
    }

    fn accept_page(
        &mut self,
        page: Page,
        header: [u8; HEADER_LEN],
        lacing: Vec<u8>,
        body: Vec<u8>,
    ) -> Result<(), OggError> {
        // CRC first: nothing in a corrupted page is worth interpreting.
        let (mut parser, _) = PageParser::new(header).map_err(map_read_error)?;
        parser.parse_segments(lacing.clone());
        let parsed = parser.parse_packet_data(body).map_err(|e| match e {
            OggReadError::HashMismatch(stored, computed) => OggError::BadCrc {
                sequence: page.sequence,
                stored,
                computed,
            },
            e => map_read_error(e),
        })?;
        self.enter_link(&page)?;
        let Some(link) = self.link.as_mut() else {
            return Err(OggError::BadStructure {
                reason: "no current stream".into(),
            });
        };
        link.open_packet = open_after(link.open_packet, &page, &lacing, link.stage)?;
        link.next_sequence = page.sequence.wrapping_add(1);
        link.ended = page.last;
        link.packets.push_page(parsed).map_err(map_read_error)?;
        while let Some(packet) = link.packets.read_packet() {
            match link.stage {
                Stage::Head => {
                    self.head = Some(OpusHead::parse(&packet.data)?);
                    link.stage = Stage::Tags;
                }
                Stage::Tags => {
                    if !packet.data.starts_with(b"OpusTags") {
                        return Err(OggError::BadHeader {
                            reason: "second packet is not OpusTags",
                        });
                    }
                    link.stage = Stage::Audio;
                }
                Stage::Audio => self.ready.push_back(packet.data),
            }
        }
        Ok(())
    }

    /// Checks that the page belongs to the current link, starting a new one for the first page and
    /// for a chained stream that begins after the current one ended.
    fn enter_link(&mut self, page: &Page) -> Result<(), OggError> {
        let structure = |reason: String| Err(OggError::BadStructure { reason });
        let starts_link = match &self.link {
            None if !page.first => {
                return structure("stream does not begin with a beginning-of-stream page".into());
            }
            None => true,
            Some(l) if l.serial == page.serial => {
                if l.ended {
                    return structure(format!("page {} after the end of stream", page.sequence));
                }
                if page.first {
                    return structure("second beginning-of-stream page for the same stream".into());
                }
                if page.sequence != l.next_sequence {
                    return structure(format!(
                        "page sequence jumps from {} to {} (pages lost)",
                        l.next_sequence.wrapping_sub(1),
                        page.sequence
                    ));
                }
                false
            }
            Some(l) if l.ended && page.first => {
                if l.stage != Stage::Audio {
                    return structure("stream ended before its headers were complete".into());
                }
                true
            }
            Some(l) => {
                return structure(format!(
                    "page of stream {:#x} while reading stream {:#x}: interleaved streams are not supported",
                    page.serial, l.serial
                ));
            }
        };
        if starts_link {
            self.link = Some(Link {
                serial: page.serial,
                next_sequence: page.sequence,
                stage: Stage::Head,
                ended: false,
                open_packet: None,
                packets: BasePacketReader::new(),
            });
        }
        Ok(())
    }
}

/// The header fields the stream logic needs (CRC is checked by the parser).
struct Page {
    continued: bool,
    first: bool,
    last: bool,
    serial: u32,
    sequence: u32,
}

impl Page {
    fn read(h: &[u8; HEADER_LEN]) -> Self {
        let u32_at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        Self {
            continued: h[5] & 1 != 0,
            first: h[5] & 2 != 0,
            last: h[5] & 4 != 0,
            serial: u32_at(14),
            sequence: u32_at(18),
        }
    }
}

/// Checks that the page continues a packet exactly when one is open and that
/// no packet outgrows its limit; returns the bytes of the packet left open.
/// ? Done here rather than trusting `BasePacketReader`, whose overlap buffer
///   would otherwise grow without bound on endless continuation pages.
fn open_after(
    open: Option<usize>,
    page: &Page,
    lacing: &[u8],
    stage: Stage,
) -> Result<Option<usize>, OggError> {
    if page.continued != open.is_some() {
        let reason = if page.continued {
            "page continues a packet that was never started"
        } else {
            "page starts fresh while a packet is still open"
        };
        return Err(OggError::BadStructure {
            reason: reason.into(),
        });
    }
    let limit = if stage == Stage::Audio {
        MAX_AUDIO_PACKET
    } else {
        MAX_HEADER_PACKET
    };
    let mut len = open.unwrap_or(0);
    let mut is_open = open.is_some();
    for &l in lacing {
        len += l as usize;
        if len > limit {
            return Err(OggError::PacketTooLarge { bytes: len, limit });
        }
        is_open = l == 255;
        if !is_open {
            len = 0;
        }
    }
    Ok(is_open.then_some(len))
}

fn map_read_error(e: OggReadError) -> OggError {
    match e {
        OggReadError::NoCapturePatternFound => OggError::BadCapture { offset: 0 },
        OggReadError::InvalidStreamStructVer(version) => OggError::BadVersion { version },
        OggReadError::HashMismatch(stored, computed) => OggError::BadCrc {
            sequence: 0,
            stored,
            computed,
        },
        OggReadError::InvalidData => OggError::BadStructure {
            reason: "inconsistent page flags".into(),
        },
        OggReadError::ReadError(e) => OggError::BadStructure {
            reason: e.to_string(),
        },
    }
}
