//! End of turn as a child's listener hears it: a mid-sentence pause to think is not the end,
//! a finished sentence ends the turn soon, and babble neither starts nor holds a turn.

use std::f64::consts::PI;

use teddy_core::vad::{TurnDetector, VadEvent, VadOptions};

const RATE: u32 = 16000;

/// Pitch level to the end (holding the turn), or falling 150 → 110 Hz over the last 500 ms.
#[derive(Clone, Copy, PartialEq)]
enum Contour {
    Level,
    Fall,
}

/// Vowel-like harmonic series, 4 syllables a second, in each `(from, to, contour)` span (s).
fn voice(secs: f64, spans: &[(f64, f64, Contour)]) -> Vec<f64> {
    let fs = f64::from(RATE);
    let mut phase = 0.0;
    (0..(secs * fs) as usize)
        .map(|i| {
            let t = i as f64 / fs;
            let Some(&(from, to, contour)) = spans.iter().find(|s| t >= s.0 && t < s.1) else {
                return 0.0;
            };
            let f0 = if contour == Contour::Fall && t > to - 0.5 {
                150.0 - 40.0 * (t - (to - 0.5)) / 0.5
            } else {
                150.0
            };
            phase += 2.0 * PI * f0 / fs;
            let env = (PI * 4.0 * (t - from)).sin().powi(2);
            let wave: f64 = (1..=20)
                .map(|k| (phase * f64::from(k)).sin() / f64::from(k))
                .sum();
            4000.0 * env * wave
        })
        .collect()
}

struct Rng(u32);

impl Rng {
    /// Uniform in 0..1.
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        f64::from(self.0 >> 8) / f64::from(1u32 << 24)
    }
}

/// Babble-like noise, as the bench makes it: pink noise in the speech band (200 Hz – 3.5 kHz)
/// under a random level that changes every 125 ms, the rhythm of distant talkers' syllables.
fn babble(n: usize, seed: u32) -> Vec<f64> {
    let mut rng = Rng(seed);
    let (hp, lp) = (
        (-2.0 * PI * 200.0 / f64::from(RATE)).exp(),
        1.0 - (-2.0 * PI * 3500.0 / f64::from(RATE)).exp(),
    );
    let (mut b0, mut b1, mut b2) = (0.0, 0.0, 0.0);
    let (mut x1, mut y1, mut l1, mut l2) = (0.0, 0.0, 0.0, 0.0);
    let (mut env, mut target) = (0.5, 0.5);
    (0..n)
        .map(|i| {
            let w = rng.next() * 2.0 - 1.0;
            b0 = 0.99765 * b0 + w * 0.099046;
            b1 = 0.963 * b1 + w * 0.2965164;
            b2 = 0.57 * b2 + w * 1.0526913;
            let p = b0 + b1 + b2 + w * 0.1848;
            let y = p - x1 + hp * y1;
            (x1, y1) = (p, y);
            l1 += lp * (y - l1);
            l2 += lp * (l1 - l2);
            if i % (RATE as usize / 8) == 0 {
                target = 0.2 + 1.6 * rng.next();
            }
            env += 0.002 * (target - env);
            l2 * env
        })
        .collect()
}

fn power(x: &[f64]) -> f64 {
    let active: Vec<f64> = x.iter().copied().filter(|s| *s != 0.0).collect();
    active.iter().map(|s| s * s).sum::<f64>() / active.len().max(1) as f64
}

/// `speech` with `noise` added at `snr_db` below the speech's active power.
fn mix(speech: &[f64], noise: &[f64], snr_db: f64) -> Vec<i16> {
    let gain = (power(speech) / 10f64.powf(snr_db / 10.0) / power(noise)).sqrt();
    speech
        .iter()
        .zip(noise)
        .map(|(s, n)| (s + gain * n).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

fn pcm(x: &[f64]) -> Vec<i16> {
    x.iter().map(|s| s.round() as i16).collect()
}

/// Every event with the time (ms) at the end of the 60 ms frame that reported it.
fn events(pcm: &[i16]) -> Vec<(u32, VadEvent)> {
    let mut vad = TurnDetector::new(RATE, VadOptions::default()).unwrap();
    let mut out = Vec::new();
    for (i, frame) in pcm.chunks(960).enumerate() {
        let e = vad.push(frame);
        if e != VadEvent::None {
            out.push((60 * (i as u32 + 1), e));
        }
    }
    out
}

fn one_turn(ev: &[(u32, VadEvent)], what: &str) -> (u32, u32, u32) {
    match ev {
        [
            (ts, VadEvent::SpeechStart { preroll_ms }),
            (te, VadEvent::SpeechEnd { .. }),
        ] => (*ts, ts - preroll_ms, *te),
        _ => panic!("{what}: expected one turn, got {ev:?}"),
    }
}

#[test]
fn endpointer_keeps_mid_sentence_pause() {
    // "I want to … play a game." A level voice, a pause to think, the rest with a falling end.
    for pause_ms in [400, 700, 1000, 1300, 1500] {
        let resume = 1.5 + f64::from(pause_ms) / 1000.0;
        let x = voice(
            resume + 4.0,
            &[
                (0.5, 1.5, Contour::Level),
                (resume, resume + 1.0, Contour::Fall),
            ],
        );
        let (_, from, te) = one_turn(&events(&pcm(&x)), &format!("{pause_ms} ms pause"));
        let speech_end = (resume * 1000.0) as u32 + 1000;
        assert!(
            from <= 500,
            "{pause_ms} ms pause: turn audio from {from} ms"
        );
        assert!(
            (speech_end..=speech_end + 600).contains(&te),
            "{pause_ms} ms pause: end at {te} ms, speech ended at {speech_end} ms"
        );
    }
}

#[test]
fn endpointer_ends_soon_after_a_falling_end() {
    // A finished statement: the turn ends sooner than a 700 ms silence endpointer would.
    let x = voice(4.0, &[(0.5, 2.0, Contour::Fall)]);
    let (_, _, te) = one_turn(&events(&pcm(&x)), "finished sentence");
    assert!((2000..2000 + 700).contains(&te), "end at {te} ms");
}

#[test]
fn endpointer_waits_out_a_held_pause_then_ends() {
    // A child who trails off mid-sentence and never goes on still gets an answer.
    let x = voice(5.0, &[(0.5, 1.5, Contour::Level)]);
    let (_, _, te) = one_turn(&events(&pcm(&x)), "trailing off");
    let hold = VadOptions::default().hold_ms;
    assert!(
        (1500 + hold..=1500 + hold + 250).contains(&te),
        "end at {te} ms"
    );
}

#[test]
fn vad_holds_in_10db_babble() {
    let x = voice(
        7.0,
        &[(1.0, 2.0, Contour::Level), (3.0, 4.0, Contour::Fall)],
    );
    for seed in [1, 2, 3] {
        let noise = babble(x.len(), seed);
        let (ts, from, te) = one_turn(&events(&mix(&x, &noise, 10.0)), "speech in babble");
        assert!(
            ts <= 1400 && from <= 1000,
            "seed {seed}: start at {ts}, audio from {from}"
        );
        // ? In babble the pitch of the end is not always clear: the turn may wait out the hold.
        let hold = VadOptions::default().hold_ms;
        assert!(
            (4000..=4000 + hold + 250).contains(&te),
            "seed {seed}: end at {te} ms"
        );
        // Babble alone, at the same level, is no turn.
        let gain = (power(&x) / 10.0 / power(&noise)).sqrt();
        let alone: Vec<f64> = noise.iter().map(|n| n * gain).collect();
        let ev = events(&pcm(&alone));
        assert!(ev.is_empty(), "seed {seed}: babble alone gave {ev:?}");
    }
}
