import { CodecError, type Codec, type OpusDecoder, type OpusRate } from '../codec'
import { packetSamples48k, silkVoice, VOICE_ACTIVE, VOICE_QUIET } from '../codec/opus-packets'
import { TurnPackets, TurnPcm } from './turn-audio'

// Collects one turn of the child's speech. Opus is decoded as it arrives only when something
// listens to it (the VAD, a provider's uplink stream); otherwise the turn is kept as the toy's
// packets, checked and timed from their TOC byte, and decoded at the end only if the provider
// asks for PCM. The decoder is made when it is first needed (never on connect) and reused.
//
// While the session waits for a child to start speaking (`gate`), a packet its encoder marked as
// without voice (silkVoice) is not decoded: it reads as digital silence, which the VAD scores
// without running its network. That is most of what an open microphone sends between a child's
// sentences, and decode + VAD cost ~110 µs a frame against ~4. The flags are trusted only once
// this toy's encoder has set one (an encoder that never sets them is decoded in full), and the
// decoder is reset before the next packet it decodes: a fresh start, as at the start of a
// stream, rather than a state that missed packets.

export type UplinkFormat = 'opus' | 'pcm16'

const OPUS_RATES = new Set([8000, 12000, 16000, 24000, 48000])
const MAX_FRAME_MS = 120
const EMPTY = new Int16Array(0)
/** What a turn's buffers make room for at first (turn-audio.ts): most turns fit. */
const TYPICAL_TURN_S = 2
const TYPICAL_PACKET_BYTES = 8192

export class Uplink {
	private decoder: OpusDecoder | undefined
	private decoderRate = 0
	private scratch = new Int16Array(0)
	private pcm = new TurnPcm(16000 * TYPICAL_TURN_S)
	// The turn's Opus packets as received: transcription can take them as Ogg Opus with no
	// re-encoding. Dropped with the turn (no audio is kept after it is answered).
	private readonly packets = new TurnPackets(TYPICAL_PACKET_BYTES)
	private samples = 0
	/** This toy's encoder sets voice-activity flags, so a packet with none set is quiet. */
	private flagsSeen = false
	/** Quiet packets went undecoded since the decoder last ran. */
	private skipped = false
	/**
	 * A packet was decoded after quiet ones went undecoded: whoever listens (the VAD) starts afresh
	 * too, as its state is from before them. Read and cleared by takeResumed().
	 */
	private resumed = false
	/** Packets read as silence without decoding (the ingest bench counts them). */
	quietPackets = 0
	/**
	 * Quiet packets are read as silence only while this is set: while the gateway waits for a
	 * child to start speaking. Inside a turn every packet is decoded, so the endpointer hears a
	 * pause as it is (Silero scores a breath mid-sentence between speech and quiet, and the turn
	 * holds; digital silence would end it).
	 */
	gate = false
	format: UplinkFormat = 'opus'
	sampleRate = 16000
	/** Whether this turn's Opus is decoded as it arrives (see begin). */
	decoding = true
	/** Asked at a turn's first Opus packet: does the turn keep its PCM, or only its packets? */
	private wantsPcm: ((first: Uint8Array) => boolean) | undefined
	/** Whether this turn's decoded PCM is kept; undefined until its first packet. */
	private keepPcm: boolean | undefined

	constructor(
		private readonly codec: Codec,
		private readonly maxMs: number,
	) {}

	static validRate(format: UplinkFormat, rate: number): boolean {
		return format === 'opus' ? OPUS_RATES.has(rate) : Number.isInteger(rate) && rate >= 8000 && rate <= 48000
	}

	/**
	 * `decode`: decode Opus as it arrives (someone listens); false keeps only the packets.
	 * `wantsPcm`: whether a turn whose packets are like this first one keeps its decoded PCM as
	 * well (the provider reads it). Absent: it does. A turn that decodes only for the VAD keeps just
	 * its packets: PCM is 32 KB a second of a child's speech, held for the turn, and under load
	 * those buffers were most of what the garbage collector had to reclaim.
	 */
	begin(format: UplinkFormat, sampleRate: number, decode = true, wantsPcm?: (first: Uint8Array) => boolean): void {
		this.format = format
		this.sampleRate = sampleRate
		this.wantsPcm = wantsPcm
		this.keepPcm = format === 'opus' ? undefined : true
		this.decoding = decode || format !== 'opus'
		this.pcm = new TurnPcm(sampleRate * TYPICAL_TURN_S)
		this.packets.clear()
		this.samples = 0
		// A toy whose turns are kept as packets holds no decoder (the fallback codec's are scarce).
		if (format === 'opus' && this.decoding) this.decoderFor(sampleRate)
	}

	private decoderFor(sampleRate: number): OpusDecoder {
		if (!this.decoder || this.decoderRate !== sampleRate) {
			this.decoder?.free()
			this.decoder = this.codec.createDecoder(sampleRate as OpusRate)
			this.decoderRate = sampleRate
			this.scratch = new Int16Array((sampleRate * MAX_FRAME_MS) / 1000)
		}
		return this.decoder
	}

	/** Releases the decoder; the next begin() makes a new one. */
	free(): void {
		this.decoder?.free()
		this.decoder = undefined
		this.decoderRate = 0
		this.pcm.clear()
		this.packets.clear()
		this.samples = 0
	}

	/** Decodes one chunk without keeping it (realtime mode listens for barge-in while speaking). */
	decodeOnly(data: Uint8Array): Int16Array {
		return this.decode(data)
	}

	/**
	 * Adds one chunk and returns its PCM (empty when not decoding), or null once the turn has
	 * reached its length cap. Throws CodecError on bad audio. The PCM is valid until the next
	 * push when the turn does not keep it (pcmKept).
	 */
	push(data: Uint8Array): Int16Array | null {
		if (this.full) return null
		if (!this.decoding) {
			const samples48k = packetSamples48k(data)
			if (samples48k === 0) throw new CodecError(`not a valid Opus packet (${data.byteLength} bytes)`)
			this.packets.push(data)
			this.samples += (samples48k * this.sampleRate) / 48000
			return EMPTY
		}
		this.keepPcm ??= this.wantsPcm?.(data) ?? true
		const decoded = this.decode(data)
		const pcm = this.keepPcm ? this.pcm.push(decoded) : decoded
		if (this.format === 'opus') this.packets.push(data)
		this.samples += pcm.length
		return pcm
	}

	/** A turn kept as packets, decoded now (from a clean decoder state) for a provider that wants PCM. */
	decodePackets(packets: readonly Uint8Array[]): Int16Array {
		if (this.format !== 'opus' || packets.length === 0) return EMPTY
		this.decoderFor(this.sampleRate).reset()
		const out = new TurnPcm(this.sampleRate * TYPICAL_TURN_S)
		for (const p of packets) out.push(this.decode(p))
		return out.take()
	}

	private decode(data: Uint8Array): Int16Array {
		let pcm: Int16Array
		if (this.format === 'opus') {
			if (!this.decoder) throw new CodecError('audio before audio_start')
			const voice = silkVoice(data)
			if (voice === VOICE_ACTIVE) this.flagsSeen = true
			else if (voice === VOICE_QUIET && this.flagsSeen && this.gate) return this.silence(data)
			if (this.skipped) {
				this.decoder.reset()
				this.skipped = false
				this.resumed = true
			}
			const n = this.decoder.decode(data, this.scratch)
			pcm = this.scratch.subarray(0, n)
		} else {
			if (data.byteLength % 2 !== 0) throw new CodecError('pcm16 chunk has an odd number of bytes')
			pcm = new Int16Array(data.slice().buffer)
		}
		return pcm
	}

	/** True once after a packet was decoded following undecoded quiet ones. */
	takeResumed(): boolean {
		const r = this.resumed
		this.resumed = false
		return r
	}

	/** A quiet packet's length of digital silence (the scratch buffer, zeroed). */
	private silence(data: Uint8Array): Int16Array {
		const n = (packetSamples48k(data) * this.sampleRate) / 48000
		if (n > this.scratch.length) throw new CodecError(`Opus packet too long (${n} samples)`)
		this.skipped = true
		this.quietPackets++
		const pcm = this.scratch.subarray(0, n)
		pcm.fill(0)
		return pcm
	}

	get full(): boolean {
		return this.samples >= (this.sampleRate * this.maxMs) / 1000
	}

	/** Whether take() returns the turn's PCM (else decodePackets makes it from the packets). */
	get pcmKept(): boolean {
		return this.decoding && this.keepPcm !== false
	}

	get durationMs(): number {
		return (this.samples * 1000) / this.sampleRate
	}

	/**
	 * Puts a turn already taken back in front of what was collected since (the child went on
	 * after a pause the VAD took for the end). The turn's length cap counts both.
	 */
	prepend(pcm: Int16Array, packets: readonly Uint8Array[], speechMs: number): void {
		this.pcm.prepend(pcm)
		this.packets.prepend(packets)
		this.samples += Math.round((speechMs * this.sampleRate) / 1000)
	}

	/** Drops what was collected (audio that belongs to no turn). */
	discard(): void {
		this.pcm.clear()
		this.packets.clear()
		this.samples = 0
	}

	/** The turn's Opus packets (empty for pcm16 toys); call before take(). */
	takePackets(): Uint8Array[] {
		return this.packets.take()
	}

	/** The turn's decoded speech (empty when it was kept as packets), and a clean slate for the next turn. */
	take(): Int16Array {
		const out = this.pcm.take()
		this.samples = 0
		return out
	}
}
