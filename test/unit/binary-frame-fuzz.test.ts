import { describe, expect, test } from 'bun:test'
import { FrameError, opusFrame, type ProtocolVersion, parseFrame } from '../../gateway/src/ws/binary-frame'

// Bounded fuzzing of the xiaozhi binary frame parser: whatever a device sends, parseFrame either
// returns a payload that lies inside the frame and agrees with the header, or throws FrameError
// (which the adapter turns into a protocol error) — never anything that would take the socket down.
// Count-limited and seeded, so it costs the same every run and a failure names its replay seed.

const SEED = Number(process.env.FUZZ_SEED ?? 0x7edd1)
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 200_000)
const VERSIONS: ProtocolVersion[] = [1, 2, 3]

/** xorshift32: tiny, seeded, good enough to spread bytes and lengths. */
function rng(seed: number): () => number {
	let s = seed >>> 0 || 1
	return () => {
		s ^= s << 13
		s ^= s >>> 17
		s ^= s << 5
		return s >>> 0
	}
}

/** A frame the way a buggy or hostile device might send it: noise, or a header that is almost right. */
function randomFrame(next: () => number, version: ProtocolVersion): Uint8Array {
	const shape = next() % 4
	const len = shape === 0 ? next() % 24 : next() % 600
	// ? Frames are often views into a larger receive buffer: offset them so DataView offsets are exercised.
	const pad = next() % 3
	const backing = new Uint8Array(len + pad * 2)
	for (let i = 0; i < backing.length; i++) backing[i] = next() & 0xff
	const frame = backing.subarray(pad, pad + len)
	if (shape >= 2) {
		// A plausible header: right version/type and a payload_size that is right, off by one, or huge.
		const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
		const delta = [0, 0, 1, -1, 65536, -len][next() % 6]
		if (version === 2 && len >= 16) {
			view.setUint16(0, next() % 8 === 0 ? next() & 0xffff : 2)
			view.setUint16(2, next() % 3)
			view.setUint32(12, (len - 16 + delta) >>> 0)
		} else if (version === 3 && len >= 4) {
			frame[0] = next() % 3
			view.setUint16(2, (len - 4 + delta) & 0xffff)
		}
	}
	return frame
}

/** Why a parse result breaks the contract, or null when it holds. */
function violation(version: ProtocolVersion, frame: Uint8Array): string | null {
	let parsed: ReturnType<typeof parseFrame>
	try {
		parsed = parseFrame(version, frame)
	} catch (e) {
		return e instanceof FrameError ? null : `threw ${(e as Error)?.constructor?.name}: ${String(e)}`
	}
	const { payload, type } = parsed
	if (payload.buffer !== frame.buffer) return 'payload is not a view of the frame'
	const start = payload.byteOffset - frame.byteOffset
	if (start < 0 || start + payload.byteLength > frame.byteLength) return 'payload lies outside the frame'
	if (type !== 0 && type !== 1) return `type ${type}`
	if (version === 1) return start === 0 && payload.byteLength === frame.byteLength ? null : 'v1 payload is not the frame'
	const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
	const header = version === 2 ? 16 : 4
	const size = version === 2 ? view.getUint32(12) : view.getUint16(2)
	if (start !== header) return `payload starts at ${start}, not after the ${header}-byte header`
	if (payload.byteLength !== size) return `payload of ${payload.byteLength} bytes, payload_size ${size}`
	if (version === 2 && parsed.timestampMs !== view.getUint32(8)) return 'timestamp differs from the header'
	return null
}

describe('binary frame fuzz', () => {
	test(`parseFrame throws only FrameError and keeps payloads inside the frame (${FRAMES} frames, seed ${SEED})`, () => {
		const next = rng(SEED)
		const failures: string[] = []
		const accepted = [0, 0, 0]
		for (let i = 0; i < FRAMES && failures.length < 5; i++) {
			const version = VERSIONS[i % 3]
			const frame = randomFrame(next, version)
			const why = violation(version, frame)
			if (why) failures.push(`frame ${i} v${version} [${Buffer.from(frame).toString('hex').slice(0, 80)}]: ${why}`)
			else if (version !== 1) {
				try {
					parseFrame(version, frame)
					accepted[version - 1]++
				} catch {}
			}
		}
		expect(failures).toEqual([])
		// ? The near-valid shapes must reach the success path, or the payload checks test nothing.
		expect(accepted[1]).toBeGreaterThan(FRAMES / 100)
		expect(accepted[2]).toBeGreaterThan(FRAMES / 100)
	})

	test('opusFrame then parseFrame returns the packet and timestamp, for every version and size', () => {
		const next = rng(SEED ^ 0x5eed)
		const failures: string[] = []
		const sizes = [0, 1, 255, 4079, 4080, 4081, 4096, 9000, 65535]
		for (let i = 0; i < 20_000 && failures.length < 5; i++) {
			const version = VERSIONS[i % 3]
			// ? Sizes around the 4096-byte scratch buffer take the allocating path too.
			const len = i < sizes.length * 3 ? sizes[Math.floor(i / 3)] : next() % 1500
			const packet = new Uint8Array(len)
			for (let k = 0; k < len; k++) packet[k] = next() & 0xff
			const ts = next()
			const parsed = parseFrame(version, opusFrame(version, packet, ts))
			const same = parsed.type === 0 && Buffer.from(parsed.payload).equals(Buffer.from(packet))
			const wantTs = version === 2 ? ts : 0
			if (!same || parsed.timestampMs !== wantTs) failures.push(`v${version} ${len} bytes ts ${ts}`)
		}
		expect(failures).toEqual([])
	})
})
