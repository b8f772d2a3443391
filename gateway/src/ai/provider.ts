// One interface for every AI provider. Providers know nothing of sockets or wire formats:
// a turn goes in, a stream of events comes out, and the signal cancels it at any point.

export type AgeBand = '3-5' | '6-9' | '10-13'

export interface ChildProfile {
	id: string
	name: string
	age: number
	/** The learning programme's current lesson goal, set by the safety layer; added to the system prompt. */
	lesson?: string
	/** ISO 3166-1 alpha-2 country, for the crisis reply's helpline (the parents package fills it from the child's profile). */
	country?: string
	/** The child's usual language (BCP 47 primary tag, e.g. "es"), when a parent set it. */
	language?: string
}

export interface HistoryEntry {
	role: 'child' | 'assistant'
	text: string
}

/** When a turn passed each stage (performance.now()); obs/metrics.ts turns them into histograms. */
export interface TurnMarks {
	endOfSpeechAt: number
	/** The answering provider was called (after the safety layer's set-up). */
	providerStartAt?: number
	/** Its first answer audio arrived. */
	firstByteAt?: number
}

export interface TurnInput {
	/**
	 * Uplink speech as mono int16 PCM at `sampleRate`; empty for a typed turn, and for a turn kept
	 * as `opusPackets` when the provider's needsPcm() said it does not read it.
	 */
	pcm: Int16Array
	sampleRate: number
	/** How long the child spoke, whether or not `pcm` was decoded (metering). */
	speechMs?: number
	/** A typed message (seed-json `text`, xiaozhi `listen detect` text); skips transcription. */
	text?: string
	child: ChildProfile
	history: readonly HistoryEntry[]
	signal: AbortSignal
	/** Who and when, for per-toy metering, break reminders and logs. */
	session?: TurnSession
	/**
	 * The uplink Opus packets this PCM was decoded from, when the toy sent Opus: uploaded to
	 * transcription as Ogg Opus without re-encoding. `opusRate` is the rate they were decoded at.
	 */
	opusPackets?: readonly Uint8Array[]
	opusRate?: number
	/** The toy's downlink, so a provider can ask for Opus the toy can take without transcoding. */
	downlink?: DownlinkHint
	/** Stage timestamps (performance.now()) for the gateway's latency metrics; filled by ai/timed-provider.ts. */
	marks?: TurnMarks
	/**
	 * Tools on the toy the model may call this turn (xiaozhi MCP tools or IoT methods), already
	 * narrowed to what the family allows. Absent: none.
	 */
	tools?: DeviceTools
	/**
	 * This turn's audio already went to the provider through the UplinkStream it opened. `pcm` is
	 * still the whole turn: a provider that did not stream it (a fallback) answers from it.
	 */
	streamed?: boolean
}

/** What a provider needs to start taking a turn's audio before the turn has ended. */
export type PcmQuestion = Pick<TurnInput, 'opusPackets' | 'opusRate' | 'sampleRate' | 'streamed'>

/** Provider.needsPcm with its default. */
export function needsPcm(provider: Provider, turn: PcmQuestion): boolean {
	return provider.needsPcm?.(turn) ?? true
}

export interface PrepareContext {
	session: TurnSession
	child: ChildProfile
}

export interface StreamContext {
	session: TurnSession
	child: ChildProfile
	/** Rate of the PCM passed to append(). */
	sampleRate: number
	signal?: AbortSignal
}

/**
 * The child's audio as it arrives, for providers that take it while the child speaks. Called once
 * per uplink frame, so both methods must be cheap and must not throw.
 */
export interface UplinkStream {
	/** `pcm` is lent for the call only: copy what is kept, never modify it. */
	append(pcm: Int16Array): void
	/** The turn will not be answered: drop what was sent. */
	cancel(): void
}

/** A tool on the toy, described as MCP does (JSON Schema arguments). */
export interface ToolSpec {
	name: string
	description: string
	inputSchema: Record<string, unknown>
}

export interface ToolResult {
	ok: boolean
	/** What the tool answered (or why it failed), as text for the model. */
	content: string
}

/** The toy's tools as a provider sees them: what exists, and a way to call one. */
export interface DeviceTools {
	list(): readonly ToolSpec[]
	/** Never throws: a refused, failed or timed-out call is a result with ok false. */
	call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult>
}

export interface DownlinkHint {
	/** An MP3 toy's answer is encoded from PCM (its 22.05 kHz is no rate the speech API offers). */
	format: 'opus' | 'pcm16' | 'mp3'
	sampleRate: number
	frameMs: number
}

export interface TurnSession {
	id: string
	deviceId: string
	/** ms since epoch when this toy's conversation session began (survives a resume). */
	startedAt: number
	/** 0 for the first turn of the session. */
	turnIndex: number
}

export type ProviderEvent =
	/** What the child said, once known. */
	| { type: 'transcript'; text: string }
	/** A sentence of the answer, emitted before its audio (whose Opus, if any, is a new stream). */
	| { type: 'sentence'; text: string }
	/** Answer audio: mono int16 PCM. Any rate; the session resamples and encodes. */
	| { type: 'audio'; pcm: Int16Array; sampleRate: number }
	/**
	 * Answer audio already in Opus (provider Ogg Opus demuxed, or a cached fixed line): an Opus toy
	 * gets the packets without decoding, joined into packets of its frame length where they are
	 * shorter (session/opus-relay.ts); anything else is transcoded. `sampleRate` and `frameMs` say
	 * what the packets hold (metering); the TOC bytes decide.
	 */
	| { type: 'opus'; packets: readonly Uint8Array[]; sampleRate: number; frameMs: number }

export interface Provider {
	readonly name: string
	/** Streams the answer. Must stop promptly (and not throw) once `input.signal` aborts. */
	answer(input: TurnInput): AsyncIterable<ProviderEvent>
	/**
	 * Optional: opens a stream for the turn now being listened to. Its audio is ended by the next
	 * answer() for the same session with `streamed: true`, or by cancel(). Undefined: not now.
	 */
	openStream?(ctx: StreamContext): UplinkStream | undefined
	/**
	 * Optional: whether answer() reads `pcm` for a turn that has `opusPackets`. When nothing
	 * listens while the child speaks (no VAD, no stream) the session keeps only the packets and
	 * decodes them at the turn's end if this says so. Absent: true.
	 */
	needsPcm?(turn: PcmQuestion): boolean
	/** Optional: the child started speaking; load now what the answer will need (never throws). */
	prepare?(ctx: PrepareContext): void
	close?(): Promise<void>
}

export function ageBand(age: number): AgeBand {
	if (age <= 5) return '3-5'
	if (age <= 9) return '6-9'
	return '10-13'
}
