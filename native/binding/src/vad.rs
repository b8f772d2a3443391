use napi::{Error, Status};
use napi_derive::napi;
use teddy_core::{TurnDetector, VadEvent};

/// Turn timing in ms; each one left out takes its default.
#[napi(object)]
pub struct VadOptions {
    /// Speech needed before a turn starts (default 90).
    pub start_ms: Option<u32>,
    /// Non-speech that ends a turn (default 500).
    pub hangover_ms: Option<u32>,
    /// Audio before the onset that belongs to the turn (default 300).
    pub preroll_ms: Option<u32>,
}

/// Speech detector with endpointing for one mono stream (8, 16, 24 or 48 kHz).
#[napi]
pub struct Vad {
    inner: TurnDetector,
    last_event_ms: u32,
}

#[napi]
impl Vad {
    #[napi(constructor, catch_unwind)]
    pub fn new(sample_rate: u32, options: Option<VadOptions>) -> napi::Result<Self> {
        let d = teddy_core::VadOptions::default();
        let o = options.unwrap_or(VadOptions {
            start_ms: None,
            hangover_ms: None,
            preroll_ms: None,
        });
        let opts = teddy_core::VadOptions {
            start_ms: o.start_ms.unwrap_or(d.start_ms),
            hangover_ms: o.hangover_ms.unwrap_or(d.hangover_ms),
            preroll_ms: o.preroll_ms.unwrap_or(d.preroll_ms),
        };
        let inner = TurnDetector::new(sample_rate, opts)
            .map_err(|e| Error::new(Status::InvalidArg, e.to_string()))?;
        Ok(Self {
            inner,
            last_event_ms: 0,
        })
    }

    /// Analyses a frame of any length: 0 nothing, 1 speech started, 2 speech ended.
    #[napi(catch_unwind)]
    pub fn process(&mut self, frame: &[i16]) -> u32 {
        match self.inner.push(frame) {
            VadEvent::None => 0,
            VadEvent::SpeechStart { preroll_ms } => {
                self.last_event_ms = preroll_ms;
                1
            }
            VadEvent::SpeechEnd { speech_ms } => {
                self.last_event_ms = speech_ms;
                2
            }
        }
    }

    /// Mean speech probability (0..1) over the last frame.
    #[napi(getter, catch_unwind)]
    pub fn probability(&self) -> f64 {
        self.inner.probability()
    }

    /// After a start: ms of audio (onset plus pre-roll) counting back from the frame's end.
    /// After an end: the turn's speech length in ms.
    #[napi(getter, catch_unwind)]
    pub fn last_event_ms(&self) -> u32 {
        self.last_event_ms
    }

    #[napi(catch_unwind)]
    pub fn reset(&mut self) {
        self.inner.reset();
        self.last_event_ms = 0;
    }
}
