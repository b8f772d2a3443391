//! Property tests standing in for fuzzing (cargo-fuzz needs nightly): every
//! parser that sees bytes from a device or a provider gets random and
//! half-valid input, and must answer with a value or an error, never a panic.
//! Case counts are fixed so the suite stays under a minute on two cores.
//! (Core has no binary frame-header parser; those live in the gateway's TS.)

use proptest::prelude::*;
use teddy_core::ogg::{self, OggOpusReader};
use teddy_core::{Application, Decoder, Encoder, TokenVerifier};

// ? Fewer in debug builds, where libopus and the CRC run unoptimised (~80 s).
const CASES: u32 = if cfg!(debug_assertions) { 1_000 } else { 5_000 };

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // ? Shrunk failures are printed; a regressions file would land in the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One real 60 ms packet at 16 kHz, to check a decoder still works after garbage.
fn valid_packet() -> Vec<u8> {
    let mut enc = Encoder::new(16_000, 1, Application::Voip).unwrap();
    let pcm: Vec<i16> = (0..960)
        .map(|i| ((i as f32 * 0.2).sin() * 9000.0) as i16)
        .collect();
    let mut out = [0u8; 1500];
    let n = enc.encode(&pcm, &mut out).unwrap();
    out[..n].to_vec()
}

/// The Ogg CRC (polynomial 0x04c11db7, no reflection, init 0), so forged pages
/// get past the checksum into the stream logic.
fn ogg_crc(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |mut crc, &b| {
        crc ^= (b as u32) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
        }
        crc
    })
}

#[derive(Debug, Clone)]
struct ForgedPage {
    flags: u8,
    serial: u32,
    sequence: u32,
    granule: u64,
    lacing: Vec<u8>,
    opus_head: bool,
    fill: u8,
}

impl ForgedPage {
    fn bytes(&self) -> Vec<u8> {
        let body_len: usize = self.lacing.iter().map(|&l| l as usize).sum();
        let mut body = vec![self.fill; body_len];
        if self.opus_head && body_len >= 19 {
            body[..8].copy_from_slice(b"OpusHead");
        }
        let mut p = b"OggS\0".to_vec();
        p.push(self.flags);
        p.extend_from_slice(&self.granule.to_le_bytes());
        p.extend_from_slice(&self.serial.to_le_bytes());
        p.extend_from_slice(&self.sequence.to_le_bytes());
        p.extend_from_slice(&[0; 4]);
        p.push(self.lacing.len() as u8);
        p.extend_from_slice(&self.lacing);
        p.extend_from_slice(&body);
        let crc = ogg_crc(&p);
        p[22..26].copy_from_slice(&crc.to_le_bytes());
        p
    }
}

/// Pages with valid CRCs and adversarial headers: few serials and sequence
/// numbers so continuations, chains and gaps actually collide.
fn forged_page() -> impl Strategy<Value = ForgedPage> {
    let lace = prop_oneof![
        Just(0u8),
        Just(1),
        Just(19),
        Just(254),
        Just(255),
        any::<u8>()
    ];
    (
        0u8..8,
        0u32..3,
        0u32..4,
        any::<u64>(),
        prop::collection::vec(lace, 0..=255),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(
            |(flags, serial, sequence, granule, lacing, opus_head, fill)| ForgedPage {
                flags,
                serial,
                sequence,
                granule,
                lacing,
                opus_head,
                fill,
            },
        )
}

/// The OpusHead and OpusTags pages (sequence 0 and 1) of a stream with serial 1.
fn header_pages() -> Vec<u8> {
    let file = ogg::mux(&[&[0xf8, 1, 2]], 960, 16_000, 1, 1).unwrap();
    let head_len = 27 + 1 + file[27] as usize;
    let tags_len = 27 + 1 + file[head_len + 27] as usize;
    file[..head_len + tags_len].to_vec()
}

/// Feeds `bytes` in `chunk`-sized pieces; any outcome but a panic is fine.
fn feed(bytes: &[u8], chunk: usize) {
    let mut r = OggOpusReader::new();
    for c in bytes.chunks(chunk.max(1)) {
        if r.push(c).is_err() {
            return;
        }
        r.packets().for_each(drop);
    }
    let _ = r.finish();
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn opus_decoder_survives_random_packets(
        packet in prop::collection::vec(any::<u8>(), 0..1500),
        out_len in prop_oneof![Just(960usize), Just(1920), 0usize..2000],
    ) {
        let mut dec = Decoder::new(16_000, 1).unwrap();
        let mut out = vec![0i16; out_len];
        if let Ok(n) = dec.decode(Some(&packet), &mut out) {
            prop_assert!(n <= out_len);
        }
        let mut frame = [0i16; 960];
        prop_assert_eq!(dec.decode(Some(&valid_packet()), &mut frame), Ok(960));
    }

    #[test]
    fn ogg_reader_survives_random_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        capture in any::<bool>(),
        chunk in 1usize..600,
    ) {
        let mut bytes = bytes;
        // Half the cases start with a capture pattern so they reach the page parser.
        if capture && bytes.len() >= 5 {
            bytes[..5].copy_from_slice(b"OggS\0");
        }
        feed(&bytes, chunk);
    }

    #[test]
    fn ogg_reader_survives_forged_pages(
        pages in prop::collection::vec(forged_page(), 1..8),
        valid_headers in any::<bool>(),
        chunk in 1usize..5000,
    ) {
        // Half the cases open with real OpusHead/OpusTags pages of serial 1, so
        // forged pages 2 and 3 of that stream reach the audio-packet path.
        let mut bytes = if valid_headers { header_pages() } else { Vec::new() };
        bytes.extend(pages.iter().flat_map(ForgedPage::bytes));
        feed(&bytes, chunk);
    }

    #[test]
    fn ogg_round_trips_any_packets(
        packets in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..700), 0..40),
        samples in 1u64..=5760,
        chunk in 1usize..3000,
    ) {
        let refs: Vec<&[u8]> = packets.iter().map(|p| p.as_slice()).collect();
        let file = ogg::mux(&refs, samples, 16_000, 1, 7).unwrap();
        let mut r = OggOpusReader::new();
        let mut back = Vec::new();
        for c in file.chunks(chunk) {
            r.push(c).unwrap();
            back.extend(r.packets());
        }
        prop_assert_eq!(r.finish(), Ok(()));
        prop_assert_eq!(back, packets);
    }

    #[test]
    fn token_verifier_survives_random_tokens(
        id in prop::collection::vec(any::<u8>(), 0..40),
        body in prop::collection::vec(any::<u8>(), 0..160),
        v2 in any::<bool>(),
    ) {
        let verifier = TokenVerifier::new("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").unwrap();
        let id = String::from_utf8_lossy(&id);
        let body = String::from_utf8_lossy(&body);
        let token = if v2 { format!("v2.{body}") } else { body.into_owned() };
        // Random input forging a valid HMAC would be a broken hash, not luck.
        prop_assert_eq!(verifier.verify(&id, &token), None);
    }
}
