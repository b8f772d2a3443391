//! Behaviour of the libopus wrappers: round trips, concealment and bad input.

use teddy_core::{Application, CodecError, Decoder, Encoder};

const RATE: u32 = 16_000;

fn sine(freq: f64, rate: u32, samples: usize, offset: usize) -> Vec<i16> {
    (0..samples)
        .map(|i| {
            let t = (i + offset) as f64 / f64::from(rate);
            (f64::sin(2.0 * std::f64::consts::PI * freq * t) * 12_000.0) as i16
        })
        .collect()
}

fn rms(x: &[i16]) -> f64 {
    (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// Best normalised cross-correlation over small lags (the codec adds delay).
fn best_correlation(a: &[i16], b: &[i16], max_lag: usize) -> f64 {
    (0..max_lag)
        .map(|lag| {
            let n = a.len().min(b.len() - lag);
            let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
            for i in 0..n {
                let (x, y) = (f64::from(a[i]), f64::from(b[i + lag]));
                ab += x * y;
                aa += x * x;
                bb += y * y;
            }
            ab / (aa.sqrt() * bb.sqrt()).max(1.0)
        })
        .fold(f64::MIN, f64::max)
}

#[test]
fn opus_round_trip_preserves_tone() {
    let frame = (RATE / 1000 * 60) as usize;
    let mut enc = Encoder::new(RATE, 1, Application::Voip).unwrap();
    let mut dec = Decoder::new(RATE, 1).unwrap();
    let input = sine(440.0, RATE, frame * 20, 0);
    let mut output = Vec::new();
    let (mut packet, mut pcm) = ([0u8; 1500], vec![0i16; frame]);
    for chunk in input.chunks(frame) {
        let n = enc.encode(chunk, &mut packet).unwrap();
        assert!(n > 0 && n < 1500);
        let got = dec.decode(Some(&packet[..n]), &mut pcm).unwrap();
        assert_eq!(got, frame);
        output.extend_from_slice(&pcm);
    }
    // Skip the first frames: the encoder ramps up.
    let (a, b) = (&input[frame * 2..], &output[frame * 2..]);
    let ratio = rms(b) / rms(a);
    assert!((0.7..1.3).contains(&ratio), "energy ratio {ratio}");
    let corr = best_correlation(&a[..frame * 10], b, 400);
    assert!(corr > 0.9, "correlation {corr}");
}

#[test]
fn opus_encodes_every_frame_duration() {
    for rate in [8000u32, 12000, 16000, 24000, 48000] {
        let mut enc = Encoder::new(rate, 1, Application::Audio).unwrap();
        let mut dec = Decoder::new(rate, 1).unwrap();
        let mut out = vec![0i16; (rate / 1000 * 120) as usize];
        for ms in [10u32, 20, 40, 60, 120] {
            let samples = (rate / 1000 * ms) as usize;
            let mut packet = [0u8; 4000];
            let n = enc
                .encode(&sine(440.0, rate, samples, 0), &mut packet)
                .unwrap();
            assert!(n > 0, "{rate} Hz {ms} ms");
            assert_eq!(
                dec.decode(Some(&packet[..n]), &mut out).unwrap(),
                samples,
                "{rate} Hz {ms} ms"
            );
        }
    }
}

#[test]
fn opus_rejects_illegal_frame_sizes() {
    let mut enc = Encoder::new(RATE, 1, Application::Voip).unwrap();
    let mut packet = [0u8; 1500];
    for samples in [0usize, 1, 159, 161, 321, 2000, 5760] {
        let err = enc.encode(&vec![0; samples], &mut packet).unwrap_err();
        assert_eq!(
            err,
            CodecError::InvalidFrameSize {
                samples,
                rate: RATE
            }
        );
        assert!(err.is_bad_input());
    }
    assert!(matches!(
        enc.encode(&[0; 320], &mut []),
        Err(CodecError::BufferTooSmall { .. })
    ));
}

#[test]
fn opus_plc_returns_requested_count() {
    let mut dec = Decoder::new(RATE, 1).unwrap();
    for samples in [40usize, 320, 960, 1920] {
        let mut out = vec![1i16; samples];
        assert_eq!(dec.decode(None, &mut out).unwrap(), samples);
    }
    let mut odd = vec![0i16; 100];
    assert!(matches!(
        dec.decode(None, &mut odd),
        Err(CodecError::InvalidFrameSize { samples: 100, .. })
    ));
    assert!(matches!(
        dec.decode(None, &mut []),
        Err(CodecError::InvalidFrameSize { .. })
    ));
}

#[test]
fn opus_corrupt_packet_is_an_error_and_decoder_recovers() {
    let frame = 960;
    let mut enc = Encoder::new(RATE, 1, Application::Voip).unwrap();
    let mut dec = Decoder::new(RATE, 1).unwrap();
    let mut packet = [0u8; 1500];
    let mut out = vec![0i16; frame];

    let n = enc
        .encode(&sine(440.0, RATE, frame, 0), &mut packet)
        .unwrap();
    dec.decode(Some(&packet[..n]), &mut out).unwrap();

    // 0xff: code-3 TOC with a frame count byte of 63 and no frames → invalid.
    for garbage in [
        &[0xffu8, 0xff, 0xff][..],
        &[0x03, 0x00],
        &[0x0b, 0xff, 0xff, 0xff],
        &[],
    ] {
        let err = dec.decode(Some(garbage), &mut out).unwrap_err();
        assert_eq!(err, CodecError::CorruptPacket, "{garbage:?}");
        assert!(err.is_bad_input());
    }

    let n = enc
        .encode(&sine(440.0, RATE, frame, frame), &mut packet)
        .unwrap();
    assert_eq!(dec.decode(Some(&packet[..n]), &mut out).unwrap(), frame);
    assert!(rms(&out) > 1000.0, "decoder still produces audio");
}

#[test]
fn opus_decode_into_small_buffer_says_how_much_is_needed() {
    let mut enc = Encoder::new(RATE, 1, Application::Voip).unwrap();
    let mut dec = Decoder::new(RATE, 1).unwrap();
    let mut packet = [0u8; 1500];
    let n = enc.encode(&sine(440.0, RATE, 960, 0), &mut packet).unwrap();
    let err = dec
        .decode(Some(&packet[..n]), &mut [0i16; 320])
        .unwrap_err();
    assert_eq!(
        err,
        CodecError::BufferTooSmall {
            needed: Some(960),
            capacity: 320
        }
    );
}

#[test]
fn opus_rejects_invalid_formats() {
    for rate in [0u32, 11025, 22050, 44100, 96000] {
        assert!(matches!(
            Decoder::new(rate, 1),
            Err(CodecError::InvalidSampleRate { .. })
        ));
        assert!(matches!(
            Encoder::new(rate, 1, Application::Voip),
            Err(CodecError::InvalidSampleRate { .. })
        ));
    }
    assert!(matches!(
        Decoder::new(RATE, 0),
        Err(CodecError::InvalidChannels { channels: 0 })
    ));
    assert!(matches!(
        Decoder::new(RATE, 3),
        Err(CodecError::InvalidChannels { channels: 3 })
    ));
    let msg = Decoder::new(44100, 1).err().unwrap().to_string();
    assert!(msg.contains("44100") && msg.contains("16000"), "{msg}");
    assert!("opus".parse::<teddy_core::Application>().is_err());
    assert_eq!(
        "lowdelay".parse::<teddy_core::Application>().unwrap(),
        Application::LowDelay
    );
}

#[test]
fn opus_settings_are_validated() {
    let mut enc = Encoder::new(RATE, 1, Application::Voip).unwrap();
    enc.set_bitrate(24_000).unwrap();
    enc.set_complexity(5).unwrap();
    assert_eq!(
        enc.set_bitrate(10),
        Err(CodecError::InvalidBitrate { bps: 10 })
    );
    assert_eq!(
        enc.set_complexity(11),
        Err(CodecError::InvalidComplexity { complexity: 11 })
    );
    enc.reset();
    let mut packet = [0u8; 1500];
    assert!(enc.encode(&sine(440.0, RATE, 320, 0), &mut packet).unwrap() > 0);
}

#[test]
fn opus_stereo_round_trip() {
    let mut enc = Encoder::new(48_000, 2, Application::Audio).unwrap();
    let mut dec = Decoder::new(48_000, 2).unwrap();
    let pcm: Vec<i16> = sine(440.0, 48_000, 960, 0)
        .iter()
        .flat_map(|&s| [s, s])
        .collect();
    let mut packet = [0u8; 4000];
    let n = enc.encode(&pcm, &mut packet).unwrap();
    let mut out = vec![0i16; 1920];
    assert_eq!(dec.decode(Some(&packet[..n]), &mut out).unwrap(), 960);
    assert!(matches!(
        enc.encode(&pcm[..1919], &mut packet),
        Err(CodecError::InvalidFrameSize { .. })
    ));
}

#[test]
fn opus_reset_keeps_decoder_usable() {
    let mut dec = Decoder::new(RATE, 1).unwrap();
    dec.reset();
    let mut out = vec![0i16; 320];
    assert_eq!(dec.decode(None, &mut out).unwrap(), 320);
}

#[test]
fn opus_states_are_send() {
    fn is_send<T: Send>() {}
    is_send::<Decoder>();
    is_send::<Encoder>();
}

#[test]
fn opus_bandwidth_cap_keeps_packets_at_wideband_and_still_carries_the_tone() {
    // The downlink's under-load setting: 24 kHz, 24 kbit/s, capped at 8 kHz of audio band.
    let (rate, frame) = (24_000, 1_440);
    let mut enc = Encoder::new(rate, 1, Application::Voip).unwrap();
    enc.set_bitrate(24_000).unwrap();
    enc.set_max_bandwidth(8_000).unwrap();
    let mut out = [0u8; 1500];
    let capped: Vec<Vec<u8>> = (0..10)
        .map(|i| {
            let n = enc
                .encode(&sine(1_000.0, rate, frame, i * frame), &mut out)
                .unwrap();
            out[..n].to_vec()
        })
        .collect();
    // and a 1 kHz tone comes through.
    // No packet codes above wideband (TOC configs 0..=11 are SILK, 16..=23 CELT up to wideband;
    // a steady tone may go to CELT, speech stays SILK: test/unit/downlink.test.ts).
    let configs: Vec<u8> = capped.iter().map(|p| p[0] >> 3).collect();
    assert!(
        configs.iter().all(|c| *c <= 11 || (16..=23).contains(c)),
        "{configs:?}"
    );
    assert!(configs.contains(&11), "{configs:?}");
    let mut dec = Decoder::new(rate, 1).unwrap();
    let mut pcm = vec![0i16; frame];
    let mut heard = Vec::new();
    for p in &capped {
        let n = dec.decode(Some(p), &mut pcm).unwrap();
        heard.extend_from_slice(&pcm[..n]);
    }
    let sent = sine(1_000.0, rate, heard.len(), 0);
    assert!(best_correlation(&sent[frame..], &heard[frame..], 400) > 0.9);
}

#[test]
fn opus_bandwidth_outside_the_five_opus_bands_is_refused() {
    let mut enc = Encoder::new(24_000, 1, Application::Voip).unwrap();
    assert_eq!(
        enc.set_max_bandwidth(16_000),
        Err(CodecError::InvalidBandwidth { hz: 16_000 })
    );
    assert!(enc.set_max_bandwidth(8_000).is_ok());
}
