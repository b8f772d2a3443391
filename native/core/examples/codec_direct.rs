//! The physical limit for `bench/codec.ts`: libopus called straight from Rust,
//! no N-API, on the same packets. Prints one JSON object on stdout.
//!
//! cargo run --release --example codec_direct -- bench/assets/speech-16k.opuspackets
//!
//! The packet file is `u16 big-endian length | packet` repeated (see
//! bench/lib/packets.ts): 16 kHz mono, 60 ms frames.

use std::hint::black_box;
use std::time::Instant;

use teddy_core::{Application, Decoder, Encoder, Mp3Encoder, Repacketizer, Resampler};

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

    let all: Vec<i16> = speech.concat();
    let downlink = downlink_ops(&all)?;

    println!(
        "{{\"packets\":{},\"runs\":{RUNS},\"decodeFrames\":{DECODE_FRAMES},\"encodeFrames\":{ENCODE_FRAMES},\"decodeUs\":{decode_us:.3},\"encodeUs\":{{{}}},\"downlinkUs\":{{{}}}}}",
        packets.len(),
        encode.join(","),
        downlink.join(",")
    );
    Ok(())
}

fn resample_all(pcm: &[i16], from: u32, to: u32) -> Result<Vec<i16>, Box<dyn std::error::Error>> {
    let mut r = Resampler::new(from, to)?;
    let mut out = vec![0i16; r.output_frames_max(pcm.len())];
    let n = r.process_into(pcm, &mut out)?;
    out.truncate(n);
    Ok(out)
}

/// Per 60 ms of answer (bench/lib/downlink-ops.ts): the speech API's three 20 ms frames joined
/// (repacketize) or transcoded at a toy's 24 kHz, and MP3 at 22.05 kHz fed 240 ms at a time.
fn downlink_ops(speech16: &[i16]) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let pcm48 = resample_all(speech16, RATE, 48_000)?;
    let mut enc = Encoder::new(48_000, 1, Application::Audio)?;
    let mut buf = [0u8; 1500];
    let mut packets = Vec::new();
    for f in pcm48.chunks_exact(960) {
        let n = enc.encode(f, &mut buf)?;
        packets.push(buf[..n].to_vec());
    }
    packets.truncate(packets.len() - packets.len() % 3);
    let mut out = Vec::new();

    let mut rp = Repacketizer::new(2880)?;
    let mut joined = vec![0u8; 8192];
    let mut i = 0;
    let us = median_us(2000, |groups| {
        for _ in 0..groups {
            for _ in 0..3 {
                black_box(rp.push(&packets[i % packets.len()], &mut joined).ok());
                i += 1;
            }
        }
    });
    out.push(format!("\"repacketize 3×20 ms\":{us:.3}"));

    for complexity in [0, 5] {
        let mut dec = Decoder::new(24_000, 1)?;
        let mut enc = Encoder::new(24_000, 1, Application::Voip)?;
        enc.set_bitrate(24_000)?;
        enc.set_complexity(complexity)?;
        let mut frame = vec![0i16; 1440];
        let mut j = 0;
        let us = median_us(300, |groups| {
            for _ in 0..groups {
                for s in 0..3 {
                    let part = &mut frame[s * 480..(s + 1) * 480];
                    black_box(dec.decode(Some(&packets[j % packets.len()]), part).ok());
                    j += 1;
                }
                black_box(enc.encode(&frame, &mut buf).ok());
            }
        });
        out.push(format!("\"transcode 3×20 ms c{complexity}\":{us:.3}"));
    }

    let pcm22 = resample_all(speech16, RATE, 22_050)?;
    let chunk = 4 * 1323;
    let mut mp3 = Mp3Encoder::new(22_050, 32)?;
    let mut mp3_out = vec![0u8; Mp3Encoder::max_output(chunk)];
    let mut m = 0;
    let per_chunk = median_us(60, |chunks| {
        for _ in 0..chunks {
            let at = (m * chunk) % (pcm22.len() - chunk);
            black_box(mp3.encode(&pcm22[at..at + chunk], &mut mp3_out).ok());
            m += 1;
        }
    });
    out.push(format!("\"mp3 encode 60 ms\":{:.3}", per_chunk / 4.0));
    Ok(out)
}
