import { describe, expect, test } from 'bun:test'
import { parseRange } from '../../gateway/src/modules/firmware/range'
import { inRollout, rolloutBucket } from '../../gateway/src/modules/firmware/rollout'
import { compareVersions } from '../../gateway/src/modules/firmware/versions'

// Staged rollout by a stable hash (issue 15), RFC 7233 single ranges, and version order.

const ids = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? `Teddy-ESP32-${String(i).padStart(3, '0')}` : i % 3 === 1 ? i.toString(16).toUpperCase().padStart(8, 'A') : `aa:bb:cc:${i}`))
const releaseA = '6f1c1d9e-1111-4a4a-8888-000000000001'
const releaseB = '6f1c1d9e-1111-4a4a-8888-000000000002'

describe('staged rollout over 10,000 device ids', () => {
	for (const percent of [1, 5, 10, 25, 50, 90]) {
		test(`${percent} % reaches ${percent} % of the fleet (within 4 standard deviations)`, () => {
			const n = ids.filter((d) => inRollout(d, releaseA, percent)).length
			const p = percent / 100
			const sd = Math.sqrt(ids.length * p * (1 - p))
			expect(Math.abs(n - ids.length * p)).toBeLessThan(4 * sd)
		})
	}

	test('0 % reaches nobody and 100 % everybody; fractions of a percent work', () => {
		expect(ids.filter((d) => inRollout(d, releaseA, 0)).length).toBe(0)
		expect(ids.filter((d) => inRollout(d, releaseA, 100)).length).toBe(ids.length)
		const half = ids.filter((d) => inRollout(d, releaseA, 0.5)).length
		expect(half).toBeGreaterThan(20)
		expect(half).toBeLessThan(85)
	})

	test('stable per toy: raising the percentage only adds toys', () => {
		let prev = new Set<string>()
		for (const percent of [1, 2, 10, 30, 70, 100]) {
			const now = new Set(ids.filter((d) => inRollout(d, releaseA, percent)))
			for (const d of prev) expect(now.has(d)).toBe(true)
			prev = now
		}
		expect(rolloutBucket('Teddy-ESP32-001', releaseA)).toBe(rolloutBucket('Teddy-ESP32-001', releaseA))
	})

	test('another rollout starts on a different first 1 %', () => {
		const a = new Set(ids.filter((d) => inRollout(d, releaseA, 1)))
		const b = ids.filter((d) => inRollout(d, releaseB, 1))
		const both = b.filter((d) => a.has(d)).length
		// independent 1 % draws share about 1 % of each other
		expect(both).toBeLessThan(b.length / 4)
	})
})

describe('Range header', () => {
	const size = 1000
	test('single ranges', () => {
		expect(parseRange('bytes=0-99', size)).toEqual({ kind: 'part', start: 0, end: 99 })
		expect(parseRange('bytes=900-', size)).toEqual({ kind: 'part', start: 900, end: 999 })
		expect(parseRange('bytes=-100', size)).toEqual({ kind: 'part', start: 900, end: 999 })
		expect(parseRange('bytes=-5000', size)).toEqual({ kind: 'part', start: 0, end: 999 })
		expect(parseRange('bytes=990-5000', size)).toEqual({ kind: 'part', start: 990, end: 999 })
	})
	test('unsatisfiable and ignored ones', () => {
		expect(parseRange('bytes=1000-', size)).toEqual({ kind: 'unsatisfiable' })
		expect(parseRange('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' })
		expect(parseRange(null, size)).toEqual({ kind: 'whole' })
		expect(parseRange('bytes=5-1', size)).toEqual({ kind: 'whole' })
		expect(parseRange('bytes=0-1,5-9', size)).toEqual({ kind: 'whole' })
		expect(parseRange('items=0-1', size)).toEqual({ kind: 'whole' })
	})
})

test('versions compare as dotted numbers, like the toy and xiaozhi do', () => {
	expect(compareVersions('1.10.0', '1.9.9')).toBe(1)
	expect(compareVersions('v2.0', '2.0.0')).toBe(0)
	expect(compareVersions('1.2.3-rc1', '1.2.3')).toBe(0)
	expect(compareVersions('1.2', '1.2.1')).toBe(-1)
})
