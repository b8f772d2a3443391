// The `.opuspackets` format of recorded uplink speech: a plain sequence of
//   u16 big-endian length | that many bytes of one Opus packet
// repeated to the end of the file, no header. The codec parameters (16 kHz mono, 60 ms frames)
// are fixed by convention for the files in bench/assets and stated where each file is made.

import type { Codec, OpusRate } from '../../gateway/src/codec/types'

export function readPackets(bytes: Uint8Array): Uint8Array[] {
	const packets: Uint8Array[] = []
	let at = 0
	while (at < bytes.length) {
		if (at + 2 > bytes.length) throw new Error(`truncated length prefix at byte ${at}`)
		const len = (bytes[at] << 8) | bytes[at + 1]
		at += 2
		if (len === 0 || at + len > bytes.length) throw new Error(`bad packet length ${len} at byte ${at - 2}`)
		packets.push(bytes.slice(at, at + len))
		at += len
	}
	return packets
}

export function writePackets(packets: readonly Uint8Array[]): Uint8Array {
	const total = packets.reduce((n, p) => n + 2 + p.length, 0)
	const out = new Uint8Array(total)
	let at = 0
	for (const p of packets) {
		if (p.length === 0 || p.length > 0xffff) throw new Error(`packet of ${p.length} bytes cannot be stored`)
		out[at] = p.length >> 8
		out[at + 1] = p.length & 0xff
		out.set(p, at + 2)
		at += 2 + p.length
	}
	return out
}

/** Loads a packet file from disk (Bun.file). */
export async function loadPackets(path: string): Promise<Uint8Array[]> {
	return readPackets(new Uint8Array(await Bun.file(path).arrayBuffer()))
}

/** Decodes `packets` in order with one fresh decoder of `codec` at `rate`: the whole stream as PCM. */
export function decodeAll(codec: Codec, packets: readonly Uint8Array[], rate: OpusRate = 16000): Int16Array {
	const dec = codec.createDecoder(rate)
	// Room for 120 ms a packet, the longest an Opus packet lasts.
	const out = new Int16Array((packets.length * rate * 120) / 1000)
	let at = 0
	try {
		for (const p of packets) at += dec.decode(p, out.subarray(at))
	} finally {
		dec.free()
	}
	return out.subarray(0, at)
}
