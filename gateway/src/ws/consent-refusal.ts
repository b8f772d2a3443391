import type { Provider } from '../ai/provider'
import type { Codec } from '../codec'
import { GatewayError } from '../errors'
import type { Logger } from '../obs/logger'
import { type ConsentKind, consentRefusalLine, consentRefusalMessage } from '../safety/consent'
import type { SpeakFixed } from '../safety/speak-fixed'
import type { EncodeLoad } from '../session/downlink'
import type { PacingClock } from '../session/pacer'
import { Session, type SessionSink } from '../session/session'
import type { ProtocolVersion } from './binary-frame'
import type { DeviceSocket, ProtocolHandler } from './connection'
import { SeedJsonAdapter } from './seed-json'
import { closeWithError } from './send'
import { XiaozhiAdapter, type XiaozhiLimits } from './xiaozhi'

// A toy whose child has no parental consent (or no consent for the AI service) is not just cut
// off: it says kindly why, in its own voice, and then closes with 4403 and a CONSENT_REQUIRED
// error. Nothing the child says is heard: audio and every message but hello and ping are dropped.
// The line is a fixed one (never model text), voiced from the fixed-line cache.

export interface RefusalDeps {
	codec: Codec
	speak: SpeakFixed
	log: Logger
	limits: XiaozhiLimits
	/** The gateway's pacing timer and encode load, shared with every other session. */
	pacing: PacingClock
	encodeLoad: EncodeLoad
}

export interface RefusalTarget {
	protocol: 'seed-json' | 'xiaozhi'
	deviceId: string
	cid: string
	/** xiaozhi protocol version */
	version?: ProtocolVersion
}

// ? After the last frame is sent the toy still holds up to ~5 frames (pacer burst): let them play.
const TAIL_MS = 600
// however the toy behaves, it is closed within this
const CAP_MS = 30_000

export type Attach = (ws: DeviceSocket) => ProtocolHandler

function typeOf(data: string): unknown {
	try {
		return (JSON.parse(data) as { type?: unknown })?.type
	} catch {
		return undefined
	}
}

export function consentRefusal(deps: RefusalDeps, target: RefusalTarget, kind: ConsentKind): Attach {
	return (ws) => {
		const log = deps.log.child({ cid: target.cid })
		log.info({ device: target.deviceId, missing: kind }, 'toy refused: no parental consent')
		const seed = target.protocol === 'seed-json'
		const adapter = seed
			? new SeedJsonAdapter(ws, log, deps.limits.textFrameBytes)
			: new XiaozhiAdapter(ws, log, target.version ?? 1, deps.limits)
		let done = false
		let cap: ReturnType<typeof setTimeout> | undefined
		const finish = () => {
			if (done) return
			done = true
			clearTimeout(cap)
			const t = setTimeout(() => {
				if (ws.readyState === 1) closeWithError(ws, new GatewayError('CONSENT_REQUIRED', consentRefusalMessage[kind]))
			}, TAIL_MS)
			t.unref?.()
		}
		const sink: SessionSink = {
			transcript() {},
			speechStart: () => adapter.speechStart(),
			sentence: (text) => adapter.sentence(text),
			audio: (packet) => adapter.audio(packet),
			speechEnd: () => {
				adapter.speechEnd()
				finish()
			},
		}
		const line = consentRefusalLine[kind]
		const provider: Provider = { name: 'consent', answer: (input) => deps.speak(line, { downlink: input.downlink }) }
		const session = new Session(
			{
				codec: deps.codec,
				provider,
				log,
				child: { id: '', name: 'friend', age: 7 },
				deviceId: target.deviceId,
				turnMaxMs: 30_000,
				downlink: { format: 'opus', sampleRate: seed ? 16000 : 24000, frameMs: 60 },
				pacing: deps.pacing,
				encodeLoad: deps.encodeLoad,
			},
			sink,
		)
		adapter.attach(session)
		cap = setTimeout(finish, CAP_MS)
		cap.unref?.()
		let spoken = false
		const speak = () => {
			if (spoken || ws.readyState !== 1) return
			spoken = true
			session.say('')
		}
		// seed-json toys play what arrives; xiaozhi toys only after the hello exchange
		if (seed) speak()
		return {
			message(data) {
				if (typeof data !== 'string') return
				const type = typeOf(data)
				if (type !== 'hello' && type !== 'ping') return
				adapter.message(data)
				if (type === 'hello') speak()
			},
			close() {
				clearTimeout(cap)
				adapter.close()
			},
			busy: () => !done,
		}
	}
}
