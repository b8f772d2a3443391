import { type Codec, type OpusDecoder, type OpusRate, type OpusRepacketizer, REPACKET_REFUSED } from '../codec'
import { packetSamples48k } from '../codec/opus-packets'

// Provider Opus on its way to a toy. An Opus toy gets the provider's own frames, joined into packets
// of its frame length without decoding (the speech API sends 20 ms frames, toys take 60 ms): no
// decode, no encode. Only what cannot be joined is decoded and handed back as PCM to be framed and
// encoded like any provider audio:
//   - a configuration change (mode, bandwidth, frame size) inside a group: that stream is then
//     transcoded to its end, since a 60 ms packet holds frames of one configuration only and
//     frames cannot be moved between packets without shifting the audio;
//   - frames whose length does not divide the toy's (40 ms frames into 60 ms);
//   - any packet while framed PCM still waits to be encoded (it would overtake that audio);
//   - everything, for an MP3 or PCM toy.
// A stream's last partial group is completed with empty frames (DTX, RFC 6716 §3.2.1: a decoder
// conceals them, and a sentence ends in silence), so a toy only ever gets packets of its length.

export interface RelayOut {
	/** A packet for the toy as it is (a joined group, or a provider packet of the toy's length). */
	packet(packet: Uint8Array): void
	/** Decoded audio at `rate`, to be framed and encoded. */
	pcm(pcm: Int16Array, rate: number): void
}

// One join target for every relay: each packet is copied out before the next join.
const joined = new Uint8Array(8192)

export class OpusRelay {
	private repacketizer: OpusRepacketizer | undefined
	/** The packets in the repacketizer's group, to decode if the stream must be transcoded after all. */
	private group: Uint8Array[] = []
	/** This stream is being decoded to its end. */
	private transcoding = false
	private decoder: OpusDecoder | undefined
	private decodeBuf = new Int16Array(0)

	constructor(
		private readonly codec: Codec,
		private readonly target48k: number,
		/** The rate decoded audio comes at: the toy's when Opus can decode at it (no resampling). */
		private readonly decodeRate: OpusRate,
		private readonly out: RelayOut,
	) {}

	/** This stream is being decoded to its end (a configuration changed inside a group). */
	get decoding(): boolean {
		return this.transcoding
	}

	/** Frames wait to be joined. */
	get joining(): boolean {
		return this.group.length > 0
	}

	/** `pass`: the toy takes Opus and no framed PCM is waiting, so packets may go as they are. */
	push(packets: readonly Uint8Array[], pass: boolean): void {
		for (const p of packets) {
			if (!pass || this.transcoding) this.decode(p)
			else if (this.group.length === 0 && packetSamples48k(p) === this.target48k) this.out.packet(p)
			else this.join(p)
		}
	}

	/**
	 * The provider's stream ended (a sentence is done, or the answer): its partial group is completed
	 * with DTX, and the next stream starts passing through again.
	 */
	endStream(): void {
		if (this.group.length > 0) {
			const n = this.repacketizer!.pad(joined)
			this.group = []
			this.out.packet(joined.slice(0, n))
		}
		this.decoder?.reset()
		this.transcoding = false
	}

	/** Drops the partial group and decoder history (barge-in, end of turn). */
	reset(): void {
		this.group = []
		this.repacketizer?.reset()
		this.decoder?.reset()
		this.transcoding = false
	}

	free(): void {
		this.reset()
		this.decoder?.free()
		this.decoder = undefined
		this.repacketizer = undefined
	}

	private join(p: Uint8Array): void {
		this.repacketizer ??= this.codec.createRepacketizer(this.target48k)
		const n = this.repacketizer.push(p, joined)
		if (n === REPACKET_REFUSED) {
			// ! From here this stream is decoded: its frames can no longer fill whole packets in order.
			this.transcoding = true
			this.decoder?.reset()
			const held = this.group
			this.group = []
			this.repacketizer.reset()
			for (const q of held) this.decode(q)
			this.decode(p)
		} else if (n > 0) {
			this.group = []
			this.out.packet(joined.slice(0, n))
		} else {
			this.group.push(p)
		}
	}

	private decode(p: Uint8Array): void {
		if (!this.decoder) {
			this.decoder = this.codec.createDecoder(this.decodeRate)
			// 120 ms is the longest Opus packet.
			this.decodeBuf = new Int16Array((this.decodeRate * 120) / 1000)
		}
		const n = this.decoder.decode(p, this.decodeBuf)
		this.out.pcm(this.decodeBuf.subarray(0, n), this.decodeRate)
	}
}
