import { describe, expect, test } from 'bun:test'
import { encodeWav, parseWav, WavFormatError } from '../../gateway/src/ai/wav'

describe('wav', () => {
	test('round trips 16-bit mono PCM', () => {
		const pcm = new Int16Array([0, 1, -1, 32767, -32768, 1234, -4321])
		const wav = parseWav(encodeWav(pcm, 22050))
		expect(wav.sampleRate).toBe(22050)
		expect(wav.channels).toBe(1)
		expect(Array.from(wav.pcm)).toEqual(Array.from(pcm))
	})

	test('reads a streamed header whose sizes are placeholders', () => {
		const pcm = new Int16Array([5, -5, 500, -500])
		for (const placeholder of [0, 0xffffffff, 0x7ffff000]) {
			const bytes = encodeWav(pcm, 16000)
			const view = new DataView(bytes.buffer)
			view.setUint32(4, placeholder, true)
			view.setUint32(40, placeholder, true)
			expect(Array.from(parseWav(bytes).pcm)).toEqual(Array.from(pcm))
		}
	})

	test('skips unknown chunks and reads from a byte offset', () => {
		const plain = encodeWav(new Int16Array([7, 8, 9]), 8000)
		// Insert an odd-sized LIST chunk (padded to even) between fmt and data, inside a larger buffer.
		const list = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0])
		const joined = new Uint8Array(3 + plain.length + list.length)
		joined.set(plain.subarray(0, 36), 3)
		joined.set(list, 39)
		joined.set(plain.subarray(36), 39 + list.length)
		expect(Array.from(parseWav(joined.subarray(3)).pcm)).toEqual([7, 8, 9])
	})

	test('refuses what is not 16-bit PCM WAV', () => {
		expect(() => parseWav(new TextEncoder().encode('hello, not a wav file'))).toThrow(WavFormatError)
		const bytes = encodeWav(new Int16Array(4), 8000)
		new DataView(bytes.buffer).setUint16(34, 8, true)
		expect(() => parseWav(bytes)).toThrow(/16-bit/)
	})
})
