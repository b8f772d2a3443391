import type { ChildProfile, Provider } from '../../gateway/src/ai/provider'
import type { Codec } from '../../gateway/src/codec'
import { createLogger } from '../../gateway/src/obs/logger'
import { Session, type SessionSink } from '../../gateway/src/session/session'

/** A Session on a 16 kHz Opus downlink whose sink records what a toy would be told, in order. */
export function recordingSession(codec: Codec, provider: Provider, deviceId: string, child: ChildProfile) {
	const calls: string[] = []
	let frames = 0
	const sink: SessionSink = {
		transcript: (t) => calls.push(`transcript:${t}`),
		speechStart: () => calls.push('start'),
		sentence: (t) => calls.push(`sentence:${t}`),
		audio: () => frames++,
		speechEnd: () => calls.push('stop'),
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
		},
		sink,
	)
	return { session, calls, frames: () => frames }
}
