import type { ChildProfile, Provider } from '../../gateway/src/ai/provider'
import type { Codec } from '../../gateway/src/codec'
import { createLogger } from '../../gateway/src/obs/logger'
import { Session, type SessionOptions, type SessionSink } from '../../gateway/src/session/session'

/** One thing the toy was told, with when (performance.now()). */
export type Heard =
	| { t: number; kind: 'transcript' | 'sentence'; text: string }
	| { t: number; kind: 'start' | 'frame' | 'stop' }

/**
 * A Session on a 16 kHz Opus downlink whose sink records what a toy would be told, in order:
 * `calls` as short strings, `timeline` with arrival times (for what-the-child-hears figures).
 */
export function recordingSession(codec: Codec, provider: Provider, deviceId: string, child: ChildProfile, extra: Partial<SessionOptions> = {}) {
	const calls: string[] = []
	const timeline: Heard[] = []
	let frames = 0
	const sink: SessionSink = {
		transcript: (text) => {
			calls.push(`transcript:${text}`)
			timeline.push({ t: performance.now(), kind: 'transcript', text })
		},
		speechStart: () => {
			calls.push('start')
			timeline.push({ t: performance.now(), kind: 'start' })
		},
		sentence: (text) => {
			calls.push(`sentence:${text}`)
			timeline.push({ t: performance.now(), kind: 'sentence', text })
		},
		audio: () => {
			frames++
			timeline.push({ t: performance.now(), kind: 'frame' })
		},
		speechEnd: () => {
			calls.push('stop')
			timeline.push({ t: performance.now(), kind: 'stop' })
		},
	}
	const session = new Session(
		{
			codec,
			provider,
			log: createLogger('silent'),
			child,
			deviceId,
			turnMaxMs: 30_000,
			downlink: { format: 'opus', sampleRate: 16000, frameMs: 60 },
			...extra,
		},
		sink,
	)
	return { session, calls, timeline, frames: () => frames }
}
