import { describe, expect, test } from 'bun:test'
import { FakeProvider } from '../../gateway/src/ai/fake'
import { loadCodec } from '../../gateway/src/codec'
import { EncodeLoad } from '../../gateway/src/session/downlink'
import { PacingClock } from '../../gateway/src/session/pacer'
import { recordingSession } from '../support/recording-session'

// Two gateways in one process (issue 17 item 5): each owns its pacing clock and encode load, made
// by its composition root, so one's speaking toys neither tick on the other's timer nor lower
// the complexity of the other's answers. Sessions of one gateway share them.

const codec = loadCodec('native')
const child = { id: 'c', name: 'Ada', age: 6 }

function stack() {
	return { pacing: new PacingClock(), encodeLoad: new EncodeLoad(codec.encodeThreads) }
}

describe('owned session state', () => {
	test('two session stacks do not share pacing or encode load; sessions of one stack do', async () => {
		const a = stack()
		const b = stack()
		const provider = () => new FakeProvider({ latencyMs: 20, answerMs: 3000, speed: 8 })
		const onA = [recordingSession(codec, provider(), 'a-1', child, a), recordingSession(codec, provider(), 'a-2', child, a)]
		const onB = recordingSession(codec, provider(), 'b-1', child, b)
		for (const s of [...onA, onB]) s.session.say('hello')
		// ? Sampled through the answers: a pacer that has caught up with its provider leaves the
		//   clock until its next frame, so one sample could miss it.
		const most = { a: 0, b: 0, loadA: 0, loadB: 0 }
		const deadline = Date.now() + 20_000
		while ([...onA, onB].some((s) => s.frames() < 20) && Date.now() < deadline) {
			most.a = Math.max(most.a, a.pacing.speaking)
			most.b = Math.max(most.b, b.pacing.speaking)
			most.loadA = Math.max(most.loadA, a.encodeLoad.answers)
			most.loadB = Math.max(most.loadB, b.encodeLoad.answers)
			await Bun.sleep(5)
		}
		expect([...onA, onB].every((s) => s.frames() >= 20)).toBe(true)
		expect(most).toEqual({ a: 2, b: 1, loadA: 2, loadB: 1 })
		for (const s of [...onA, onB]) s.session.close()
		expect(a.pacing.speaking + b.pacing.speaking).toBe(0)
		expect(a.encodeLoad.answers + b.encodeLoad.answers).toBe(0)
	})
})
