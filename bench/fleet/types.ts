// Shapes shared by the fleet orchestrator (bench/fleet/run.ts) and its worker processes.

import type { VadEndTables } from './uplink-audio'

export type Scenario = 'idle' | 'talk' | 'storm' | 'soak'
export type ToyProtocol = 'v1' | 'v2' | 'v3' | 'seed'
/**
 * How a xiaozhi toy listens (PROTOCOL.md `listen.mode`): manual sends `listen stop`; auto streams the
 * microphone until the gateway's VAD ends the turn; realtime also streams while the answer plays.
 * Seed-json toys always end a turn with audio_end (manual).
 */
export type ListenMode = 'manual' | 'auto' | 'realtime'

/** What one worker needs to drive its share of the fleet. Plain JSON: it crosses the IPC channel. */
export interface ToyPlan {
	/** Gateway base, ws://host:port (paths are the protocol's own). */
	url: string
	secret: string
	scenario: Scenario
	/** Device ids and protocols of this worker's toys. */
	toys: Array<{ id: string; protocol: ToyProtocol; listen: ListenMode }>
	/** Connections are spread evenly over this window. */
	rampMs: number
	/** Heartbeat (`ping`) interval of a toy that is not talking. */
	heartbeatMs: number
	/** Share of toys that talk (talk: 1, soak: e.g. 0.2, idle/storm: 0). */
	talkShare: number
	/** Think time between the end of an answer and the next turn, uniform in [min, max]. */
	pauseMs: [number, number]
	/** Share of turns in which the toy barges in (abort / new audio_start) mid-answer. */
	bargeInShare: number
	/** Fake provider settings, when known: they let the toy count missing frames and the gateway's own latency. */
	providerLatencyMs: number | null
	answerMs: number | null
	/** The answers carry the fake's stamp, so provider answers and cached lines can be told apart. */
	providerKnown: boolean
	/** Manual toys: a ping follows every k-th uplink frame; its pong round trip is a (decode-free) probe. */
	ingestProbeEvery: number
	/** Reconnect after an unexpected close (storm): full-jitter exponential backoff. */
	reconnect: boolean
	backoffMs: [number, number]
	/** No audio within this long after end of speech: the turn counts as unanswered ("no audio"). */
	answerTimeoutMs: number
	/** An answer that started and then neither ended nor kept up with real time for this long: "playback over timeout". */
	playbackGraceMs: number
	/** Uplink speech: base64 of the .opuspackets file (16 kHz mono, 60 ms packets). */
	packets: string[]
	/** Microphone between utterances (noise floor, same framing): auto/realtime toys stream it while listening. */
	silence: string[]
	/**
	 * By frames of silence streamed since listen start (the lead): index, in the speech followed by
	 * silence, of the frame on which the gateway's VAD ends the turn (found by running the gateway's
	 * codec VAD over the same packets); null when unknown.
	 */
	vadEndFrame: VadEndTables
}

/** Raw figures from one worker; the orchestrator merges and summarizes them. */
export interface ToyResult {
	toys: number
	handshakes: { attempted: number; ok: number; failed: number; failures: Record<string, number>; ms: number[] }
	/** Toys whose socket was open when the run stopped. */
	held: number
	unexpectedCloses: Record<string, number>
	/**
	 * fixedLine: answered with one of the gateway's cached lines instead of the provider (no stamp;
	 * only counted when the provider is known). unanswered = noAudio + playbackOverTimeout.
	 * endpointed: turns the gateway's VAD ended (auto/realtime); vadMissed: the VAD never did.
	 */
	turns: {
		started: number
		answered: number
		unanswered: number
		noAudio: number
		playbackOverTimeout: number
		bargedIn: number
		fixedLine: number
		endpointed: number
		vadMissed: number
		/**
		 * Turns the gateway ended and answered with no `stt`: its busy line, when admission control
		 * sheds new turns (session/admission.ts). Not the VAD missing the end.
		 */
		shed: number
		/** Turns the child went on after a pause the VAD had ended them on, before any answer audio (one turn). */
		continued: number
	}
	uplinkFrames: number
	uplinkBytes: number
	downlinkFrames: number
	downlinkBytes: number
	/** Frames missing from complete (not barged-in) answers, counted against the fake provider's length. */
	framesLost: number
	/** Sequence gaps (seed-json `seq`) and sends the client could not make. */
	seqGaps: number
	uplinkSendFailures: number
	/** ms samples. ingestMs: manual toys' ping-after-frame round trip (no decode behind it). */
	ingestMs: number[]
	/** Auto/realtime: the frame the VAD ends the turn on is sent → `stt` arrives (decode + VAD + turn start). */
	endpointMs: number[]
	/** Every answer, whoever made it: end of speech → first frame. */
	anyFirstFrameMs: number[]
	heartbeatRttMs: number[]
	/** Provider answers only (stamped). */
	endOfSpeechToFirstFrameMs: number[]
	fixedLineFirstFrameMs: number[]
	providerToFirstFrameMs: number[]
	pacingJitterMs: number[]
	bargeInStopMs: number[]
	/** Storm: ms from the gateway's 1012 close to the toy's next successful handshake. */
	reconnectMs: number[]
	/** First line of each distinct error message seen, with counts (for the report). */
	errors: Record<string, number>
}

export type WorkerToParent =
	| { type: 'connected'; held: number; failed: number }
	/** Progress, once a second: how many of this worker's toys hold an open, greeted socket. */
	| { type: 'held'; held: number }
	| { type: 'result'; result: ToyResult }

export type ParentToWorker = { type: 'start'; plan: ToyPlan } | { type: 'stop' }
