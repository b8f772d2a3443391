import { randomUUID } from 'node:crypto'
import type { ChildProfile, DeviceTools, Provider } from '../ai/provider'
import type { Codec } from '../codec'
import type { Config } from '../config'
import { GatewayError } from '../errors'
import type { Logger } from '../obs/logger'
import type { Device, Store } from '../store'
import type { ConsentKind } from '../store/consents'
import type { MemoryRateLimiter } from '../store/rate-limits'
import type { WriteBacklog } from '../store/write-backlog'
import type { DeviceSocket, ProtocolHandler } from './connection'
import { SeedJsonAdapter } from './seed-json'
import type { SeedHandshake } from './seed-json-handshake'
import { XiaozhiAdapter } from './xiaozhi'
import type { XiaozhiHandshake } from './xiaozhi-handshake'
import type { Metrics } from '../obs/metrics'
import { type ConsentReader, missingConsent } from '../session/consent-gate'
import type { SessionContext } from '../session/resume-cache'
import type { ResumeStore } from '../session/resume-store'
import type { Admission } from '../session/admission'
import type { EncodeLoad } from '../session/downlink'
import type { PacingClock } from '../session/pacer'
import { Session, type SessionOptions, type SessionSink, type TurnRecorder } from '../session/session'

// Builds the session behind an authenticated socket: registers the device, checks it may talk,
// resolves the child profile, and records the conversation (encrypted) as it happens. The async
// part runs before the upgrade; the returned function wires the socket synchronously on open.

export interface SessionDeps {
	config: Config
	log: Logger
	codec: Codec
	provider: Provider
	store: Store
	// ? In memory on purpose: a toy is connected to one gateway at a time.
	turnLimiter: MemoryRateLimiter
	/** Conversation context across reconnects, on this node or another (session/resume-store.ts). */
	resume: ResumeStore
	/** Conversation writes survive a database outage through here. */
	writes: WriteBacklog
	metrics?: Metrics
	/** Parental consent (parents package): which consents a child has, and how a refused toy is told. */
	consent?: ConsentGate
	/** The gateway's pacing timer, encode load and overload control, shared by its sessions. */
	pacing: PacingClock
	encodeLoad: EncodeLoad
	admission?: Admission
}

export interface ConsentGate {
	reader: ConsentReader
	/** The gateway answers with a remote AI service: the child's words leave it. */
	thirdPartyAi: boolean
	refuse(target: { protocol: 'seed-json' | 'xiaozhi'; deviceId: string; cid: string; version?: XiaozhiHandshake['version'] }, kind: ConsentKind): Attach
}

type Attach = (ws: DeviceSocket) => ProtocolHandler

// Unpaired binary-protocol toys talk with a default profile (PROTOCOL.md §1): age band 6–9.
const DEFAULT_CHILD: ChildProfile = { id: '', name: 'friend', age: 7 }

async function admitDevice(deps: SessionDeps, deviceId: string): Promise<Device> {
	const device = await deps.store.devices.upsertSeen(deviceId)
	if (device.revokedAt) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
	if (deps.config.requirePairing && !device.pairedChildId) {
		throw new GatewayError('FORBIDDEN', 'this toy must be paired with a child profile first')
	}
	return device
}

/**
 * Who a seed-json toy talks to. Paired: a child of its family (the one its query names, else the
 * one it is paired with), as the parent stored it; the query never renames anyone. Unpaired: a
 * child of its own, described by its query. Never another household's child (issue 10).
 */
async function seedChild(store: Store, device: Device, h: SeedHandshake): Promise<ChildProfile> {
	const child = device.pairedChildId
		? await store.children.forPairedToy(device.pairedChildId, h.childExternalId)
		: await store.children.upsertForDevice(device.deviceId, { externalId: h.childExternalId, name: h.childName, age: h.childAge })
	// ? pairedChildId is set null when the child is deleted, so a paired toy always finds its child
	if (!child) throw new GatewayError('FORBIDDEN', 'this toy is paired with a child profile that no longer exists')
	return { id: child.id, name: child.name, age: child.age }
}

function sessionOptions(
	deps: SessionDeps,
	log: Logger,
	deviceId: string,
	child: ChildProfile,
	downlinkRate: 16000 | 24000,
	resumed: SessionContext | undefined,
	recorder?: TurnRecorder,
): SessionOptions {
	const counters = deps.metrics?.hot
	// ! Per toy and child: a toy that comes back as another child must not resume the last one's words
	// (session/resume-store.ts keys by both, here and in Redis).
	const childId = child.id
	return {
		deviceId,
		allowTurn: () => {
			if (deps.turnLimiter.hitSync(deviceId)) return true
			if (counters) counters.rateLimited.turn++
			return false
		},
		// ? Taken when the socket opens: a toy replaced by its own newer connection here resumes too.
		resume: () => deps.resume.take(deviceId, childId, resumed),
		onClose: (ctx) => deps.resume.park(deviceId, childId, ctx),
		onTurnEnd: (ctx) => deps.resume.checkpoint(deviceId, childId, ctx),
		metrics: deps.metrics,
		pacing: deps.pacing,
		encodeLoad: deps.encodeLoad,
		admission: deps.admission,
		codec: deps.codec,
		provider: deps.provider,
		log,
		child,
		turnMaxMs: deps.config.limits.turnMaxMs,
		downlink: { format: 'opus', sampleRate: downlinkRate, frameMs: 60 },
		recorder,
	}
}

function wire<A extends SessionSink & ProtocolHandler & { attach(s: Session): void; tools?: DeviceTools }>(
	adapter: A,
	opts: SessionOptions,
): A {
	adapter.attach(new Session({ ...opts, tools: adapter.tools }, adapter))
	return adapter
}

export function prepareSeedSessionWith(deps: SessionDeps) {
	return async (h: SeedHandshake, cid: string): Promise<Attach> => {
		const device = await admitDevice(deps, h.deviceId)
		// ! Before the query's child is stored: nothing about a child is kept without its parent's consent.
		const refused = await consentMissing(deps, [device.pairedChildId])
		if (refused) return deps.consent!.refuse({ protocol: 'seed-json', deviceId: h.deviceId, cid }, refused)
		const child = await seedChild(deps.store, device, h)
		const missing = await consentMissing(deps, [child.id])
		if (missing) return deps.consent!.refuse({ protocol: 'seed-json', deviceId: h.deviceId, cid }, missing)
		const resumed = await deps.resume.fetch(h.deviceId, child.id)
		const recorder = conversationRecorder(deps, h.deviceId, child.id)
		const log = deps.log.child({ cid })
		// Seed toys announce 16 kHz audio; answering at the same rate suits their decoder.
		const opts = sessionOptions(deps, log, h.deviceId, child, 16000, resumed, recorder)
		return (ws) => wire(new SeedJsonAdapter(ws, log, deps.config.limits.textFrameBytes), opts)
	}
}

export function prepareXiaozhiSessionWith(deps: SessionDeps) {
	return async (h: XiaozhiHandshake, cid: string): Promise<Attach> => {
		const device = await admitDevice(deps, h.deviceId)
		const missing = await consentMissing(deps, [device.pairedChildId])
		if (missing) return deps.consent!.refuse({ protocol: 'xiaozhi', deviceId: h.deviceId, cid, version: h.version }, missing)
		const paired = device.pairedChildId ? await deps.store.children.get(device.pairedChildId) : null
		const child = paired ? { id: paired.id, name: paired.name, age: paired.age } : DEFAULT_CHILD
		const resumed = await deps.resume.fetch(h.deviceId, child.id)
		// ! Conversations of unpaired toys are not stored: there is no child (or parent) to own them.
		const recorder = paired ? conversationRecorder(deps, h.deviceId, paired.id) : undefined
		const log = deps.log.child({ cid })
		const { limits } = deps.config
		// xiaozhi firmware decodes whatever rate the gateway's hello names; 24 kHz is the providers' native rate.
		const opts = sessionOptions(deps, log, h.deviceId, child, 24000, resumed, recorder)
		return (ws) => wire(new XiaozhiAdapter(ws, log, h.version, limits), opts)
	}
}

// A child a parent owns needs that parent's consent before the toy may talk (session/consent-gate.ts).
function consentMissing(deps: SessionDeps, childIds: Array<string | null>): Promise<ConsentKind | null> {
	if (!deps.consent) return Promise.resolve(null)
	return missingConsent(deps.consent.reader, childIds, deps.consent.thirdPartyAi)
}

// The conversation row is made on the first thing said, so a toy that connects and idles writes
// nothing. Ids and times are fixed when words are said: a write retried after an outage stores
// them once, in the order spoken, with the time they were spoken.
function conversationRecorder({ store, writes }: SessionDeps, deviceId: string, childId: string): TurnRecorder {
	let conversationId: string | undefined
	return {
		record(role, text) {
			if (!conversationId) {
				const id = randomUUID()
				conversationId = id
				writes.submit(id, 'conversation start', () => store.conversations.start(deviceId, childId, id))
			}
			const id = conversationId
			const message = { id: randomUUID(), at: new Date() }
			writes.submit(id, 'conversation message', () => store.conversations.append(id, role, text, message))
		},
		end() {
			const id = conversationId
			if (id) writes.submit(id, 'conversation end', () => store.conversations.end(id))
		},
	}
}
