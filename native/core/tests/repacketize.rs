//! The repacketizer joins the speech API's 20 ms frames into a toy's 60 ms
//! packets without decoding: what a decoder makes of the joined packets must be
//! exactly what it makes of the frames one by one.

use proptest::prelude::*;
use teddy_core::{Application, CodecError, Decoder, Encoder, Push, Repacketizer};

const TARGET_60MS: u32 = 2880;
const OUT: usize = 8192;

/// Voiced, speech-like audio: harmonics of 180 Hz under a 4 Hz envelope.
fn speech(rate: u32, samples: usize) -> Vec<i16> {
    (0..samples)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            let env = 0.55 + 0.45 * (2.0 * std::f64::consts::PI * 4.0 * t).sin();
            let v: f64 = (1..=8)
                .map(|h| (2.0 * std::f64::consts::PI * 180.0 * h as f64 * t).sin() / h as f64)
                .sum();
            (6000.0 * env * v) as i16
        })
        .collect()
}

/// `count` packets of `ms` each, encoded at `rate` with `app` from `pcm`.
fn packets(pcm: &[i16], rate: u32, ms: u32, app: Application, count: usize) -> Vec<Vec<u8>> {
    let mut enc = Encoder::new(rate, 1, app).unwrap();
    let frame = (rate * ms / 1000) as usize;
    let mut buf = [0u8; 1500];
    pcm.chunks_exact(frame)
        .take(count)
        .map(|f| {
            let n = enc.encode(f, &mut buf).unwrap();
            buf[..n].to_vec()
        })
        .collect()
}

fn decode_all(packets: &[Vec<u8>], rate: u32) -> Vec<i16> {
    let mut dec = Decoder::new(rate, 1).unwrap();
    let mut out = vec![0i16; (rate as usize) * 120 / 1000];
    let mut pcm = Vec::new();
    for p in packets {
        let n = dec.decode(Some(p), &mut out).unwrap();
        pcm.extend_from_slice(&out[..n]);
    }
    pcm
}

fn rms(x: &[i16]) -> f64 {
    (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

/// Pushes every packet; returns the joined packets and what was refused (by index).
fn join(rp: &mut Repacketizer, input: &[Vec<u8>]) -> (Vec<Vec<u8>>, Vec<usize>) {
    let mut out = vec![0u8; OUT];
    let (mut joined, mut refused) = (Vec::new(), Vec::new());
    for (i, p) in input.iter().enumerate() {
        match rp.push(p, &mut out).unwrap() {
            Push::Pending => {}
            Push::Ready(n) => joined.push(out[..n].to_vec()),
            Push::Refused => refused.push(i),
        }
    }
    (joined, refused)
}

#[test]
fn repacketizer_decodes_exactly_like_the_frames_it_joined() {
    // ? Encoders that keep one configuration for this signal (others switch mode: see below).
    for (rate, app) in [
        (16_000, Application::Voip),
        (16_000, Application::LowDelay),
        (48_000, Application::Audio),
    ] {
        let pcm = speech(rate, rate as usize * 2);
        let frames = packets(&pcm, rate, 20, app, 99);
        let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
        let (joined, refused) = join(&mut rp, &frames);
        assert!(refused.is_empty(), "{rate} Hz: refused {refused:?}");
        assert_eq!(joined.len(), 33);
        // Each joined packet is one code-3 packet of three frames: 60 ms however it is read.
        for p in &joined {
            assert_eq!(p[0] & 3, 3);
            assert_eq!(p[1] & 0x3f, 3);
        }
        // Any decoder rate plays them; toys use 16 and 24 kHz.
        for dec_rate in [16_000, 24_000] {
            let a = decode_all(&frames, dec_rate);
            let b = decode_all(&joined, dec_rate);
            assert_eq!(b.len(), 33 * (dec_rate as usize) * 60 / 1000);
            assert!(
                a == b,
                "{rate} Hz frames decoded at {dec_rate} Hz differ once joined"
            );
        }
    }
}

#[test]
fn repacketizer_passes_a_packet_of_the_target_length_whole() {
    let pcm = speech(16_000, 16_000);
    let frames = packets(&pcm, 16_000, 60, Application::Voip, 5);
    let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
    let (joined, refused) = join(&mut rp, &frames);
    assert!(refused.is_empty());
    assert_eq!(joined, frames);
}

#[test]
fn repacketizer_refuses_another_configuration_and_keeps_its_group() {
    // libopus at 48 kHz for speech starts in CELT and moves to hybrid: a mixed stream.
    let pcm = speech(48_000, 48_000 * 2);
    let frames = packets(&pcm, 48_000, 20, Application::Voip, 99);
    let switch = (1..frames.len())
        .find(|&i| frames[i][0] >> 3 != frames[0][0] >> 3)
        .expect("the encoder changed mode");
    let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
    let (joined, refused) = join(&mut rp, &frames[..=switch]);
    assert_eq!(joined.len(), switch / 3);
    if !switch.is_multiple_of(3) {
        assert_eq!(refused, vec![switch]);
        assert_eq!(rp.pending_48k(), (switch % 3) as u32 * 960);
    } else {
        assert!(refused.is_empty());
    }
}

#[test]
fn repacketizer_refuses_frames_that_cannot_make_the_target() {
    let pcm = speech(16_000, 16_000);
    let forty = packets(&pcm, 16_000, 40, Application::Voip, 2);
    let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
    let (joined, refused) = join(&mut rp, &forty);
    assert!(joined.is_empty());
    assert_eq!(refused, vec![0, 1]);
    assert_eq!(rp.pending_48k(), 0);
}

#[test]
fn repacketizer_pads_a_trailing_partial_group_with_quiet_dtx() {
    let rate = 16_000;
    // Speech, then the quiet tail a sentence ends with.
    let mut pcm = speech(rate, rate as usize / 5 * 3);
    pcm.resize(rate as usize, 0);
    let frames = packets(&pcm, rate, 20, Application::Voip, 50);
    let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
    let mut out = vec![0u8; OUT];
    assert_eq!(rp.pad(&mut out).unwrap(), 0);
    let (mut joined, refused) = join(&mut rp, &frames[..49]);
    assert!(refused.is_empty());
    assert_eq!(rp.pending_48k(), 960);
    let n = rp.pad(&mut out).unwrap();
    joined.push(out[..n].to_vec());
    assert_eq!(rp.pending_48k(), 0);
    // Three frames: the real one, then two of zero bytes (VBR lengths n, 0; the last is what is left).
    let last = joined.last().unwrap();
    assert_eq!(last[0] & 3, 3);
    assert_eq!(last[1], 0x80 | 3);
    let pcm = decode_all(&joined, rate);
    assert_eq!(pcm.len(), 17 * 960);
    assert!(rms(&pcm[..rate as usize / 2]) > 1000.0);
    assert!(rms(&pcm[pcm.len() - 960..]) < 100.0);
}

#[test]
fn repacketizer_drops_padding() {
    let pcm = speech(16_000, 16_000);
    let mut frames = packets(&pcm, 16_000, 20, Application::Voip, 3);
    let plain = {
        let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
        join(&mut rp, &frames).0
    };
    // The first frame again as a code-3 packet of one frame with 10 bytes of padding.
    let f = frames[0].clone();
    let mut padded = vec![(f[0] & 0xFC) | 3, 0x40 | 1, 10];
    padded.extend_from_slice(&f[1..]);
    padded.extend_from_slice(&[0u8; 10]);
    frames[0] = padded;
    let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
    assert_eq!(join(&mut rp, &frames).0, plain);
}

#[test]
fn repacketizer_reports_corrupt_packets_and_keeps_going() {
    let pcm = speech(16_000, 16_000);
    let frames = packets(&pcm, 16_000, 20, Application::Voip, 3);
    let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
    let mut out = vec![0u8; OUT];
    assert_eq!(rp.push(&frames[0], &mut out), Ok(Push::Pending));
    assert_eq!(rp.push(&[], &mut out), Err(CodecError::CorruptPacket));
    // Code 1 (two equal frames) needs an even payload.
    let odd = [frames[0][0] | 1, 1, 2, 3];
    assert_eq!(rp.push(&odd, &mut out), Err(CodecError::CorruptPacket));
    assert_eq!(rp.pending_48k(), 960);
    assert_eq!(rp.push(&frames[1], &mut out), Ok(Push::Pending));
    assert!(matches!(rp.push(&frames[2], &mut out), Ok(Push::Ready(_))));
}

#[test]
fn repacketizer_refuses_a_group_its_output_cannot_hold() {
    let pcm = speech(16_000, 16_000);
    let frames = packets(&pcm, 16_000, 20, Application::Voip, 3);
    let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
    let mut small = vec![0u8; frames[0].len() + 2];
    assert_eq!(rp.push(&frames[0], &mut small), Ok(Push::Pending));
    assert_eq!(rp.push(&frames[1], &mut small), Ok(Push::Refused));
}

#[test]
fn repacketizer_rejects_targets_opus_cannot_frame() {
    for bad in [0, 100, 5880, 2881] {
        assert!(Repacketizer::new(bad).is_err(), "{bad}");
    }
    for good in [120, 960, 2880, 5760] {
        assert_eq!(Repacketizer::new(good).unwrap().target_48k(), good);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn repacketizer_never_panics_on_garbage(input in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 1..12)) {
        let mut rp = Repacketizer::new(TARGET_60MS).unwrap();
        let mut out = vec![0u8; OUT];
        for p in &input {
            if let Ok(Push::Ready(n)) = rp.push(p, &mut out) {
                // Whatever came out is a packet libopus reads as 60 ms.
                let mut dec = Decoder::new(48_000, 1).unwrap();
                let mut pcm = vec![0i16; 5760];
                if let Ok(samples) = dec.decode(Some(&out[..n]), &mut pcm) {
                    prop_assert_eq!(samples, 2880);
                }
            }
        }
        let _ = rp.pad(&mut out);
    }
}
