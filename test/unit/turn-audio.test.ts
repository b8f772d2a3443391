import { describe, expect, test } from 'bun:test'
import { TurnPackets, TurnPcm } from '../../gateway/src/session/turn-audio'

const frame = (value: number, n = 960) => new Int16Array(n).fill(value)

describe('TurnPcm', () => {
	test('collects frames in order across growth; the views it hands out keep their samples', () => {
		const pcm = new TurnPcm(1000)
		const views = Array.from({ length: 10 }, (_, i) => pcm.push(frame(i + 1)))
		expect(pcm.length).toBe(9600)
		// the buffer grew (1000 → 2000 → … samples) after the first views were handed out
		views.forEach((v, i) => expect(v).toEqual(frame(i + 1)))
		const all = pcm.take()
		expect(all.length).toBe(9600)
		for (let i = 0; i < 10; i++) expect(all.subarray(i * 960, (i + 1) * 960)).toEqual(frame(i + 1))
		expect(pcm.length).toBe(0)
	})

	test('a turn taken is never written again: the next turn does not change it', () => {
		const pcm = new TurnPcm(4000)
		pcm.push(frame(7))
		const first = pcm.take()
		pcm.push(frame(9))
		expect(first).toEqual(frame(7))
		expect(pcm.take()).toEqual(frame(9))
	})

	test('prepend puts an earlier turn in front of what came since', () => {
		const pcm = new TurnPcm(100)
		pcm.push(frame(2, 50))
		pcm.prepend(frame(1, 80))
		expect(pcm.take()).toEqual(Int16Array.from([...frame(1, 80), ...frame(2, 50)]))
	})

	test('the caller may reuse its buffer at once: samples are copied', () => {
		const pcm = new TurnPcm(100)
		const scratch = frame(3, 10)
		pcm.push(scratch)
		scratch.fill(0)
		expect(pcm.take()).toEqual(frame(3, 10))
	})
})

describe('TurnPackets', () => {
	test('keeps each packet as it came, copied, with prepended ones in front', () => {
		const packets = new TurnPackets(8)
		const scratch = new Uint8Array(5)
		for (let i = 1; i <= 4; i++) {
			scratch.fill(i)
			packets.push(scratch.subarray(0, i + 2))
		}
		packets.prepend([Uint8Array.of(0xaa), Uint8Array.of(0xbb, 0xbb)])
		expect(packets.count).toBe(6)
		const taken = packets.take()
		expect(taken.map((p) => [...p])).toEqual([[0xaa], [0xbb, 0xbb], [1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3, 3], [4, 4, 4, 4, 4]])
		expect(packets.count).toBe(0)
		packets.push(Uint8Array.of(9))
		// the next turn starts a new buffer: the packets taken are unchanged
		expect([...taken[2]!]).toEqual([1, 1, 1])
		expect(packets.take().map((p) => [...p])).toEqual([[9]])
	})
})
