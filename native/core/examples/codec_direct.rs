//! The "direct" column of `bench/codec.ts`: the same per-frame work as the native module, on the
//! same input, with the same buffers, but calling `teddy_core` (libopus, LAME, the resampler and
//! the Silero VAD) straight from Rust, no N-API. native / direct is then the N-API and wrapper
//! overhead alone.
//!
//! cargo run --release --target <host triple> --example codec_direct -- <input dir>
//!
//! The bench writes the input dir (bench/lib/codec-input.ts) and drives this process over
//! stdin so its runs interleave with the in-process ones: each line `<op> <iterations> <warmup>`
//! is answered by one line, µs per iteration of the timed part. The op state (decoder, encoders,
//! VAD, ...) lives as long as the process, as the bench's own does. `digest <op> <iterations>`
//! runs the op with its outputs hashed (FNV-1a, 32 bit) and answers the hash: the bench compares
//! it with the native path's before timing anything, so "the same work" is checked, not assumed.

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use teddy_core::{
    Application, Decoder, Encoder, Mp3Encoder, Push, Repacketizer, Resampler, TurnDetector,
    VadEvent, VadOptions,
};

type Error = Box<dyn std::error::Error>;

// Production settings; bench/lib/codec-ops.ts holds the same ones for the JS paths.
const UPLINK_RATE: u32 = 16_000;
const UPLINK_FRAME: usize = 960; // 60 ms at 16 kHz
const TOY_RATE: u32 = 24_000;
const TOY_FRAME: usize = 1_440; // 60 ms at 24 kHz
const DOWNLINK_BPS: i64 = 24_000;
const MP3_RATE: u32 = 22_050;
const MP3_KBPS: u32 = 32;
const MP3_CHUNK: usize = 4 * 1_323; // 240 ms at 22.05 kHz, one provider chunk
const REPACKETIZE_48K: u32 = 2_880; // 60 ms

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

fn read_pcm(path: &Path) -> Result<Vec<i16>, Error> {
    let bytes = std::fs::read(path)?;
    Ok(bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect())
}

fn frames(pcm: &[i16], size: usize) -> Vec<Vec<i16>> {
    pcm.chunks_exact(size).map(<[i16]>::to_vec).collect()
}

/// FNV-1a over what an op produced; off while timing (one predictable branch per output).
struct Digest {
    on: bool,
    hash: u32,
}

impl Digest {
    fn new(on: bool) -> Self {
        Self {
            on,
            hash: 0x811c_9dc5,
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        if self.on {
            for b in bytes {
                self.hash = (self.hash ^ u32::from(*b)).wrapping_mul(16_777_619);
            }
        }
    }

    fn pcm(&mut self, pcm: &[i16]) {
        if self.on {
            for s in pcm {
                self.bytes(&s.to_le_bytes());
            }
        }
    }
}

/// One benchmarked operation: `run(n, digest)` does n iterations, keeping its state between calls.
type Op = Box<dyn FnMut(usize, &mut Digest)>;

/// `band_hz`: the audio band cap (8000 = wideband, 20000 = none), as the load step sets it.
fn encoder_op(speech24: &[Vec<i16>], complexity: i64, band_hz: u32) -> Result<Op, Error> {
    let mut enc = Encoder::new(TOY_RATE, 1, Application::Voip)?;
    enc.set_bitrate(DOWNLINK_BPS)?;
    enc.set_complexity(complexity)?;
    enc.set_max_bandwidth(band_hz)?;
    let input = speech24.to_vec();
    let mut out = [0u8; 1500];
    let mut j = 0;
    Ok(Box::new(move |n, d| {
        for _ in 0..n {
            let len = black_box(enc.encode(&input[j % input.len()], &mut out).unwrap_or(0));
            d.bytes(&out[..len]);
            j += 1;
        }
    }))
}

fn resample_op(input: Vec<Vec<i16>>, from: u32, to: u32) -> Result<Op, Error> {
    let mut r = Resampler::new(from, to)?;
    // ? The same worst-case size as the JS side (the buffered tail changes per call).
    let mut out = vec![0i16; 2 * (to as usize * 60).div_ceil(1000) + 64];
    let mut j = 0;
    Ok(Box::new(move |n, d| {
        for _ in 0..n {
            let len = black_box(
                r.process_into(&input[j % input.len()], &mut out)
                    .unwrap_or(0),
            );
            d.pcm(&out[..len]);
            j += 1;
        }
    }))
}

fn ops(dir: &Path) -> Result<HashMap<&'static str, Op>, Error> {
    let uplink = read_packets(&std::fs::read(dir.join("uplink-16k-60ms.opuspackets"))?)?;
    let answer = read_packets(&std::fs::read(dir.join("answer-48k-20ms.opuspackets"))?)?;
    let speech16 = frames(&read_pcm(&dir.join("speech-16k.pcm"))?, UPLINK_FRAME);
    let speech24 = frames(&read_pcm(&dir.join("speech-24k.pcm"))?, TOY_FRAME);
    let pcm22 = read_pcm(&dir.join("speech-22k.pcm"))?;
    if uplink.is_empty() || answer.len() < 3 || speech16.is_empty() || speech24.is_empty() {
        return Err("input dir holds too little audio".into());
    }
    if pcm22.len() <= MP3_CHUNK {
        return Err("speech-22k.pcm is shorter than one MP3 chunk".into());
    }
    let mut ops: HashMap<&'static str, Op> = HashMap::new();

    let mut dec = Decoder::new(UPLINK_RATE, 1)?;
    let mut pcm = vec![0i16; UPLINK_FRAME];
    let mut i = 0;
    ops.insert(
        "decode",
        Box::new(move |n, d| {
            for _ in 0..n {
                let len =
                    black_box(dec.decode(Some(&uplink[i % uplink.len()]), &mut pcm)).unwrap_or(0);
                d.pcm(&pcm[..len]);
                i += 1;
            }
        }),
    );

    let mut vad = TurnDetector::new(UPLINK_RATE, VadOptions::default())?;
    let vad_input = speech16.clone();
    let mut v = 0;
    ops.insert(
        "vad",
        Box::new(move |n, d| {
            for _ in 0..n {
                let event = black_box(vad.push(&vad_input[v % vad_input.len()]));
                if d.on {
                    let code: u8 = match event {
                        VadEvent::None => 0,
                        VadEvent::SpeechStart { .. } => 1,
                        VadEvent::SpeechEnd { .. } => 2,
                    };
                    // ? Probability to 1e-6: f64 printing differs between the two sides, this does not.
                    let p = (vad.probability() * 1e6).round() as i32;
                    d.bytes(&[code]);
                    d.bytes(&p.to_le_bytes());
                }
                v += 1;
            }
        }),
    );

    // The load steps of session/downlink.ts (ENCODE_STEPS) in its 8 kHz band, and c5 and c1
    // with no band cap (the steps before it) for comparison.
    ops.insert("encode c5 wb", encoder_op(&speech24, 5, 8_000)?);
    ops.insert("encode c3 wb", encoder_op(&speech24, 3, 8_000)?);
    ops.insert("encode c1 wb", encoder_op(&speech24, 1, 8_000)?);
    ops.insert("encode c5 fb", encoder_op(&speech24, 5, 20_000)?);
    ops.insert("encode c1 fb", encoder_op(&speech24, 1, 20_000)?);
    ops.insert(
        "resample 16k→24k",
        resample_op(speech16.clone(), UPLINK_RATE, TOY_RATE)?,
    );
    ops.insert(
        "resample 24k→16k",
        resample_op(speech24.clone(), TOY_RATE, UPLINK_RATE)?,
    );

    let mut rp = Repacketizer::new(REPACKETIZE_48K)?;
    let mut joined = vec![0u8; 8192];
    let mut k = 0;
    ops.insert(
        "repacketize 3×20 ms",
        Box::new(move |n, d| {
            for _ in 0..n {
                for _ in 0..3 {
                    let pushed = rp.push(&answer[k % answer.len()], &mut joined);
                    // The joined packet is copied out, as the downlink (and the JS side) does.
                    if let Ok(Push::Ready(len)) = pushed {
                        d.bytes(&black_box(joined[..len].to_vec()));
                    }
                    k += 1;
                }
            }
        }),
    );

    let mut mp3 = Mp3Encoder::new(MP3_RATE, MP3_KBPS)?;
    let mut mp3_out = vec![0u8; Mp3Encoder::max_output(MP3_CHUNK)];
    let mut m = 0;
    ops.insert(
        "mp3 encode 240 ms",
        Box::new(move |n, d| {
            for _ in 0..n {
                let at = (m * MP3_CHUNK) % (pcm22.len() - MP3_CHUNK);
                let len =
                    black_box(mp3.encode(&pcm22[at..at + MP3_CHUNK], &mut mp3_out)).unwrap_or(0);
                d.bytes(&mp3_out[..len]);
                m += 1;
            }
        }),
    );
    Ok(ops)
}

fn op_named<'a>(ops: &'a mut HashMap<&'static str, Op>, name: &str) -> Result<&'a mut Op, Error> {
    ops.get_mut(name)
        .ok_or_else(|| format!("unknown op {name:?}").into())
}

fn main() -> Result<(), Error> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: codec_direct <input dir>")?;
    let mut ops = ops(Path::new(&dir))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "ready")?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let ["digest", name @ .., iterations] = parts.as_slice() {
            let op = op_named(&mut ops, &name.join(" "))?;
            let mut d = Digest::new(true);
            op(iterations.parse()?, &mut d);
            writeln!(out, "{}", d.hash)?;
        } else if let [name @ .., iterations, warmup] = parts.as_slice() {
            // The op name holds spaces: the last two words are the counts.
            let op = op_named(&mut ops, &name.join(" "))?;
            let (iterations, warmup): (usize, usize) = (iterations.parse()?, warmup.parse()?);
            let mut off = Digest::new(false);
            op(warmup, &mut off);
            let t = Instant::now();
            op(iterations, &mut off);
            let us = t.elapsed().as_secs_f64() * 1e6 / iterations.max(1) as f64;
            writeln!(out, "{us:.4}")?;
        } else {
            return Err(format!("bad command {line:?}").into());
        }
        out.flush()?;
    }
    Ok(())
}
