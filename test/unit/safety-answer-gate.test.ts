import { describe, expect, test } from 'bun:test'
import type { ProviderEvent } from '../../gateway/src/ai/provider'
import { AnswerGate, type AnswerVerdict, type GateEnd } from '../../gateway/src/safety/answer-gate'
import { OK } from '../../gateway/src/safety/classify'

// The gate's rules on their own, with scripted events and checks: audio goes out only behind its
// own sentence once that sentence and the child's words passed; a trusted line carries only its
// own (marked) audio; audio with no sentence at all is never released.

const audio = (n: number, trusted?: boolean): ProviderEvent => ({ type: 'audio', pcm: new Int16Array(240).fill(n), sampleRate: 24000, ...(trusted ? { trusted } : {}) })

async function* script(events: ProviderEvent[]): AsyncGenerator<ProviderEvent> {
	for (const ev of events) {
		await Bun.sleep(1)
		yield ev
	}
}

async function run(events: ProviderEvent[], answer: (text: string) => AnswerVerdict = () => ({ ok: true })) {
	const gate = new AnswerGate({
		checks: { child: () => ({ local: OK, model: Promise.resolve(OK) }), answer: async (t) => answer(t) },
		signal: new AbortController().signal,
		prefix: async function* () {},
		filler: async function* () {},
		fillerAfterMs: 60_000,
		released: () => {},
	})
	const out: ProviderEvent[] = []
	const it = gate.run(script(events))
	let r = await it.next()
	while (!r.done) {
		out.push(r.value)
		r = await it.next()
	}
	return { out, end: r.value as GateEnd, said: out.map((e) => (e.type === 'sentence' ? e.text : e.type === 'audio' ? e.pcm[0] : e.type)) }
}

describe('answer gate', () => {
	test('each sentence with its own audio, after the words; audio before the first sentence goes with it', async () => {
		const { said, end } = await run([audio(1), { type: 'transcript', text: 'hi' }, { type: 'sentence', text: 'One.' }, audio(2), { type: 'sentence', text: 'Two.' }, audio(3)])
		expect(said).toEqual(['transcript', 'One.', 1, 2, 'Two.', 3])
		expect(end).toEqual({ kind: 'answered', released: true })
	})

	test('a blocked sentence stops the answer before any of its audio', async () => {
		const { said, end } = await run(
			[{ type: 'transcript', text: 'hi' }, { type: 'sentence', text: 'Fine.' }, audio(1), { type: 'sentence', text: 'Bad.' }, audio(2)],
			(t) => (t === 'Bad.' ? { ok: false, reason: 'test' } : { ok: true }),
		)
		expect(said).toEqual(['transcript', 'Fine.', 1])
		expect(end).toEqual({ kind: 'blocked', text: 'Bad.', reason: 'test' })
	})

	test('unmarked audio after a trusted line is not the line\'s: it waits for a checked sentence', async () => {
		const { said } = await run(
			[{ type: 'sentence', text: 'Let me think.', trusted: true }, audio(7, true), audio(8), { type: 'transcript', text: 'hi' }, { type: 'sentence', text: 'Bad.' }],
			() => ({ ok: false, reason: 'test' }),
		)
		expect(said).toEqual(['Let me think.', 7, 'transcript'])
	})

	test('audio with no sentence, or an answer whose words never came, is never released', async () => {
		expect((await run([{ type: 'transcript', text: 'hi' }, audio(1)])).said).toEqual(['transcript'])
		const unheard = await run([{ type: 'sentence', text: 'Hello there.' }, audio(1)])
		expect(unheard.said).toEqual([])
		expect(unheard.end).toEqual({ kind: 'unheard' })
	})
})
