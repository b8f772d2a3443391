import { describe, expect, test } from 'bun:test'
import type { ProviderEvent } from '../../gateway/src/ai/provider'
import type { Logger } from '../../gateway/src/obs/logger'
import { HotCounters } from '../../gateway/src/obs/metrics'
import { Admission } from '../../gateway/src/session/admission'

// The overload decision (issue 17 item 6) on an injected load signal: which turns and connections
// are shed, that each is counted, and that the log says so once per change of level, not per turn.

function setup() {
	let load = 0
	const lines: { level: string; msg: string }[] = []
	const log = {
		warn: (_o: object, msg: string) => lines.push({ level: 'warn', msg }),
		info: (_o: object, msg: string) => lines.push({ level: 'info', msg }),
	} as unknown as Logger
	const counters = new HotCounters()
	const busy: ProviderEvent[] = [{ type: 'sentence', text: 'I need a moment. Can you ask me again?', trusted: true }]
	const admission = new Admission(
		{ shedTurnsAtMs: 40, refuseConnectionsAtMs: 120 },
		{ signal: () => load, lines: { events: async (id) => (id === 'busy' ? busy : []) }, log, counters },
	)
	return { admission, counters, lines, set: (ms: number) => (load = ms) }
}

describe('admission', () => {
	test('below the turn threshold every turn and connection is taken, and nothing is logged', () => {
		const { admission, counters, lines, set } = setup()
		set(39)
		for (let i = 0; i < 5; i++) {
			expect(admission.admitTurn()).toBe(true)
			expect(admission.admitConnection()).toBe(true)
		}
		expect(counters.admissionShed).toEqual({ turn: 0, connection: 0 })
		expect(lines).toEqual([])
	})

	test('over the turn threshold new turns are shed and counted, connections still taken', () => {
		const { admission, counters, lines, set } = setup()
		set(45)
		expect(admission.admitTurn()).toBe(false)
		expect(admission.admitTurn()).toBe(false)
		expect(admission.admitConnection()).toBe(true)
		expect(counters.admissionShed).toEqual({ turn: 2, connection: 0 })
		expect(admission.level).toBe('shedding-turns')
		// once per change of level, not per turn
		expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1)
	})

	test('over the connection threshold connections are refused too; each level change logs once', () => {
		const { admission, counters, lines, set } = setup()
		set(150)
		expect(admission.admitConnection()).toBe(false)
		expect(admission.admitTurn()).toBe(false)
		expect(admission.admitConnection()).toBe(false)
		expect(counters.admissionShed).toEqual({ turn: 1, connection: 2 })
		expect(lines.map((l) => l.level)).toEqual(['warn'])
		set(0)
		expect(admission.admitTurn()).toBe(true)
		expect(admission.admitConnection()).toBe(true)
		expect(admission.level).toBe('open')
		expect(lines.map((l) => l.level)).toEqual(['warn', 'info'])
	})

	test('a load hovering at a threshold does not flap: a level is left only well below it', () => {
		const { admission, lines, set } = setup()
		for (const ms of [41, 38, 42, 35, 40, 31]) {
			set(ms)
			expect(admission.admitTurn()).toBe(false)
		}
		set(29)
		expect(admission.admitTurn()).toBe(true)
		expect(lines.map((l) => l.level)).toEqual(['warn', 'info'])
	})

	test('a shed turn hears the pre-rendered busy line, marked trusted', async () => {
		const { admission } = setup()
		const events = await admission.busyLine(16000)
		expect(events[0]).toEqual({ type: 'sentence', text: 'I need a moment. Can you ask me again?', trusted: true })
	})
})
