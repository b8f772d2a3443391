//! Turn detection on synthetic signals, as a matrix of rates × frame lengths.

use std::f64::consts::PI;

use teddy_core::vad::{TurnDetector, VAD_RATES, VadError, VadEvent, VadOptions};

const FRAMES_MS: [u32; 5] = [10, 20, 30, 60, 7];

struct Lcg(u32);

impl Lcg {
    /// Uniform in -1..1.
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        f64::from(self.0 >> 8) / f64::from(1u32 << 23) - 1.0
    }
}

/// How a stretch of voice ends: pitch level to the end (a speaker holding the turn), or falling
/// from 150 to 110 Hz over its last 500 ms (a speaker finishing a statement).
#[derive(Clone, Copy)]
enum Contour {
    Level,
    Fall,
}

/// A vowel-like harmonic series, 4 syllables a second, in each `(from, to, contour)` span (s).
fn voice(rate: u32, secs: f64, spans: &[(f64, f64, Contour)], peak: f64) -> Vec<f64> {
    let fs = f64::from(rate);
    let mut phase = 0.0;
    (0..(secs * fs) as usize)
        .map(|i| {
            let t = i as f64 / fs;
            let Some(&(from, to, contour)) = spans.iter().find(|s| t >= s.0 && t < s.1) else {
                return 0.0;
            };
            let f0 = match contour {
                Contour::Fall if t > to - 0.5 => 150.0 - 40.0 * (t - (to - 0.5)) / 0.5,
                _ => 150.0,
            };
            phase += 2.0 * PI * f0 / fs;
            let env = (PI * 4.0 * (t - from)).sin().powi(2);
            let wave: f64 = (1..=20)
                .filter(|k| f64::from(*k) * f0 < fs / 2.0)
                .map(|k| (phase * f64::from(k)).sin() / f64::from(k))
                .sum();
            peak / 2.0 * env * wave
        })
        .collect()
}

/// One finished utterance from `from` to `to`.
fn voiced(rate: u32, secs: f64, from: f64, to: f64, peak: f64) -> Vec<f64> {
    voice(rate, secs, &[(from, to, Contour::Fall)], peak)
}

fn with_noise(signal: &[f64], rms: f64, seed: u32) -> Vec<i16> {
    let mut rng = Lcg(seed);
    // Uniform noise in ±a has RMS a/√3.
    let a = rms * 3f64.sqrt();
    signal
        .iter()
        .map(|&s| (s + a * rng.next()).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

fn rms(x: &[f64]) -> f64 {
    let active: Vec<f64> = x.iter().copied().filter(|s| *s != 0.0).collect();
    (active.iter().map(|s| s * s).sum::<f64>() / active.len() as f64).sqrt()
}

/// Every event with the time (ms) at the end of the frame that reported it.
fn events(rate: u32, pcm: &[i16], frame_ms: u32, opts: VadOptions) -> Vec<(u32, VadEvent)> {
    let mut vad = TurnDetector::new(rate, opts).unwrap();
    let len = (rate * frame_ms / 1000) as usize;
    let mut seen = 0usize;
    let mut out = Vec::new();
    for frame in pcm.chunks(len) {
        seen += frame.len();
        let e = vad.push(frame);
        if e != VadEvent::None {
            // Only whole 10 ms sub-frames count towards the time the detector knows.
            let sub = rate as usize / 100;
            out.push(((seen / sub * 10) as u32, e));
        }
    }
    out
}

fn start_end(ev: &[(u32, VadEvent)]) -> ((u32, u32), (u32, u32)) {
    assert_eq!(ev.len(), 2, "expected one start and one end, got {ev:?}");
    let (ts, VadEvent::SpeechStart { preroll_ms }) = ev[0] else {
        panic!("first event is not a start: {ev:?}")
    };
    let (te, VadEvent::SpeechEnd { speech_ms }) = ev[1] else {
        panic!("second event is not an end: {ev:?}")
    };
    ((ts, preroll_ms), (te, speech_ms))
}

#[test]
fn vad_ignores_silence() {
    for &rate in &VAD_RATES {
        let pcm = vec![0i16; rate as usize * 3];
        let mut vad = TurnDetector::new(rate, VadOptions::default()).unwrap();
        for frame in pcm.chunks(rate as usize / 50) {
            assert_eq!(vad.push(frame), VadEvent::None);
            assert!(vad.probability() < 0.01);
        }
    }
}

#[test]
fn vad_ignores_low_noise() {
    for &rate in &VAD_RATES {
        for (seed, level) in [(1, 30.0), (2, 300.0), (3, 1000.0)] {
            let mut pcm = with_noise(&vec![0.0; rate as usize * 5], level, seed);
            for &ms in &FRAMES_MS {
                let ev = events(rate, &pcm, ms, VadOptions::default());
                assert!(
                    ev.is_empty(),
                    "{rate} Hz noise at RMS {level}, {ms} ms frames: {ev:?}"
                );
            }
            // Noise switching on after digital silence, when the floor is at its lowest.
            pcm[..rate as usize].fill(0);
            for &ms in &FRAMES_MS {
                let ev = events(rate, &pcm, ms, VadOptions::default());
                assert!(
                    ev.is_empty(),
                    "{rate} Hz noise at RMS {level}, {ms} ms frames: {ev:?}"
                );
            }
        }
    }
}

#[test]
fn vad_finds_voiced_turn() {
    for &rate in &VAD_RATES {
        let pcm = with_noise(&voiced(rate, 5.0, 1.0, 3.0, 8000.0), 0.0, 1);
        for &ms in &FRAMES_MS {
            let ((ts, preroll), (te, speech)) =
                start_end(&events(rate, &pcm, ms, VadOptions::default()));
            // ? Silero takes up to ~350 ms to trust this synthetic buzz; the pre-roll still
            //   reaches back to its first syllable.
            assert!(
                (1000..=1400).contains(&ts) && ts - preroll <= 1000,
                "{rate} Hz, {ms} ms frames: start at {ts} ms, audio from {} ms",
                ts - preroll
            );
            // A falling end: the turn ends a short hangover after the speech.
            assert!(
                (3000..=3500).contains(&te),
                "{rate} Hz, {ms} ms frames: end at {te} ms"
            );
            assert!(
                (1600..=2000).contains(&speech),
                "{rate} Hz, {ms} ms frames: {speech} ms of speech"
            );
        }
    }
}

#[test]
fn vad_finds_turn_at_20db_snr() {
    for &rate in &VAD_RATES {
        let clean = voiced(rate, 6.0, 2.0, 4.0, 8000.0);
        let noise_rms = rms(&clean) / 10.0;
        let pcm = with_noise(&clean, noise_rms, 7);
        for &ms in &FRAMES_MS {
            let ((ts, preroll), (te, _)) =
                start_end(&events(rate, &pcm, ms, VadOptions::default()));
            assert!(
                (2000..=2350).contains(&ts) && ts - preroll <= 2000,
                "{rate} Hz, {ms} ms frames: start at {ts} ms"
            );
            assert!(
                (4000..=4600).contains(&te),
                "{rate} Hz, {ms} ms frames: end at {te} ms"
            );
        }
    }
}

#[test]
fn vad_keeps_preroll() {
    let rate = 16000;
    let pcm = with_noise(&voiced(rate, 4.0, 1.0, 2.0, 8000.0), 20.0, 3);
    for preroll_ms in [0, 100, 300, 800] {
        let opts = VadOptions {
            preroll_ms,
            ..VadOptions::default()
        };
        for &ms in &FRAMES_MS {
            let ((ts, preroll), _) = start_end(&events(rate, &pcm, ms, opts));
            // The turn's audio begins `preroll` before the onset the detector saw (just after 1 s).
            let from = i64::from(ts) - i64::from(preroll);
            let onset = 1000 - i64::from(preroll_ms);
            assert!(
                (onset..=onset + 80).contains(&from),
                "preroll {preroll_ms}, {ms} ms frames: turn from {from} ms"
            );
        }
    }
    // Speech right at the start: the pre-roll cannot reach before the stream.
    let early = with_noise(&voiced(rate, 3.0, 0.1, 1.0, 8000.0), 20.0, 4);
    let ((ts, preroll), _) = start_end(&events(rate, &early, 20, VadOptions::default()));
    assert_eq!(ts, preroll, "turn must start at the stream's first sample");
}

#[test]
fn endpointer_hangover_follows_the_ending() {
    let rate = 16000;
    let fall = with_noise(&voiced(rate, 5.0, 1.0, 2.0, 8000.0), 20.0, 5);
    let level = with_noise(
        &voice(rate, 5.0, &[(1.0, 2.0, Contour::Level)], 8000.0),
        20.0,
        5,
    );
    for (hangover_ms, hold_ms) in [(200, 1000), (500, 1600), (1000, 2000)] {
        let opts = VadOptions {
            hangover_ms,
            hold_ms,
            ..VadOptions::default()
        };
        // ? Silero's probability falls within ~150 ms of the speech ending (32 ms windows).
        let (_, (te, _)) = start_end(&events(rate, &fall, 20, opts));
        let end = 2000 + hangover_ms;
        assert!(
            (end..=end + 200).contains(&te),
            "falling end, hangover {hangover_ms}: end at {te} ms"
        );
        let (_, (te, _)) = start_end(&events(rate, &level, 20, opts));
        let end = 2000 + hold_ms;
        assert!(
            (end..=end + 200).contains(&te),
            "level end, hold {hold_ms}: end at {te} ms"
        );
    }
}

#[test]
fn vad_reports_one_event_per_push() {
    // 10 ms start and hangover with 500 ms frames: start and end fall into single pushes
    // and must come out one per push, in order.
    let rate = 16000;
    let pcm = with_noise(&voiced(rate, 4.0, 0.5, 1.0, 8000.0), 20.0, 6);
    let opts = VadOptions {
        start_ms: 10,
        hangover_ms: 10,
        hold_ms: 10,
        preroll_ms: 0,
        ..VadOptions::default()
    };
    let ev = events(rate, &pcm, 500, opts);
    assert!(ev.len() >= 2);
    for pair in ev.windows(2) {
        let alternate = matches!(
            (pair[0].1, pair[1].1),
            (VadEvent::SpeechStart { .. }, VadEvent::SpeechEnd { .. })
                | (VadEvent::SpeechEnd { .. }, VadEvent::SpeechStart { .. })
        );
        assert!(alternate, "events must alternate: {ev:?}");
    }
}

#[test]
fn vad_reset_forgets_the_turn() {
    let rate = 16000;
    let pcm = with_noise(&voiced(rate, 3.0, 0.5, 2.5, 8000.0), 20.0, 8);
    let mut vad = TurnDetector::new(rate, VadOptions::default()).unwrap();
    for frame in pcm[..rate as usize].chunks(320) {
        vad.push(frame);
    }
    assert!(vad.is_speaking());
    vad.reset();
    assert!(!vad.is_speaking());
    assert_eq!(vad.probability(), 0.0);
}

#[test]
fn vad_rejects_bad_settings() {
    assert_eq!(
        TurnDetector::new(44100, VadOptions::default()).err(),
        Some(VadError::InvalidSampleRate { rate: 44100 })
    );
    let opts = VadOptions {
        hangover_ms: 0,
        ..VadOptions::default()
    };
    assert!(matches!(
        TurnDetector::new(16000, opts),
        Err(VadError::InvalidOption {
            name: "hangoverMs",
            ..
        })
    ));
}
