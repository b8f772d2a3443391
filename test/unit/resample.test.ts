import { describe, expect, test } from 'bun:test'
import { Resampler, resample } from '../../gateway/src/codec/resample'

// The resampler sits between the toy's 16 kHz and providers' 24/48 kHz: speech must come through
// at the same loudness, nothing above the new Nyquist may fold back as a whistle, and cutting a
// stream into 60 ms frames must not change a single sample.

function tone(freq: number, rate: number, seconds: number, amplitude = 12000): Int16Array {
	const n = Math.round(rate * seconds)
	const out = new Int16Array(n)
	for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate))
	return out
}

// RMS of the middle, away from the filter's start-up and tail.
function midRms(x: Int16Array): number {
	const from = Math.floor(x.length * 0.2)
	const to = Math.floor(x.length * 0.8)
	let sum = 0
	for (let i = from; i < to; i++) sum += x[i] * x[i]
	return Math.sqrt(sum / (to - from))
}

const dB = (ratio: number) => 20 * Math.log10(ratio)

function streamed(input: Int16Array, inRate: number, outRate: number, chunkMs: number): Int16Array {
	const r = new Resampler(inRate, outRate)
	const chunk = Math.round((inRate * chunkMs) / 1000)
	const parts: Int16Array[] = []
	for (let at = 0; at < input.length; at += chunk) parts.push(r.process(input.subarray(at, at + chunk)))
	parts.push(r.flush())
	const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0))
	let at = 0
	for (const p of parts) {
		out.set(p, at)
		at += p.length
	}
	return out
}

function oneShot(input: Int16Array, inRate: number, outRate: number): Int16Array {
	const r = new Resampler(inRate, outRate)
	const head = r.process(input)
	const tail = r.flush()
	const out = new Int16Array(head.length + tail.length)
	out.set(head)
	out.set(tail, head.length)
	return out
}

describe('resampler', () => {
	test('keeps a 6 kHz tone within 0.5 dB through 48k → 16k → 24k', () => {
		const input = tone(6000, 48000, 1)
		const at16 = resample(input, 48000, 16000)
		const at24 = resample(at16, 16000, 24000)
		expect(Math.abs(dB(midRms(at16) / midRms(input)))).toBeLessThan(0.5)
		expect(Math.abs(dB(midRms(at24) / midRms(input)))).toBeLessThan(0.5)
	})

	test('does not alias a 10 kHz tone into 16 kHz output', () => {
		const input = tone(10000, 48000, 1)
		const out = resample(input, 48000, 16000)
		// 10 kHz is above the 8 kHz Nyquist: it must be filtered out, not folded to 6 kHz
		expect(dB(midRms(out) / midRms(input))).toBeLessThan(-40)
	})

	test('gives the same samples streamed in 60 ms chunks as in one call', () => {
		const cases: Array<[number, number]> = [
			[16000, 24000],
			[24000, 16000],
			[48000, 16000],
			[22050, 16000],
		]
		for (const [inRate, outRate] of cases) {
			const input = tone(440, inRate, 1.03, 9000)
			for (let i = 0; i < input.length; i += 97) input[i] = (input[i] + ((i * 7919) % 2000) - 1000) | 0
			const a = streamed(input, inRate, outRate, 60)
			const b = oneShot(input, inRate, outRate)
			expect(a.length).toBe(b.length)
			expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true)
		}
	})

	test('gives the same samples for uneven chunk sizes', () => {
		const input = tone(300, 16000, 0.5)
		const r = new Resampler(16000, 24000)
		const parts: number[] = []
		const sizes = [1, 7, 160, 3, 960, 2, 500]
		let at = 0
		for (let i = 0; at < input.length; i++) {
			const n = sizes[i % sizes.length]
			parts.push(...r.process(input.subarray(at, at + n)))
			at += n
		}
		parts.push(...r.flush())
		expect(parts).toEqual([...oneShot(input, 16000, 24000)])
	})

	test.each([
		[16000, 24000],
		[24000, 16000],
		[22050, 16000],
		[48000, 16000],
	])('makes output of the right length for %i → %i', (inRate, outRate) => {
		const input = tone(200, inRate, 2)
		const expected = (input.length * outRate) / inRate
		expect(Math.abs(resample(input, inRate, outRate).length - expected)).toBeLessThanOrEqual(1)
		// streaming: whatever process+flush give may differ only by the filter's few samples of delay
		expect(Math.abs(streamed(input, inRate, outRate, 60).length - expected)).toBeLessThan(outRate / 100)
	})

	test('keeps DC as DC', () => {
		const input = new Int16Array(16000).fill(5000)
		const out = resample(input, 16000, 24000)
		const mid = out.subarray(1000, out.length - 1000)
		for (const s of mid) expect(Math.abs(s - 5000)).toBeLessThanOrEqual(1)
		const down = resample(new Int16Array(22050).fill(-3000), 22050, 16000)
		for (const s of down.subarray(1000, down.length - 1000)) expect(Math.abs(s + 3000)).toBeLessThanOrEqual(1)
	})

	test('starts a new stream clean after flush', () => {
		const r = new Resampler(16000, 24000)
		const input = tone(440, 16000, 0.2)
		const first = [...r.process(input), ...r.flush()]
		const second = [...r.process(input), ...r.flush()]
		expect(second).toEqual(first)
	})

	test('refuses a zero or fractional rate', () => {
		expect(() => new Resampler(0, 16000)).toThrow(RangeError)
		expect(() => new Resampler(16000, 22050.5)).toThrow(RangeError)
	})
})
