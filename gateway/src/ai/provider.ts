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
	/**
	 * The model's instructions (system prompt), written by the safety layer (safety/prompts.ts):
	 * providers send them as given and never compose their own rules.
	 */
	instructions?: string
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
	/** How much of this provider's answer audio the toy has played (barge-in truncation). */
	playback?: Playback
	/** Called with what each API call of this turn reported using; not called where it reports nothing. */
	usage?: (used: TokenUsage) => void
	/**
	 * A stable, non-reversible id of the family (a keyed hash), sent to the API as
	 * `safety_identifier` so abuse can be traced to one user without telling the API who it is.
	 */
	safetyId?: string
}

/** Tokens an API call reported (chat, Realtime response, transcription). */
export interface TokenUsage {
	input: number
	output: number
}

/**
 * The toy's playback of one provider's answer, in that provider's own audio (what it yielded, in
 * order): wrappers that add lines of their own map it for the provider they wrap.
 */
export interface Playback {
	/**
	 * ms of this provider's audio the child has heard: live while the turn plays, frozen when the
	 * turn is interrupted, and everything released once a wrapper stopped the provider itself.
	 */
	playedMs(): number
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
	/** As TurnInput.instructions. */
	instructions?: string
	/** Rate of the PCM passed to append(). */
	sampleRate: number
	signal?: AbortSignal
	/** As TurnInput.safetyId; may still be loading when the stream opens. */
	safetyId?: string | Promise<string | undefined>
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
	/**
	 * What the child said, once known. `failed`: the provider heard the turn but could not tell what
	 * was said (its transcription failed or never came); `text` is then empty.
	 */
	| { type: 'transcript'; text: string; failed?: boolean }
	/**
	 * A sentence of the answer, emitted before its audio (whose Opus, if any, is a new stream): the
	 * audio events after it, up to the next sentence, are that sentence's. `trusted`: one of the gateway's own fixed lines (never model
	 * text), which the safety layer does not send to moderation.
	 */
	| { type: 'sentence'; text: string; trusted?: boolean }
	/**
	 * Answer audio: mono int16 PCM. Any rate; the session resamples and encodes. `trusted`: audio of
	 * a trusted sentence (model audio is never marked, so it can never pass as a fixed line's).
	 */
	| { type: 'audio'; pcm: Int16Array; sampleRate: number; trusted?: boolean }
	/**
	 * Answer audio already in Opus (provider Ogg Opus demuxed, or a cached fixed line): an Opus toy
	 * gets the packets without decoding, joined into packets of its frame length where they are
	 * shorter (session/opus-relay.ts); anything else is transcoded. `sampleRate` and `frameMs` say
	 * what the packets hold (metering); the TOC bytes decide.
	 */
	| { type: 'opus'; packets: readonly Uint8Array[]; sampleRate: number; frameMs: number; trusted?: boolean }

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

/** First name only, stripped of anything that could read as an instruction. */
export function firstName(name: string): string {
	const first = name.trim().split(/\s+/)[0] ?? ''
	return first.replace(/[^\p{L}\p{M}'-]/gu, '').slice(0, 30)
}

/**
 * What a provider says when it was given no instructions (used without the safety layer, as in
 * the bench): who it is and how long it talks, nothing more. The composition root always wraps
 * providers in the safety layer, which writes the real ones.
 */
export function defaultInstructions(child: ChildProfile): string {
	return `You are Teddy, a friendly teddy bear talking with a child named ${firstName(child.name) || 'friend'}. Answer in 1 to 3 short spoken sentences.`
}
