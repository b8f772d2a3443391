//! Ogg Opus mux/demux: what is written reads back identically, and damaged
//! streams are reported as the right error, whatever the input chunking.

use teddy_core::ogg::{self, OggError, OggOpusReader, OggOpusWriter, PRE_SKIP_48K};
use teddy_core::{Application, Decoder, Encoder};

const FRAME_48K: u64 = 2880; // 60 ms

/// Packets of varied lengths: some over 255 bytes (several lacing segments),
/// every 50th over 4 KB so some packets continue across pages.
fn packets(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let len = 1 + (i * 37) % 600 + if i % 50 == 7 { 4000 } else { 0 };
            (0..len).map(|j| (i * 7 + j * 13) as u8).collect()
        })
        .collect()
}

fn mux(pk: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = pk.iter().map(|p| p.as_slice()).collect();
    ogg::mux(&refs, FRAME_48K, 16_000, 1, 0x7edd_0001).unwrap()
}

fn demux_in_chunks(bytes: &[u8], chunk: usize) -> Result<Vec<Vec<u8>>, OggError> {
    let mut r = OggOpusReader::new();
    let mut out = Vec::new();
    for c in bytes.chunks(chunk.max(1)) {
        r.push(c)?;
        out.extend(r.packets());
    }
    r.finish()?;
    Ok(out)
}

/// Offsets of every page (each starts with the capture pattern).
fn page_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut at = 0;
    let mut offs = Vec::new();
    while at + 27 <= bytes.len() {
        offs.push(at);
        let segs = bytes[at + 26] as usize;
        let body: usize = bytes[at + 27..at + 27 + segs]
            .iter()
            .map(|&l| l as usize)
            .sum();
        at += 27 + segs + body;
    }
    offs
}

#[test]
fn ogg_round_trip_preserves_packets_for_any_chunking() {
    for n in [0, 1, 2, 17, 400] {
        let pk = packets(n);
        let file = mux(&pk);
        for chunk in [1, 7, 27, 4096, file.len()] {
            assert_eq!(
                demux_in_chunks(&file, chunk).unwrap(),
                pk,
                "n={n} chunk={chunk}"
            );
        }
    }
}

#[test]
fn ogg_head_carries_input_rate_and_pre_skip() {
    let file = mux(&packets(3));
    let mut r = OggOpusReader::new();
    r.push(&file).unwrap();
    let head = r.head().unwrap();
    assert_eq!(head.channels, 1);
    assert_eq!(head.pre_skip, PRE_SKIP_48K);
    assert_eq!(head.input_sample_rate, 16_000);
    assert_eq!(head.mapping_family, 0);
}

#[test]
fn ogg_pages_have_granules_and_flags_per_rfc7845() {
    let n = 40; // 2.4 s: several audio pages
    let file = mux(&packets(n));
    let offs = page_offsets(&file);
    let granule = |o: usize| u64::from_le_bytes(file[o + 6..o + 14].try_into().unwrap());
    let flags = |o: usize| file[o + 5];
    assert_eq!(flags(offs[0]), 2, "OpusHead page is beginning-of-stream");
    assert_eq!(
        (granule(offs[0]), granule(offs[1])),
        (0, 0),
        "header pages have granule 0"
    );
    assert!(
        file[offs[1] + 28..].starts_with(b"OpusTags"),
        "OpusTags on its own page"
    );
    let last = *offs.last().unwrap();
    assert_eq!(flags(last) & 4, 4, "last page is end-of-stream");
    assert_eq!(granule(last), n as u64 * FRAME_48K);
    for w in offs[2..].windows(2) {
        assert!(granule(w[0]) < granule(w[1]), "granules increase");
        assert_eq!(flags(w[0]) & 4, 0, "only the last page ends the stream");
    }
    assert!(
        offs.len() >= 5,
        "audio is split into ~1 s pages, got {} pages",
        offs.len()
    );
}

#[test]
fn ogg_writer_streams_output_as_pages_close() {
    let pk = packets(60);
    let mut w = OggOpusWriter::new(24_000, 1, 9).unwrap();
    let mut file = w.take_output();
    for p in &pk {
        w.push_packet(p, FRAME_48K).unwrap();
        file.extend(w.take_output());
    }
    assert!(file.len() > 1000, "pages were emitted before finish");
    file.extend(w.finish().unwrap());
    assert_eq!(demux_in_chunks(&file, 100).unwrap(), pk);
}

#[test]
fn ogg_writer_rejects_bad_arguments() {
    assert_eq!(
        OggOpusWriter::new(16_000, 3, 1).err(),
        Some(OggError::InvalidChannels { channels: 3 })
    );
    let mut w = OggOpusWriter::new(16_000, 1, 1).unwrap();
    assert!(matches!(
        w.push_packet(&[1], 0),
        Err(OggError::InvalidDuration { .. })
    ));
    assert!(matches!(
        w.push_packet(&[1], 5761),
        Err(OggError::InvalidDuration { .. })
    ));
}

#[test]
fn ogg_crc_corruption_is_reported() {
    let file = mux(&packets(30));
    let offs = page_offsets(&file);
    let ends: Vec<usize> = offs[1..].iter().copied().chain([file.len()]).collect();
    for (&o, &end) in offs.iter().zip(&ends) {
        // Granule, serial, and the last body byte: the page still frames, only its CRC fails.
        for at in [o + 6, o + 14, end - 1] {
            let mut bad = file.clone();
            bad[at] ^= 0x40;
            let err = demux_in_chunks(&bad, 1000).unwrap_err();
            assert!(matches!(err, OggError::BadCrc { .. }), "byte {at}: {err}");
        }
        // A lacing byte changes the page's length: the CRC or the framing after it
        // notices; never silence, never a panic.
        let mut bad = file.clone();
        bad[o + 27] ^= 0x40;
        assert!(demux_in_chunks(&bad, 1000).is_err());
    }
}

#[test]
fn ogg_truncated_input_waits_then_errors_at_finish() {
    let file = mux(&packets(30));
    for cut in [1, 4, 26, 27, 28, 100, file.len() / 2, file.len() - 1] {
        let mut r = OggOpusReader::new();
        r.push(&file[..cut])
            .expect("a prefix is not an error while more may come");
        assert!(
            matches!(r.finish(), Err(OggError::Truncated { .. })),
            "cut at {cut}"
        );
        // The rest arrives: the stream completes.
        r.push(&file[cut..]).unwrap();
        r.finish().unwrap();
    }
}

#[test]
fn ogg_non_ogg_and_non_opus_are_rejected() {
    let mut r = OggOpusReader::new();
    assert_eq!(
        r.push(b"RIFF....WAVE"),
        Err(OggError::BadCapture { offset: 0 })
    );
    assert!(r.push(b"OggS").is_err(), "errors are sticky");

    // An Ogg Vorbis-like stream: valid pages, wrong first packet.
    let mut pw = ::ogg::PacketWriter::new(Vec::new());
    pw.write_packet(
        &b"\x01vorbis_________________________"[..],
        5,
        ::ogg::PacketWriteEndInfo::EndStream,
        0,
    )
    .unwrap();
    assert_eq!(
        demux_in_chunks(&pw.into_inner(), 64),
        Err(OggError::NotOpus)
    );

    // A page whose body lies about the stream.
    let mut file = mux(&packets(3));
    let o = page_offsets(&file)[1];
    file[o + 4] = 1;
    assert_eq!(
        demux_in_chunks(&file, 64),
        Err(OggError::BadVersion { version: 1 })
    );
}

#[test]
fn ogg_chained_streams_are_read_in_order() {
    let (a, b) = (packets(20), packets(33));
    let mut file = mux(&a);
    let refs: Vec<&[u8]> = b.iter().map(|p| p.as_slice()).collect();
    file.extend(ogg::mux(&refs, 960, 48_000, 1, 0x7edd_0002).unwrap());
    let mut r = OggOpusReader::new();
    r.push(&file).unwrap();
    r.finish().unwrap();
    assert_eq!(
        r.head().unwrap().input_sample_rate,
        48_000,
        "head follows the current link"
    );
    let all: Vec<Vec<u8>> = r.packets().collect();
    assert_eq!(all, [a, b].concat());
}

#[test]
fn ogg_interleaved_and_lost_pages_are_structure_errors() {
    let file = mux(&packets(60));
    let offs = page_offsets(&file);
    // Drop the third audio page: the sequence gap is noticed.
    let mut gap = file[..offs[3]].to_vec();
    gap.extend_from_slice(&file[offs[4]..]);
    assert!(matches!(
        demux_in_chunks(&gap, 512),
        Err(OggError::BadStructure { .. })
    ));

    // A second stream's BOS page before the first ended.
    let mut mixed = file[..offs[3]].to_vec();
    mixed.extend(mux(&packets(2)).iter().take(offs[1]).copied());
    assert!(matches!(
        demux_in_chunks(&mixed, 512),
        Err(OggError::BadStructure { .. })
    ));
}

#[test]
fn ogg_real_opus_survives_mux_and_decodes() {
    let mut enc = Encoder::new(16_000, 1, Application::Voip).unwrap();
    let mut pk = Vec::new();
    let mut out = [0u8; 1500];
    for f in 0..25 {
        let pcm: Vec<i16> = (0..960)
            .map(|i| ((((f * 960 + i) as f32) * 0.17).sin() * 8000.0) as i16)
            .collect();
        let n = enc.encode(&pcm, &mut out).unwrap();
        pk.push(out[..n].to_vec());
    }
    let back = demux_in_chunks(&mux(&pk), 333).unwrap();
    assert_eq!(back, pk);
    let mut dec = Decoder::new(16_000, 1).unwrap();
    let mut pcm = [0i16; 960];
    for p in &back {
        assert_eq!(dec.decode(Some(p), &mut pcm).unwrap(), 960);
    }
}
