//! MP3 answers for the seed firmware: 22.05 kHz mono CBR frames that an
//! independent decoder (minimp3) plays back at the right length and level.

use teddy_core::{Mp3Encoder, Mp3Error};

const RATE: u32 = 22_050;

fn speech(samples: usize) -> Vec<i16> {
    (0..samples)
        .map(|i| {
            let t = i as f64 / f64::from(RATE);
            let env = 0.55 + 0.45 * (2.0 * std::f64::consts::PI * 4.0 * t).sin();
            let v: f64 = (1..=8)
                .map(|h| (2.0 * std::f64::consts::PI * 180.0 * h as f64 * t).sin() / h as f64)
                .sum();
            (6000.0 * env * v) as i16
        })
        .collect()
}

fn rms(x: &[i16]) -> f64 {
    (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

/// Byte length of the MPEG audio frame starting at `b[0]`, if it is a Layer III header.
fn frame_len(b: &[u8]) -> Option<usize> {
    if b.len() < 4 || b[0] != 0xFF || b[1] & 0xE0 != 0xE0 || (b[1] >> 1) & 3 != 1 {
        return None;
    }
    let version = (b[1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    let kbps_idx = (b[2] >> 4) as usize;
    let rate_idx = ((b[2] >> 2) & 3) as usize;
    let pad = ((b[2] >> 1) & 1) as usize;
    const V1: [usize; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const V2: [usize; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let (kbps, rate, per) = match version {
        3 => (V1[kbps_idx], [44_100, 48_000, 32_000][rate_idx], 144),
        2 => (V2[kbps_idx], [22_050, 24_000, 16_000][rate_idx], 72),
        _ => (V2[kbps_idx], [11_025, 12_000, 8_000][rate_idx], 72),
    };
    Some(per * kbps * 1000 / rate + pad)
}

/// Splits `bytes` into whole frames; None if something else is in between.
fn frames(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let n = frame_len(&bytes[at..])?;
        out.push(bytes.get(at..at + n)?);
        at += n;
    }
    Some(out)
}

fn encode_stream(pcm: &[i16], chunk: usize) -> (Vec<u8>, Vec<usize>) {
    let mut enc = Mp3Encoder::new(RATE, 32).unwrap();
    let mut out = vec![0u8; Mp3Encoder::max_output(chunk)];
    let (mut mp3, mut sizes) = (Vec::new(), Vec::new());
    for c in pcm.chunks(chunk) {
        let n = enc.encode(c, &mut out).unwrap();
        mp3.extend_from_slice(&out[..n]);
        sizes.push(n);
    }
    let n = enc.flush(&mut out).unwrap();
    mp3.extend_from_slice(&out[..n]);
    sizes.push(n);
    (mp3, sizes)
}

fn decode(mp3: &[u8]) -> (Vec<i16>, Vec<(i32, usize)>) {
    let mut dec = minimp3::Decoder::new(mp3);
    let (mut pcm, mut formats) = (Vec::new(), Vec::new());
    loop {
        match dec.next_frame() {
            Ok(f) => {
                formats.push((f.sample_rate, f.channels));
                pcm.extend_from_slice(&f.data);
            }
            Err(minimp3::Error::Eof) => break,
            Err(e) => panic!("decoder error: {e:?}"),
        }
    }
    (pcm, formats)
}

#[test]
fn mp3_stream_decodes_to_its_length_and_level() {
    let pcm = speech(RATE as usize * 2);
    let (mp3, _) = encode_stream(&pcm, 1152);
    let enc = Mp3Encoder::new(RATE, 32).unwrap();
    assert_eq!(enc.frame_samples(), 576);
    assert_eq!(Mp3Encoder::frame_samples_at(RATE), 576);
    assert_eq!(Mp3Encoder::frame_samples_at(44_100), 1152);
    let (out, formats) = decode(&mp3);
    assert!(formats.iter().all(|&f| f == (RATE as i32, 1)));
    // The decoded stream is the input behind LAME's delay and a decoder's 529, padded to a frame.
    let expected = pcm.len() + enc.delay_samples() + 529;
    let diff = out.len() as i64 - expected as i64;
    assert!(
        diff.abs() <= 576,
        "decoded {} samples, expected about {expected}",
        out.len()
    );
    let ratio = rms(&out) / rms(&pcm);
    assert!((0.7..1.3).contains(&ratio), "level ratio {ratio}");
    // 32 kbit/s CBR: 2 s is about 8 KB.
    let kbps = mp3.len() as f64 * 8.0 / (out.len() as f64 / f64::from(RATE)) / 1000.0;
    assert!((30.0..34.0).contains(&kbps), "{kbps} kbit/s");
}

#[test]
fn mp3_stream_is_whole_frames_of_22050_hz_32_kbits() {
    let pcm = speech(RATE as usize);
    for chunk in [1152, 1000, 256, 4410] {
        // ? LAME hands bytes out as its bit reservoir lets it, not a frame at a time:
        //   the gateway cuts pieces at frame headers (gateway/src/codec/mp3-frames.ts).
        let (mp3, _) = encode_stream(&pcm, chunk);
        let f = frames(&mp3).unwrap_or_else(|| panic!("chunk {chunk}: not whole frames"));
        assert!(f.iter().all(|f| (104..=105).contains(&f.len())));
        // MPEG-2 (version bits 10), Layer III, no CRC; 32 kbit/s, 22.05 kHz; mono.
        assert!(
            f.iter()
                .all(|f| f[1] == 0xF3 && f[2] & 0xFC == 0x40 && f[3] >> 6 == 3)
        );
    }
}

#[test]
fn mp3_encoder_refuses_what_mp3_cannot_carry() {
    assert_eq!(
        Mp3Encoder::new(22_000, 32).err(),
        Some(Mp3Error::InvalidSampleRate { rate: 22_000 })
    );
    assert_eq!(
        Mp3Encoder::new(22_050, 320).err(),
        Some(Mp3Error::InvalidBitrate {
            kbps: 320,
            rate: 22_050
        })
    );
    assert!(Mp3Encoder::new(44_100, 128).is_ok());
    let mut enc = Mp3Encoder::new(RATE, 32).unwrap();
    let mut small = [0u8; 100];
    assert!(matches!(
        enc.encode(&[0; 1152], &mut small),
        Err(Mp3Error::BufferTooSmall { .. })
    ));
    assert!(matches!(
        enc.flush(&mut small),
        Err(Mp3Error::BufferTooSmall { .. })
    ));
    let mut out = vec![0u8; Mp3Encoder::max_output(1152)];
    assert!(enc.encode(&[0; 1152], &mut out).is_ok());
}
