import { describe, expect, test } from 'bun:test'
import { runMarkdown } from '../../bench/fleet/report'
import type { RunResult } from '../../bench/fleet/run'
import { answerKind, framesMissing, perConnectionKiB, playbackDeadline, scalingEfficiency, summarize, toysPerCore, unansweredKind } from '../../bench/fleet/stats'
import { emptyResult } from '../../bench/fleet/fleet'
import { helloFor, listenStart } from '../../bench/fleet/wire'

// The fleet bench's own bookkeeping (issue 17): figures it cannot know are "n/a", not 0 or blank;
// an unanswered turn says whether nothing came or the answer stalled; toys say what they speak.

describe('fleet bench figures', () => {
	test('a toy says hello with the protocol version it speaks', () => {
		for (const v of [1, 2, 3] as const) expect(JSON.parse(helloFor(v)).version).toBe(v)
		expect(JSON.parse(listenStart('auto'))).toEqual({ type: 'listen', state: 'start', mode: 'auto' })
	})

	test('a stalled answer times out after what arrived has played, whatever the answer length', () => {
		// 10 frames of 60 ms heard from t=1000: they play until 1600; 5 s of grace after that.
		expect(playbackDeadline(1000, 10, 60, 5000)).toBe(6600)
		// A long answer from a real provider keeps extending its own deadline.
		expect(playbackDeadline(1000, 500, 60, 5000)).toBe(36_000)
		expect(unansweredKind(0)).toBe('noAudio')
		expect(unansweredKind(3)).toBe('playbackOverTimeout')
	})

	test('who answered is unknown without the fake provider, rather than every answer being a cached line', () => {
		expect(answerKind(false, false)).toBe('unknown')
		expect(answerKind(true, true)).toBe('provider')
		expect(answerKind(false, true)).toBe('cachedLine')
	})

	test('frames lost need a known answer length', () => {
		expect(framesMissing(null, 60, 10)).toBeNull()
		expect(framesMissing(1200, 60, 18)).toBe(2)
		expect(framesMissing(1200, 60, 25)).toBe(0)
	})

	test('RSS per connection is against one baseline', () => {
		expect(perConnectionKiB(100_000, 110_000, 1000)).toBe(10)
		expect(perConnectionKiB(null, 110_000, 1000)).toBeNull()
		expect(perConnectionKiB(100_000, 110_000, 0)).toBeNull()
	})

	test('toys per core take the load generator off the cores it shared, and scaling compares per core', () => {
		expect(toysPerCore(900, 1, 0)).toBe(900)
		// 2 processes on 2 cores with the generator using 40 % of one core: 1.6 cores served the toys.
		expect(toysPerCore(1600, 2, 40)).toBe(1000)
		expect(toysPerCore(0, 2, 0)).toBeNull()
		expect(scalingEfficiency(900, 810)).toBe(0.9)
		expect(scalingEfficiency(null, 810)).toBeNull()
	})
})

describe('fleet run report', () => {
	function run(providerKnown: boolean): RunResult {
		const r = emptyResult()
		const s = summarize([])
		const summaries = {
			handshakeMs: s,
			ingestMs: s,
			endpointMs: s,
			anyFirstFrameMs: summarize([250, 300]),
			heartbeatRttMs: s,
			endOfSpeechToFirstFrameMs: s,
			gatewayAddedMs: s,
			fixedLineFirstFrameMs: s,
			providerToFirstFrameMs: s,
			pacingJitterMs: s,
			bargeInStopMs: s,
			reconnectMs: s,
		}
		return {
			options: {
				scenario: 'talk',
				n: 2,
				durationMs: 10_000,
				rampMs: 1000,
				workers: 1,
				mix: { v3: 1 },
				listen: { auto: 1 },
				paired: false,
				path: 'production',
				logLevel: 'info',
				answerFormat: 'pcm',
				processes: 1,
				codec: 'native',
				url: providerKnown ? undefined : 'ws://127.0.0.1:9',
				latencyMs: 200,
				answerMs: 2000,
				pauseMs: [1000, 2000],
				bargeInShare: 0,
				talkShare: 1,
				heartbeatMs: 30_000,
				pin: true,
			},
			figures: {
				connectionsHeld: 2,
				handshakeSuccessRate: 100,
				handshakeFailures: {},
				unexpectedCloses: {},
				turns: { ...r.turns, started: 3, answered: 2, unanswered: 1, noAudio: 0, playbackOverTimeout: 1 },
				uplinkFramesPerSec: 33,
				downlinkFramesPerSec: 20,
				...summaries,
				stormRecoveryMs: null,
				framesLost: providerKnown ? 0 : null,
				seqGaps: 0,
				uplinkSendFailures: 0,
				clientErrors: {},
				gateway: { pid: 1, cpuPercentAvg: 10, cpuPercentMax: 20, rssBaselineKiB: 1024, rssKiB: 2048, rssMaxKiB: 2048, rssPerConnectionKiB: 512, ioBytesPerConnectionPerSec: 1 },
				client: { uplinkBytesPerToyPerSec: 1, downlinkBytesPerToyPerSec: 1 },
				generator: { workers: 1, cpuPercent: 5, cpus: '1', sharesGatewayCores: false },
				postgres: null,
				stored: null,
				provider: providerKnown ? 'fake' : 'openai-pipeline',
				providerKnown,
				gatewayCpus: providerKnown ? '0' : 'external',
				gatewayLogTail: [],
			},
			timeline: [],
			startedAt: '',
			elapsedMs: 0,
		}
	}

	test('against a real provider: provider name in the text, cached lines and loss n/a, every answer timed', () => {
		const md = runMarkdown('talk', run(false))
		expect(md).toContain('provider openai-pipeline')
		expect(md).toContain('| turns started / answered / barged in / cached line | 3 / 2 / 0 / n/a |')
		expect(md).toContain('| frames lost (downlink, complete answers) | n/a |')
		expect(md).toMatch(/\| end of speech → first frame, any answer \| 2 \| 250.0 \|/)
	})

	test('unanswered turns are split into no audio and playback over timeout', () => {
		const md = runMarkdown('talk', run(true))
		expect(md).toContain('| turns unanswered: no audio / playback over timeout | 0 / 1 |')
		expect(md).toContain('| frames lost (downlink, complete answers) | 0 |')
		expect(md).toContain('provider fake')
	})
})
