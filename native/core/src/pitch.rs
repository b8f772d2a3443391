//! How a stretch of speech ended, from its pitch: the cue a listener uses to tell "finished"
//! from "thinking". The Rust twin of `gateway/src/codec/turn-cues.ts`.
//!
//! ! Keep the two in step: integer sample sums are exact in f64 in both languages, and the rest
//!   is + − × ÷ √ in the same order, so both give the same F0 to the last bit.
//!
//! A speaker who stops mid-sentence to think holds the pitch level (a plateau, often on a
//! lengthened word); one who has finished falls to the bottom of their range (statements,
//! wh-questions) or rises (questions). So while a turn is spoken, every 40 ms of speech gets an
//! F0 from normalised autocorrelation at 8 kHz (80–500 Hz, children up to ~450 Hz); when the
//! speech stops, the last F0s are compared with the turn's median and with each other.

/// 16 kHz samples per 10 ms sub-frame; the tracker keeps 8 kHz (pairs summed).
const SUB: usize = 160;
const HALF: usize = SUB / 2;
/// Analysis window at 8 kHz: 30 ms, two periods of 80 Hz.
const WIN: usize = 240;
/// Lags at 8 kHz: 500 Hz down to 80 Hz.
const LAG_MIN: usize = 16;
const LAG_MAX: usize = 100;
const RING: usize = 512;
/// One more than the window plus the longest lag: the running energy steps past the last lag.
const SPAN: usize = WIN + LAG_MAX + 1;
/// Normalised autocorrelation a frame needs to count as voiced.
const VOICED_R: f64 = 0.6;
/// Lags within this share of the best one count as good; the shortest wins (no octave drops).
const OCTAVE_GUARD: f64 = 0.85;
/// F0s kept per turn (40 ms each: the last ~10 s).
const KEEP: usize = 256;
/// Analyse every this many sub-frames of speech.
const EVERY: u32 = 4;
/// The last F0 must be this close to the end of speech to say how it ended (ms). ? Generous:
/// the pitch that tells is on the last vowel, and a final consonant or Silero's overhang in
/// babble (it hears speech for a few hundred ms more) comes after it.
const RECENT_MS: u32 = 500;
/// End at or below this share of the turn's median F0: a final fall (≈ −1.3 semitones).
const FALL: f64 = 0.93;
/// End at or above this share of the lowest of the last F0s: a final rise (≈ +1.3 semitones).
const RISE: f64 = 1.08;

/// How the speech before a pause ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Fell to the bottom of the range or rose: the speaker sounds finished.
    Yield,
    /// Level pitch, above the bottom of the range: the speaker sounds mid-sentence.
    Hold,
    /// No voiced speech just before the pause, or too little of the turn to judge.
    Unknown,
}

/// Pitch of one turn's speech, fed one 10 ms sub-frame at 16 kHz at a time.
#[derive(Debug, Clone)]
pub struct PitchTracker {
    ring: [f64; RING],
    at: usize,
    filled: usize,
    tick: u32,
    f0: [f64; KEEP],
    /// F0s recorded this turn (the array keeps the last `KEEP`).
    count: usize,
    /// When the last F0 was recorded, ms.
    last_voiced_ms: u32,
    scratch: [f64; KEEP],
    span: [f64; SPAN],
}

impl Default for PitchTracker {
    fn default() -> Self {
        Self::new()
    }
}

impl PitchTracker {
    pub fn new() -> Self {
        Self {
            ring: [0.0; RING],
            at: 0,
            filled: 0,
            tick: 0,
            f0: [0.0; KEEP],
            count: 0,
            last_voiced_ms: 0,
            scratch: [0.0; KEEP],
            span: [0.0; SPAN],
        }
    }

    /// Forgets the turn's pitch (the audio history stays).
    pub fn new_turn(&mut self) {
        self.count = 0;
        self.tick = 0;
    }

    pub fn reset(&mut self) {
        self.ring = [0.0; RING];
        self.at = 0;
        self.filled = 0;
        self.new_turn();
    }

    /// Adds one sub-frame (160 samples at 16 kHz) ending at `now_ms`; `speech` sub-frames of a
    /// turn are analysed every 40 ms.
    pub fn push(&mut self, sub: &[i16], now_ms: u32, speech: bool) {
        debug_assert_eq!(sub.len(), SUB);
        for pair in sub.chunks_exact(2) {
            self.ring[self.at] = f64::from(i32::from(pair[0]) + i32::from(pair[1]));
            self.at = (self.at + 1) % RING;
        }
        self.filled = (self.filled + HALF).min(RING);
        if !speech {
            return;
        }
        self.tick += 1;
        if !self.tick.is_multiple_of(EVERY) || self.filled < SPAN {
            return;
        }
        if let Some(f0) = self.estimate() {
            self.f0[self.count % KEEP] = f0;
            self.count += 1;
            self.last_voiced_ms = now_ms;
        }
    }

    /// How the turn's speech, which stopped at `speech_end_ms`, ended.
    pub fn ending(&mut self, speech_end_ms: u32) -> Ending {
        let n = self.count.min(KEEP);
        if n < 4 || speech_end_ms.saturating_sub(self.last_voiced_ms) > RECENT_MS {
            return Ending::Unknown;
        }
        let last = |k: usize| self.f0[(self.count - 1 - k) % KEEP];
        let end = median3(last(0), last(1), last(2));
        let low = (0..n.min(6)).map(last).fold(f64::INFINITY, f64::min);
        self.scratch[..n].copy_from_slice(&self.f0[..n]);
        let turn = &mut self.scratch[..n];
        turn.sort_unstable_by(f64::total_cmp);
        let median = turn[n / 2];
        if end <= median * FALL || end >= low * RISE {
            Ending::Yield
        } else {
            Ending::Hold
        }
    }

    /// F0 (Hz) of the last 30 ms, or None when it is not clearly voiced.
    fn estimate(&mut self) -> Option<f64> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (std caches the check).
            return unsafe { self.estimate_avx2() };
        }
        self.run_estimate()
    }

    /// The same code compiled for AVX2: the lag products run 4 lanes wide (see `dot_exact`).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn estimate_avx2(&mut self) -> Option<f64> {
        self.run_estimate()
    }

    #[inline(always)]
    fn run_estimate(&mut self) -> Option<f64> {
        // The analysed span (window plus the longest lag), oldest first, in one straight run.
        let start = (self.at + RING - SPAN) % RING;
        for (i, v) in self.span.iter_mut().enumerate() {
            *v = self.ring[(start + i) % RING];
        }
        let span = &self.span;
        let x = |i: usize| span[i];
        let mut e0 = 0.0;
        for i in 0..WIN {
            e0 += x(i) * x(i);
        }
        if e0 == 0.0 {
            return None;
        }
        let mut e1 = 0.0;
        for i in LAG_MIN..LAG_MIN + WIN {
            e1 += x(i) * x(i);
        }
        let mut r = [0.0f64; LAG_MAX + 2];
        let mut best = 0.0;
        for (lag, r_lag) in r.iter_mut().enumerate().take(LAG_MAX + 1).skip(LAG_MIN) {
            let xy = dot_exact(&span[..WIN], &span[lag..lag + WIN]);
            *r_lag = if e1 > 0.0 { xy / (e0 * e1).sqrt() } else { 0.0 };
            if *r_lag > best {
                best = *r_lag;
            }
            e1 += x(lag + WIN) * x(lag + WIN) - x(lag) * x(lag);
        }
        if best < VOICED_R {
            return None;
        }
        // The shortest lag at a local peak within reach of the best: a sub-harmonic (twice
        // the period) correlates as well as the period itself.
        let lag = (LAG_MIN + 1..LAG_MAX)
            .find(|&l| r[l] >= OCTAVE_GUARD * best && r[l] >= r[l - 1] && r[l] >= r[l + 1])?;
        // Parabolic interpolation between the neighbouring lags.
        let (a, b, c) = (r[lag - 1], r[lag], r[lag + 1]);
        let den = a - 2.0 * b + c;
        let shift = if den < 0.0 { 0.5 * (a - c) / den } else { 0.0 };
        Some(8000.0 / (lag as f64 + shift))
    }
}

/// Sum of products of the 8 kHz samples (pair sums of i16, so |x| ≤ 2^16): every product and
/// partial sum is an integer below 2^53 (2^32 × WIN), so any order of summing gives the same f64
/// to the last bit. Eight lanes, which vectorise, and still turn-cues.ts's sequential sum exactly.
#[inline(always)]
fn dot_exact(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s: f64 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

fn median3(a: f64, b: f64, c: f64) -> f64 {
    a.max(b).min(a.min(b).max(c))
}
