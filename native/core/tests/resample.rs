//! Property matrix for the streaming resampler: every supported rate pair × chunk sizes.

use std::f64::consts::PI;

use teddy_core::resample::{ResampleError, Resampler, resample};

const RATES: [u32; 5] = [8000, 16000, 22050, 24000, 48000];
const CHUNKS: [usize; 4] = [1, 7, 160, 960];

fn tone(freq: f64, rate: u32, secs: f64, amp: f64) -> Vec<i16> {
    let n = (rate as f64 * secs) as usize;
    (0..n)
        .map(|i| (amp * (2.0 * PI * freq * i as f64 / rate as f64).sin()).round() as i16)
        .collect()
}

/// RMS of the middle of a signal, away from the edges' transients.
fn rms_mid(x: &[i16]) -> f64 {
    let mid = &x[x.len() / 5..x.len() * 4 / 5];
    (mid.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / mid.len() as f64).sqrt()
}

fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

fn noise(n: usize, seed: u32) -> Vec<i16> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((s >> 16) as i16) / 4
        })
        .collect()
}

fn stream(r: &mut Resampler, input: &[i16], chunk: usize) -> Vec<i16> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for c in input.chunks(chunk) {
        buf.resize(r.output_frames_max(c.len()), 0);
        let n = r
            .process_into(c, &mut buf)
            .expect("sized by output_frames_max");
        out.extend_from_slice(&buf[..n]);
    }
    buf.resize(r.flush_frames(), 0);
    let n = r.flush_into(&mut buf).expect("sized by flush_frames");
    out.extend_from_slice(&buf[..n]);
    out
}

#[test]
fn resampler_preserves_tone() {
    let input = tone(6000.0, 48000, 0.5, 10000.0);
    let down = resample(&input, 48000, 16000).unwrap();
    let up = resample(&down, 16000, 24000).unwrap();
    let (a, b, c) = (rms_mid(&input), rms_mid(&down), rms_mid(&up));
    assert!(
        db(b / a).abs() < 0.5,
        "48k→16k changed a 6 kHz tone by {:.2} dB",
        db(b / a)
    );
    assert!(
        db(c / a).abs() < 0.5,
        "48k→16k→24k changed a 6 kHz tone by {:.2} dB",
        db(c / a)
    );
}

#[test]
fn resampler_rejects_aliases() {
    // 10 kHz is above 16 kHz's Nyquist and would fold to 6 kHz without the low-pass.
    let input = tone(10000.0, 48000, 0.5, 10000.0);
    let out = resample(&input, 48000, 16000).unwrap();
    let level = db(rms_mid(&out) / rms_mid(&input));
    assert!(
        level < -40.0,
        "10 kHz leaked into 16 kHz output at {level:.1} dB"
    );
}

#[test]
fn resampler_streaming_equals_one_shot() {
    for &from in &RATES {
        for &to in &RATES {
            let input = noise(from as usize / 5, from ^ to);
            let whole = stream(&mut Resampler::new(from, to).unwrap(), &input, input.len());
            for &chunk in &CHUNKS {
                let chunked = stream(&mut Resampler::new(from, to).unwrap(), &input, chunk);
                assert_eq!(whole, chunked, "{from}→{to} in chunks of {chunk}");
            }
        }
    }
}

#[test]
fn resampler_output_length_follows_ratio() {
    for &from in &RATES {
        for &to in &RATES {
            let mut r = Resampler::new(from, to).unwrap();
            let delay = r.output_delay();
            let input = noise(from as usize / 3 + 17, 7);
            let expected = (input.len() as f64 * to as f64 / from as f64).round() as usize;
            let mut out = vec![0i16; r.output_frames_max(input.len())];
            let n = r.process_into(&input, &mut out).unwrap();
            let mut tail = vec![0i16; r.flush_frames()];
            let m = r.flush_into(&mut tail).unwrap();
            assert!(
                n + delay + 2 >= expected && n <= expected,
                "{from}→{to}: {n} before flush, {expected} expected, delay {delay}"
            );
            assert!(
                n + m >= expected && n + m <= expected + delay + 2,
                "{from}→{to}: {} with flush, {expected} expected",
                n + m
            );
        }
    }
}

#[test]
fn resampler_keeps_dc() {
    for &from in &RATES {
        for &to in &RATES {
            let out = resample(&vec![12345i16; from as usize / 10], from, to).unwrap();
            let edge = 200;
            for (i, &s) in out[edge..out.len() - edge].iter().enumerate() {
                assert!(
                    (s - 12345).abs() <= 1,
                    "{from}→{to}: sample {} is {s}",
                    i + edge
                );
            }
        }
    }
}

#[test]
fn resampler_reports_too_small_output() {
    let input = noise(960, 3);
    let mut r = Resampler::new(16000, 24000).unwrap();
    let needed = r.output_frames_max(input.len());
    let mut short = vec![0i16; needed - 1];
    assert_eq!(
        r.process_into(&input, &mut short),
        Err(ResampleError::BufferTooSmall {
            needed,
            capacity: needed - 1
        })
    );
    // The refused call changed nothing: the stream continues as if it never happened.
    let mut out = vec![0i16; needed];
    let n = r.process_into(&input, &mut out).unwrap();
    assert_eq!(n, needed);
    let fresh = stream(
        &mut Resampler::new(16000, 24000).unwrap(),
        &input,
        input.len(),
    );
    assert_eq!(out[..n], fresh[..n]);
    let mut empty: [i16; 0] = [];
    assert!(matches!(
        r.flush_into(&mut empty),
        Err(ResampleError::BufferTooSmall { .. })
    ));
}

#[test]
fn resampler_rejects_bad_rates() {
    for (input, output) in [
        (0, 16000),
        (16000, 0),
        (16, 48000),
        (47999, 48000),
        (16000, 1_000_000),
    ] {
        assert_eq!(
            Resampler::new(input, output).err(),
            Some(ResampleError::InvalidSampleRate { input, output })
        );
    }
}

#[test]
fn resampler_reset_starts_a_new_stream() {
    let input = noise(1000, 9);
    let mut r = Resampler::new(22050, 16000).unwrap();
    let first = stream(&mut r, &input, 160);
    let mut scratch = vec![0i16; r.output_frames_max(333)];
    r.process_into(&input[..333], &mut scratch).unwrap();
    r.reset();
    assert_eq!(stream(&mut r, &input, 160), first);
}
