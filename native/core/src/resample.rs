//! Streaming band-limited resampler: polyphase windowed sinc, Kaiser window.
//!
//! The same algorithm, constants and arithmetic as `gateway/src/codec/resample.ts`, so the
//! native and TypeScript paths produce the same samples (coefficients rounded to f32 the same
//! way, f64 accumulation, round-half-up). State carries across calls, so a stream cut into
//! frames of any size gives exactly the one-shot result.
//!
//! Filter tables are shared by every stream of the same rate pair (an `Arc` in a small cache
//! of weak references, so a table lives only while some stream uses it). The per-call path
//! writes into the caller's buffer and allocates nothing once the history buffer has grown to
//! the largest chunk seen (it is preallocated for 120 ms).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Taps each side of centre: ~80 dB stopband with beta 8.
const HALF_TAPS: f64 = 24.0;
const KAISER_BETA: f64 = 8.0;
/// Of the lower Nyquist: keeps 6 kHz at 16 kHz output, rejects aliasing.
const CUTOFF: f64 = 0.92;
/// Rates outside this range are surely a unit mistake (kHz, or bytes per second).
const RATE_RANGE: std::ops::RangeInclusive<u32> = 1000..=384_000;
/// Largest interpolation factor (after reducing the ratio) whose table we build: 48000/44100
/// needs 160; a coprime pair like 47999/48000 would need megabytes.
const MAX_PHASES: u32 = 4096;
/// History preallocated for chunks up to this long, so the steady state never grows it.
const PREALLOC_MS: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResampleError {
    /// A rate outside 1000..=384000 Hz, or a ratio that reduces to more than 4096 phases.
    InvalidSampleRate { input: u32, output: u32 },
    /// The output buffer cannot hold what this call produces (`needed` samples).
    BufferTooSmall { needed: usize, capacity: usize },
}

impl fmt::Display for ResampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResampleError::InvalidSampleRate { input, output } => write!(
                f,
                "invalid resampling {input} Hz -> {output} Hz: rates must be 1000..=384000 Hz and their ratio reduce to at most {MAX_PHASES} output steps (8000, 16000, 22050, 24000, 44100, 48000 all work)"
            ),
            ResampleError::BufferTooSmall { needed, capacity } => write!(
                f,
                "resampler output buffer too small: {capacity} available, {needed} needed (size it with maxOutput)"
            ),
        }
    }
}

impl std::error::Error for ResampleError {}

/// Coefficients for one rate pair, phase-major: `coeffs[phase * taps + j]`.
#[derive(Debug)]
struct Table {
    up: usize,
    down: usize,
    taps: usize,
    /// f32-rounded like the TypeScript table, stored widened so the dot product needs no conversion.
    coeffs: Vec<f64>,
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    for k in 1..50 {
        let r = x / (2.0 * k as f64);
        term *= r * r;
        sum += term;
        if term < 1e-12 * sum {
            break;
        }
    }
    sum
}

impl Table {
    // ! Every operation mirrors resample.ts in the same order, so both round to the same f32s.
    fn build(up: usize, down: usize) -> Self {
        let ratio = (up as f64 / down as f64).min(1.0);
        let fc = ratio * CUTOFF;
        let taps = 2 * (HALF_TAPS / ratio).ceil() as usize;
        let half = (taps / 2) as f64;
        let i0b = bessel_i0(KAISER_BETA);
        let mut coeffs = vec![0f64; up * taps];
        for (p, phase) in coeffs.chunks_exact_mut(taps).enumerate() {
            let frac = p as f64 / up as f64;
            let mut sum = 0.0f64;
            for (j, c) in phase.iter_mut().enumerate() {
                let d = j as f64 - (half - 1.0) - frac;
                let x = d / half;
                let w = if x.abs() >= 1.0 {
                    0.0
                } else {
                    bessel_i0(KAISER_BETA * (1.0 - x * x).sqrt()) / i0b
                };
                let s = if d == 0.0 {
                    1.0
                } else {
                    (std::f64::consts::PI * fc * d).sin() / (std::f64::consts::PI * fc * d)
                };
                let v = fc * s * w;
                *c = f64::from(v as f32);
                sum += v;
            }
            // Unity DC gain per phase, so a constant input stays constant.
            for c in phase.iter_mut() {
                *c = f64::from((*c / sum) as f32);
            }
        }
        Self {
            up,
            down,
            taps,
            coeffs,
        }
    }
}

/// (up, down) → the table, while any stream holds it.
type TableCache = Mutex<HashMap<(usize, usize), Weak<Table>>>;

fn shared_table(up: usize, down: usize) -> Arc<Table> {
    static CACHE: OnceLock<TableCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = map.get(&(up, down)).and_then(Weak::upgrade) {
        return t;
    }
    map.retain(|_, w| w.strong_count() > 0);
    let t = Arc::new(Table::build(up, down));
    map.insert((up, down), Arc::downgrade(&t));
    t
}

/// One mono int16 stream converted from `in_rate` to `out_rate`.
///
/// Output sample `k` is the input signal at time `k / out_rate`: the history is primed with
/// half a filter of silence, so there is no time shift. The price is that the newest
/// [`output_delay`](Self::output_delay) output samples of any input only come out once more
/// input (or [`flush_into`](Self::flush_into)) arrives.
pub struct Resampler {
    table: Arc<Table>,
    in_rate: u32,
    out_rate: u32,
    /// Input history widened to f64 (exact for i16), the layout the dot product wants.
    buf: Vec<f64>,
    /// Valid samples in `buf`.
    len: usize,
    /// Index in `buf` of the first tap of the next output.
    base: usize,
    /// Next output's fractional position, in 1/up steps.
    phase: usize,
}

impl Resampler {
    pub fn new(in_rate: u32, out_rate: u32) -> Result<Self, ResampleError> {
        let bad = ResampleError::InvalidSampleRate {
            input: in_rate,
            output: out_rate,
        };
        if !RATE_RANGE.contains(&in_rate) || !RATE_RANGE.contains(&out_rate) {
            return Err(bad);
        }
        let g = gcd(in_rate, out_rate);
        if out_rate / g > MAX_PHASES {
            return Err(bad);
        }
        let table = shared_table((out_rate / g) as usize, (in_rate / g) as usize);
        let capacity = table.taps + in_rate as usize * PREALLOC_MS / 1000;
        let mut r = Self {
            table,
            in_rate,
            out_rate,
            buf: vec![0.0; capacity],
            len: 0,
            base: 0,
            phase: 0,
        };
        r.reset();
        Ok(r)
    }

    pub fn input_rate(&self) -> u32 {
        self.in_rate
    }

    pub fn output_rate(&self) -> u32 {
        self.out_rate
    }

    /// Output samples the next `process_into` of `input_len` samples writes (exactly).
    pub fn output_frames_max(&self, input_len: usize) -> usize {
        self.outputs_for(self.len + input_len)
    }

    /// Output samples [`flush_into`](Self::flush_into) writes now.
    pub fn flush_frames(&self) -> usize {
        self.output_frames_max(self.table.taps)
    }

    /// How far the output lags the input consumed so far, in output samples: the filter's
    /// look-ahead of half its length. Not a time shift (see the type's docs) but latency.
    pub fn output_delay(&self) -> usize {
        (self.table.taps / 2 * self.table.up).div_ceil(self.table.down)
    }

    /// Resamples `input` into the front of `output` and returns the samples written.
    /// Errors (changing nothing) when `output` is shorter than `output_frames_max`.
    pub fn process_into(
        &mut self,
        input: &[i16],
        output: &mut [i16],
    ) -> Result<usize, ResampleError> {
        let needed = self.output_frames_max(input.len());
        if output.len() < needed {
            return Err(ResampleError::BufferTooSmall {
                needed,
                capacity: output.len(),
            });
        }
        self.append(input.iter().map(|&s| f64::from(s)), input.len());
        Ok(self.run(output))
    }

    /// Pushes the filter's tail out at the end of a stream, then resets for the next one.
    pub fn flush_into(&mut self, output: &mut [i16]) -> Result<usize, ResampleError> {
        let needed = self.flush_frames();
        if output.len() < needed {
            return Err(ResampleError::BufferTooSmall {
                needed,
                capacity: output.len(),
            });
        }
        let taps = self.table.taps;
        self.append(std::iter::repeat_n(0.0, taps), taps);
        let n = self.run(output);
        self.reset();
        Ok(n)
    }

    /// Forgets the stream: the next input starts a new one.
    pub fn reset(&mut self) {
        self.len = self.table.taps / 2 - 1;
        self.buf[..self.len].fill(0.0);
        self.base = 0;
        self.phase = 0;
    }

    /// Outputs produced with `len` valid history samples: count of k with
    /// base + floor((phase + k*down) / up) + taps <= len.
    fn outputs_for(&self, len: usize) -> usize {
        let Table { up, down, taps, .. } = *self.table;
        if self.base + taps > len {
            return 0;
        }
        let r = len - taps - self.base;
        ((r + 1) * up - self.phase).div_ceil(down)
    }

    fn append(&mut self, samples: impl Iterator<Item = f64>, count: usize) {
        let end = self.len + count;
        if end > self.buf.len() {
            // Only a chunk longer than any before it gets here.
            self.buf.resize(end.max(self.buf.len() * 2), 0.0);
        }
        for (slot, s) in self.buf[self.len..end].iter_mut().zip(samples) {
            *slot = s;
        }
        self.len = end;
    }

    fn run(&mut self, output: &mut [i16]) -> usize {
        let table = Arc::clone(&self.table);
        let Table {
            up,
            down,
            taps,
            ref coeffs,
        } = *table;
        // Whole and fractional input steps per output, so the loop needs no division.
        let (step, frac) = (down / up, down % up);
        let (mut base, mut phase, mut n) = (self.base, self.phase, 0);
        let buf = &self.buf[..self.len];
        while base + taps <= buf.len() {
            let acc = dot(&buf[base..][..taps], &coeffs[phase * taps..][..taps]);
            // Math.round in resample.ts rounds halves up, not away from zero.
            output[n] = (acc + 0.5).floor().clamp(-32768.0, 32767.0) as i16;
            n += 1;
            base += step;
            phase += frac;
            if phase >= up {
                phase -= up;
                base += 1;
            }
        }
        self.phase = phase;
        self.buf.copy_within(base..self.len, 0);
        self.len -= base;
        self.base = 0;
        n
    }
}

/// Dot product with eight partial sums, so it vectorises. Each product of an i16 and an
/// f32-valued coefficient is exact in f64, so the sum differs from the TypeScript running sum
/// only in the last bits of an f64, which moves the rounded int16 only when a sample lands
/// within ~1e-12 of a half.
#[inline]
fn dot(x: &[f64], c: &[f64]) -> f64 {
    let mut acc = [0f64; 8];
    let (xc, xr) = x.split_at(x.len() / 8 * 8);
    let (cc, cr) = c.split_at(xc.len());
    for (xs, cs) in xc.chunks_exact(8).zip(cc.chunks_exact(8)) {
        for k in 0..8 {
            acc[k] += xs[k] * cs[k];
        }
    }
    let mut sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (a, b) in xr.iter().zip(cr) {
        sum += a * b;
    }
    sum
}

/// Whole-buffer convenience wrapper (allocates): output length is `round(len * out / in)`.
pub fn resample(pcm: &[i16], in_rate: u32, out_rate: u32) -> Result<Vec<i16>, ResampleError> {
    let mut r = Resampler::new(in_rate, out_rate)?;
    let mut out = vec![0i16; r.output_frames_max(pcm.len())];
    let n = r.process_into(pcm, &mut out)?;
    out.resize(n + r.flush_frames(), 0);
    let m = r.flush_into(&mut out[n..])?;
    out.truncate(n + m);
    let expected = (pcm.len() as u64 * out_rate as u64 + in_rate as u64 / 2) / in_rate as u64;
    out.resize(expected as usize, 0);
    Ok(out)
}
