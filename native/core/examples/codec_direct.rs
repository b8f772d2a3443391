//! The physical limit for `bench/codec.ts`: libopus called straight from Rust,
//! no N-API, on the same packets. Prints one JSON object on stdout.
//!
//! cargo run --release --example codec_direct -- bench/assets/speech-16k.opuspackets
//!
//! The packet file is `u16 big-endian length | packet` repeated (see
//! bench/lib/packets.ts): 16 kHz mono, 60 ms frames.

use std::hint::black_box;
use std::time::Instant;

use teddy_core::{Application, Decoder, Encoder};

const RATE: u32 = 16_000;
const FRAME: usize = 960;
const RUNS: usize = 7;
const DECODE_FRAMES: usize = 3_000;
const ENCODE_FRAMES: usize = 500;

fn read_packets(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let [hi, lo, tail @ ..] = rest else {
            return Err("truncated length prefix".into());
        };
        let len = u16::from_be_bytes([*hi, *lo]) as usize;
        if len == 0 || tail.len() < len {
            return Err(format!("bad packet length {len}"));
        }
        out.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    Ok(out)
}

/// Median over `RUNS` timed runs (after one warm-up run) of µs per frame.
fn median_us(frames: usize, mut run: impl FnMut(usize)) -> f64 {
    run(frames);
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            run(frames);
            t.elapsed().as_secs_f64() * 1e6 / frames as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: codec_direct <file.opuspackets>")?;
    let packets = read_packets(&std::fs::read(&path)?)?;
    if packets.is_empty() {
        return Err("no packets".into());
    }

    let mut dec = Decoder::new(RATE, 1)?;
    let mut pcm = vec![0i16; FRAME];
    let mut speech: Vec<Vec<i16>> = Vec::with_capacity(packets.len());
    for p in &packets {
        let n = dec.decode(Some(p), &mut pcm)?;
        speech.push(pcm[..n].to_vec());
    }

    let mut i = 0;
    let decode_us = median_us(DECODE_FRAMES, |frames| {
        for _ in 0..frames {
            let n = dec.decode(Some(&packets[i % packets.len()]), &mut pcm);
            black_box(n.ok());
            i += 1;
        }
    });

    let mut encode = Vec::new();
    let mut out = [0u8; 1500];
    for complexity in [0, 5, 10] {
        let mut enc = Encoder::new(RATE, 1, Application::Voip)?;
        enc.set_complexity(complexity)?;
        let mut j = 0;
        let us = median_us(ENCODE_FRAMES, |frames| {
            for _ in 0..frames {
                let n = enc.encode(&speech[j % speech.len()], &mut out);
                black_box(n.ok());
                j += 1;
            }
        });
        encode.push(format!("\"{complexity}\":{us:.3}"));
    }

    println!(
        "{{\"packets\":{},\"runs\":{RUNS},\"decodeFrames\":{DECODE_FRAMES},\"encodeFrames\":{ENCODE_FRAMES},\"decodeUs\":{decode_us:.3},\"encodeUs\":{{{}}}}}",
        packets.len(),
        encode.join(",")
    );
    Ok(())
}
