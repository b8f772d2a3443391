//! The cheap frame classifier: the fallback's (`gateway/src/codec/vad.ts` holds its twin) and
//! the native detector's when asked for `Classifier::Energy`.
//!
//! Every 10 ms sub-frame gives three cheap features:
//! - log energy above an adaptive noise floor (fast down, slow up; slower still in speech),
//! - zero crossings per sample (voiced speech < 0.3, hiss ~0.5 at any rate),
//! - share of energy in 300–3000 Hz (one-pole high-pass and low-pass), against hum and hiss,
//!
//! combined by a fixed logistic score into a speech probability.

use std::f64::consts::PI;

use crate::vad::{VAD_RATES, VadError};

const SUB_MS: u32 = 10;

const FULL_SCALE_POWER: f64 = 32768.0 * 32768.0;
/// Below this a sub-frame is never speech, whatever the floor says.
const SILENCE_DB: f64 = -60.0;
/// A floor below a quiet room's would make any hiss look like speech.
const FLOOR_MIN_DB: f64 = -75.0;
const FLOOR_DOWN: f64 = 0.3;
/// Per 10 ms outside speech: ~0.5 s time constant.
const FLOOR_UP: f64 = 0.02;
/// Inside speech: ~5 s, so a long sentence does not raise the floor much.
const FLOOR_UP_SPEECH: f64 = 0.002;
/// Crossings per sample: white noise ~0.5 at any rate, voiced speech under ~0.3 even at 8 kHz.
/// Above it the penalty outweighs any loudness, so hiss switching on after digital silence
/// (floor at its lowest) is not a turn; fricatives lose too, but sit inside a turn's hangover.
const ZCR_NOISE: f64 = 0.3;
/// Loudness alone never outvotes the crossing rate.
const SNR_CAP_DB: f64 = 24.0;

/// Scores 10 ms sub-frames: probability of speech, from energy, crossings and band share.
#[derive(Debug, Clone)]
pub struct SpeechScorer {
    n: usize,
    dc_r: f64,
    lp_a: f64,
    hp_r: f64,
    x1: f64,
    y1: f64,
    lp: f64,
    lp_prev: f64,
    hp: f64,
    floor: Option<f64>,
    speaking: bool,
}

impl SpeechScorer {
    pub fn new(sample_rate: u32) -> Result<Self, VadError> {
        if !VAD_RATES.contains(&sample_rate) {
            return Err(VadError::InvalidSampleRate { rate: sample_rate });
        }
        let fs = f64::from(sample_rate);
        Ok(Self {
            n: (sample_rate * SUB_MS / 1000) as usize,
            dc_r: (-2.0 * PI * 60.0 / fs).exp(),
            lp_a: 1.0 - (-2.0 * PI * 3000.0 / fs).exp(),
            hp_r: (-2.0 * PI * 300.0 / fs).exp(),
            x1: 0.0,
            y1: 0.0,
            lp: 0.0,
            lp_prev: 0.0,
            hp: 0.0,
            floor: None,
            speaking: false,
        })
    }

    /// Samples in one 10 ms sub-frame.
    pub fn sub_frame_len(&self) -> usize {
        self.n
    }

    /// Probability (0..1) that `sub` (exactly one 10 ms sub-frame) is speech.
    pub fn score(&mut self, sub: &[i16]) -> f64 {
        debug_assert_eq!(sub.len(), self.n);
        let (mut total, mut band, mut crossings) = (0.0f64, 0.0f64, 0u32);
        let mut neg = self.y1 < 0.0;
        for &s in sub {
            let x = f64::from(s);
            let y = x - self.x1 + self.dc_r * self.y1;
            self.x1 = x;
            self.y1 = y;
            self.lp += self.lp_a * (y - self.lp);
            self.hp = self.hp_r * (self.hp + self.lp - self.lp_prev);
            self.lp_prev = self.lp;
            total += y * y;
            band += self.hp * self.hp;
            let n = y < 0.0;
            crossings += u32::from(n != neg);
            neg = n;
        }
        let db = 10.0 * ((total / self.n as f64 + 1.0) / FULL_SCALE_POWER).log10();
        let ratio = if total > 0.0 { band / total } else { 0.0 };
        let zcr = f64::from(crossings) / self.n as f64;
        let floor = match self.floor {
            None => db,
            Some(f) if db < f => f + FLOOR_DOWN * (db - f),
            Some(f) => {
                let rate = if self.speaking {
                    FLOOR_UP_SPEECH
                } else {
                    FLOOR_UP
                };
                f + rate * (db - f)
            }
        };
        self.floor = Some(floor);
        let snr = db - floor.max(FLOOR_MIN_DB);
        let mut s = 0.8 * (snr.min(SNR_CAP_DB) - 9.0) + 5.0 * (ratio - 0.3)
            - 150.0 * (zcr - ZCR_NOISE).max(0.0);
        if db < SILENCE_DB {
            s -= 10.0;
        }
        let p = 1.0 / (1.0 + (-s).exp());
        self.speaking = p > 0.5;
        p
    }

    pub fn reset(&mut self) {
        (self.x1, self.y1, self.lp, self.lp_prev, self.hp) = (0.0, 0.0, 0.0, 0.0, 0.0);
        self.floor = None;
        self.speaking = false;
    }
}
