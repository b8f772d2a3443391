import type { Provider } from '../ai/provider'
import type { Codec } from '../codec'
import type { Config } from '../config'
import { GatewayError } from '../errors'
import type { Logger } from '../obs/logger'
import type { Store } from '../store'
import type { DeviceSocket, ProtocolHandler } from '../ws/connection'
import { SeedJsonAdapter } from '../ws/seed-json'
import { childOf, type SeedHandshake } from '../ws/seed-json-handshake'
import { Session, type TurnRecorder } from './session'

// Builds the session behind an authenticated seed-json socket: registers the device, resolves
// the child profile, and records the conversation (encrypted) as it happens.

export interface SeedSessionDeps {
	config: Config
	log: Logger
	codec: Codec
	provider: Provider
	store: Store
}

export function prepareSeedSessionWith(deps: SeedSessionDeps) {
	const { config, log, store } = deps
	return async (h: SeedHandshake, cid: string): Promise<(ws: DeviceSocket) => ProtocolHandler> => {
		const device = await store.devices.upsertSeen(h.deviceId)
		if (device.revokedAt) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
		if (config.requirePairing && !device.pairedChildId) {
			throw new GatewayError('FORBIDDEN', 'this toy must be paired with a child profile first')
		}
		const child = await store.children.upsertFromSeed({ externalId: h.childExternalId, name: h.childName, age: h.childAge })
		const recorder = conversationRecorder(store, h.deviceId, child.id)
		return (ws) => {
			const sessionLog = log.child({ cid })
			const adapter = new SeedJsonAdapter(ws, sessionLog, config.limits.textFrameBytes)
			const session = new Session(
			{
				codec: deps.codec,
				provider: deps.provider,
				log: sessionLog,
				child: childOf(h, child.id),
				turnMaxMs: config.limits.turnMaxMs,
				downlink: { format: 'opus', sampleRate: 16000, frameMs: 60 },
				recorder,
			},
			adapter,
		)
			adapter.attach(session)
			return adapter
		}
	}
}

// The conversation row is made on the first thing said, so a toy that connects and idles writes nothing.
function conversationRecorder(store: Store, deviceId: string, childId: string): TurnRecorder {
	let conversation: Promise<string> | undefined
	return {
		async record(role, text) {
			conversation ??= store.conversations.start(deviceId, childId)
			await store.conversations.append(await conversation, role, text)
		},
	}
}
