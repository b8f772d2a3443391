//! Speech detector and turn endpointer, the Rust twin of `gateway/src/codec/vad.ts`.
//!
//! ! Keep the two in step: same constants, same order of operations, so native and fallback
//! gateways cut turns at the same frames (`test/unit/vad.test.ts` checks they agree).
//!
//! Frames are classified by Silero VAD (`silero.rs`), which holds in noise where energy cannot,
//! or, when asked for (and always in the fallback), by the cheap scorer in `energy.rs`.
//!
//! [`TurnDetector`] starts a turn after `start_ms` of (mostly) speech. A turn ends after a pause
//! whose length depends on how the speech before it ended (`pitch.rs`): `hangover_ms` when the
//! child sounds finished (pitch fell or rose), `hold_ms` when they sound mid-sentence (level
//! pitch), halfway between when the pitch cannot tell. Children stop to think for a second or
//! more; a fixed hangover either cuts them off or makes every answer wait.
//! Streams at 8, 24 or 48 kHz are resampled to 16 kHz first; nothing allocates per frame after
//! the first frames (the resampled buffer grows to the longest frame seen).

use std::fmt;

pub use crate::energy::SpeechScorer;
use crate::pitch::{Ending, PitchTracker};
use crate::resample::Resampler;
use crate::silero::{SILERO_WINDOW, SileroVad};

pub const VAD_RATES: [u32; 4] = [8000, 16000, 24000, 48000];
const SUB_MS: u32 = 10;
/// Everything after the resampler runs at 16 kHz.
const RATE: u32 = 16000;
const SUB: usize = 160;
/// Speech at or above this probability; a pause only counts below `QUIET` (hysteresis, as
/// Silero's own endpointing), so a wavering probability neither ends nor extends a pause.
const SPEECH: f64 = 0.5;
const QUIET: f64 = 0.35;
/// A Silero window peaking at or below this (−78 dBFS) is digital silence.
const DIGITAL_SILENCE: u16 = 4;
const MAX_OPTION_MS: u32 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VadError {
    InvalidSampleRate {
        rate: u32,
    },
    /// A duration out of range: whole ms, 1..=60000 (pre-roll may be 0), hold ≥ hangover.
    InvalidOption {
        name: &'static str,
        ms: u32,
    },
}

impl fmt::Display for VadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VadError::InvalidSampleRate { rate } => write!(
                f,
                "invalid VAD sample rate {rate} Hz: use 8000, 16000, 24000 or 48000"
            ),
            VadError::InvalidOption { name, ms } => write!(
                f,
                "invalid VAD option {name}={ms}: use whole ms, 1..={MAX_OPTION_MS} (preroll may be 0, holdMs at least hangoverMs)"
            ),
        }
    }
}

impl std::error::Error for VadError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classifier {
    /// Silero VAD, run every 32 ms (the default).
    Silero,
    /// The cheap energy/crossings/band scorer, as the TypeScript fallback runs it.
    Energy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VadOptions {
    /// Speech needed before a turn starts.
    pub start_ms: u32,
    /// Pause that ends a turn when the speech before it sounded finished.
    pub hangover_ms: u32,
    /// Pause that ends a turn when the speech before it sounded mid-sentence.
    pub hold_ms: u32,
    /// Audio before the detected onset that belongs to the turn.
    pub preroll_ms: u32,
    pub classifier: Classifier,
}

impl Default for VadOptions {
    fn default() -> Self {
        Self::with_classifier(Classifier::Silero)
    }
}

impl VadOptions {
    /// The defaults for `classifier`. ? Silero's probability falls ~100 ms after the voice
    /// stops (32 ms windows, its LSTM's memory) where the energy scorer's falls at once: the
    /// energy hangover is that much longer, so both end a finished turn as soon.
    pub fn with_classifier(classifier: Classifier) -> Self {
        Self {
            start_ms: 90,
            hangover_ms: match classifier {
                Classifier::Silero => 300,
                Classifier::Energy => 400,
            },
            hold_ms: 1600,
            preroll_ms: 300,
            classifier,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VadEvent {
    None,
    /// The turn's audio is the last `preroll_ms` ms, counting back from the end of the frames
    /// pushed so far: the onset plus the pre-roll, capped at the stream's start.
    SpeechStart {
        preroll_ms: u32,
    },
    /// The turn had `speech_ms` of speech, onset to last speech (the hangover not counted).
    SpeechEnd {
        speech_ms: u32,
    },
}

/// Frame classifier state: the scorer, or Silero with its 32 ms window being filled.
enum Frames {
    Energy(SpeechScorer),
    Silero {
        net: Box<SileroVad>,
        window: Box<[f32; SILERO_WINDOW]>,
        len: usize,
        /// Largest magnitude in the window so far.
        peak: u16,
        p: f64,
    },
}

impl Frames {
    fn score(&mut self, sub: &[i16]) -> f64 {
        match self {
            Frames::Energy(scorer) => scorer.score(sub),
            Frames::Silero {
                net,
                window,
                len,
                peak,
                p,
            } => {
                for &s in sub {
                    window[*len] = f32::from(s) / 32768.0;
                    *peak = (*peak).max(s.unsigned_abs());
                    *len += 1;
                    if *len == SILERO_WINDOW {
                        // ? Digital silence is not fed to the network: after it, the onset of
                        //   plain hiss looked like speech to it for up to half a second, while
                        //   the same hiss from a fresh state never does. It also costs nothing.
                        *p = if *peak <= DIGITAL_SILENCE {
                            0.0
                        } else {
                            f64::from(net.process(window))
                        };
                        (*len, *peak) = (0, 0);
                    }
                }
                *p
            }
        }
    }

    fn reset(&mut self) {
        match self {
            Frames::Energy(scorer) => scorer.reset(),
            Frames::Silero {
                net, len, peak, p, ..
            } => {
                net.reset();
                (*len, *peak, *p) = (0, 0, 0.0);
            }
        }
    }
}

/// Speech detector with endpointing for one mono stream. Frames may have any length; they
/// are analysed in 10 ms sub-frames, a partial one carried over to the next push.
pub struct TurnDetector {
    frames: Frames,
    pitch: PitchTracker,
    opts: VadOptions,
    resampler: Option<Resampler>,
    resampled: Vec<i16>,
    rest: [i16; SUB],
    rest_len: usize,
    p: f64,
    /// End of the last analysed sub-frame.
    now_ms: u32,
    in_speech: bool,
    /// Leaky count of recent speech while waiting for a start.
    run_ms: u32,
    onset_ms: u32,
    /// Where the turn's audio starts, pre-roll included.
    turn_from_ms: u32,
    silence_ms: u32,
    last_speech_ms: u32,
    /// The pause that ends the turn, chosen when the current pause began.
    hangover_ms: u32,
}

impl TurnDetector {
    pub fn new(sample_rate: u32, opts: VadOptions) -> Result<Self, VadError> {
        if !VAD_RATES.contains(&sample_rate) {
            return Err(VadError::InvalidSampleRate { rate: sample_rate });
        }
        for (name, ms, min) in [
            ("startMs", opts.start_ms, 1),
            ("hangoverMs", opts.hangover_ms, 1),
            ("holdMs", opts.hold_ms, opts.hangover_ms.max(1)),
            ("prerollMs", opts.preroll_ms, 0),
        ] {
            if ms < min || ms > MAX_OPTION_MS {
                return Err(VadError::InvalidOption { name, ms });
            }
        }
        let frames = match opts.classifier {
            Classifier::Energy => Frames::Energy(SpeechScorer::new(RATE)?),
            Classifier::Silero => Frames::Silero {
                net: Box::new(SileroVad::new()),
                window: Box::new([0.0; SILERO_WINDOW]),
                len: 0,
                peak: 0,
                p: 0.0,
            },
        };
        let resampler = (sample_rate != RATE)
            .then(|| Resampler::new(sample_rate, RATE))
            .transpose()
            .map_err(|_| VadError::InvalidSampleRate { rate: sample_rate })?;
        Ok(Self {
            frames,
            pitch: PitchTracker::new(),
            opts,
            resampler,
            resampled: Vec::new(),
            rest: [0; SUB],
            rest_len: 0,
            p: 0.0,
            now_ms: 0,
            in_speech: false,
            run_ms: 0,
            onset_ms: 0,
            turn_from_ms: 0,
            silence_ms: 0,
            last_speech_ms: 0,
            hangover_ms: opts.hangover_ms,
        })
    }

    /// Mean speech probability over the sub-frames of the last push.
    pub fn probability(&self) -> f64 {
        self.p
    }

    pub fn is_speaking(&self) -> bool {
        self.in_speech
    }

    /// Analyses one frame. Reports at most one event; a second one in the same frame comes
    /// with the next push.
    pub fn push(&mut self, frame: &[i16]) -> VadEvent {
        let mut buf = std::mem::take(&mut self.resampled);
        let pcm = match self.resampler.as_mut() {
            Some(r) => {
                let need = r.output_frames_max(frame.len());
                if buf.len() < need {
                    buf.resize(need, 0);
                }
                let n = r
                    .process_into(frame, &mut buf)
                    .expect("buffer sized by output_frames_max");
                &buf[..n]
            }
            None => frame,
        };
        let event = self.push16(pcm);
        self.resampled = buf;
        event
    }

    fn push16(&mut self, frame: &[i16]) -> VadEvent {
        let (mut event, mut sum, mut count) = (VadEvent::None, 0.0, 0u32);
        let mut rest_of_frame = frame;
        if self.rest_len > 0 {
            let take = (SUB - self.rest_len).min(frame.len());
            self.rest[self.rest_len..self.rest_len + take].copy_from_slice(&frame[..take]);
            self.rest_len += take;
            rest_of_frame = &frame[take..];
            if self.rest_len == SUB {
                let sub = self.rest;
                let p = self.analyse(&sub);
                (sum, count) = (sum + p, count + 1);
                event = self.step(p, event);
                self.rest_len = 0;
            }
        }
        let mut subs = rest_of_frame.chunks_exact(SUB);
        for sub in &mut subs {
            let p = self.analyse(sub);
            (sum, count) = (sum + p, count + 1);
            event = self.step(p, event);
        }
        let tail = subs.remainder();
        self.rest[self.rest_len..self.rest_len + tail.len()].copy_from_slice(tail);
        self.rest_len += tail.len();
        if count > 0 {
            self.p = sum / f64::from(count);
        }
        // The pre-roll counts back from the end of what this push analysed, where the caller is.
        match event {
            VadEvent::SpeechStart { .. } => VadEvent::SpeechStart {
                preroll_ms: self.now_ms - self.turn_from_ms,
            },
            e => e,
        }
    }

    pub fn reset(&mut self) {
        self.frames.reset();
        self.pitch.reset();
        if let Some(r) = self.resampler.as_mut() {
            r.reset();
        }
        self.rest_len = 0;
        self.p = 0.0;
        self.now_ms = 0;
        self.in_speech = false;
        self.run_ms = 0;
        self.onset_ms = 0;
        self.turn_from_ms = 0;
        self.silence_ms = 0;
        self.last_speech_ms = 0;
        self.hangover_ms = self.opts.hangover_ms;
    }

    fn analyse(&mut self, sub: &[i16]) -> f64 {
        let p = self.frames.score(sub);
        self.pitch
            .push(sub, self.now_ms + SUB_MS, self.in_speech && p >= SPEECH);
        p
    }

    /// The pause that ends the turn after speech that ended like this.
    fn hangover_for(&self, ending: Ending) -> u32 {
        let (short, long) = (self.opts.hangover_ms, self.opts.hold_ms);
        match ending {
            Ending::Yield => short,
            Ending::Hold => long,
            Ending::Unknown => short + (long - short) / 2,
        }
    }

    // One 10 ms sub-frame through the endpointer. A transition waits while this push already
    // has an event, so each push reports at most one and the next push reports the other.
    fn step(&mut self, p: f64, event: VadEvent) -> VadEvent {
        let start = self.now_ms;
        self.now_ms += SUB_MS;
        let speech = p >= SPEECH;
        let free = event == VadEvent::None;
        if !self.in_speech {
            if speech {
                if self.run_ms == 0 {
                    self.onset_ms = start;
                }
                self.run_ms += SUB_MS;
            } else {
                // Gaps decay the count twice as fast as speech builds it: flickers of noise
                // never add up to a start, a consonant's dip does not restart the count.
                self.run_ms = self.run_ms.saturating_sub(2 * SUB_MS);
            }
            if free && self.run_ms >= self.opts.start_ms {
                self.in_speech = true;
                self.silence_ms = 0;
                self.last_speech_ms = self.now_ms;
                self.turn_from_ms = self.onset_ms.saturating_sub(self.opts.preroll_ms);
                self.pitch.new_turn();
                return VadEvent::SpeechStart { preroll_ms: 0 };
            }
            return event;
        }
        if speech {
            self.silence_ms = 0;
            self.last_speech_ms = self.now_ms;
        } else if p < QUIET {
            if self.silence_ms == 0 {
                let ending = self.pitch.ending(self.last_speech_ms);
                self.hangover_ms = self.hangover_for(ending);
            }
            self.silence_ms += SUB_MS;
        }
        if free && self.silence_ms >= self.hangover_ms {
            self.in_speech = false;
            self.run_ms = 0;
            return VadEvent::SpeechEnd {
                speech_ms: self.last_speech_ms - self.onset_ms,
            };
        }
        event
    }
}
