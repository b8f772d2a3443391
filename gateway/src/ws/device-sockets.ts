import { randomUUID } from 'node:crypto'
import type { Server, WebSocketHandler } from 'bun'
import type { DeviceAuthenticator } from '../auth/device-auth'
import { CLOSE, GatewayError } from '../errors'
import type { Logger } from '../obs/logger'
import type { Config } from '../config'
import { ADMISSION_RETRY_SECONDS, type Admission } from '../session/admission'
import type { ConnectionData, DeviceSocket, SendPolicy } from './connection'
import { DeviceRegistry } from './device-registry'
import { authenticateSeed, type SeedHandshake } from './seed-json-handshake'
import type { ProtocolHandler } from './connection'
import { authenticateXiaozhi, type XiaozhiHandshake } from './xiaozhi-handshake'
import { asGatewayError, closeWithError } from './send'
import type { RateLimiter } from '../store/rate-limits'
import type { Metrics } from '../obs/metrics'
import type { FleetNode } from './fleet-node'

// The device WebSocket endpoints on Bun's own server (no framework per-message layer on the hot
// path). Handshake failures still open the socket so the toy reads an `error` and a close code
// instead of an opaque failed upgrade.

const SEED_JSON_PATHS = new Set(['/api/v1/esp32/private/chat', '/ws/esp32/connect'])
const XIAOZHI_PATHS = new Set(['/xiaozhi/v1/', '/xiaozhi/v1', '/api/v1/esp32/ws'])

// ? Firmware 002 opens `/ws/{device_id}`: an alias of the seed-json path (issue 15).
const SEED_ALIAS = /^\/ws\/([A-Za-z0-9:_.-]{1,64})$/

/** Which device protocol a path speaks, or undefined for REST. */
export function deviceProtocolOf(pathname: string): ConnectionData['protocol'] | undefined {
	if (SEED_JSON_PATHS.has(pathname) || SEED_ALIAS.test(pathname)) return 'seed-json'
	if (XIAOZHI_PATHS.has(pathname)) return 'xiaozhi'
	return undefined
}

type Attach = (ws: DeviceSocket) => ProtocolHandler

/** Do the handshake's async work (store lookups) and return what builds the session on open. */
export type PrepareSeedSession = (handshake: SeedHandshake, cid: string) => Promise<Attach>
export type PrepareXiaozhiSession = (handshake: XiaozhiHandshake, cid: string) => Promise<Attach>

export interface DeviceSocketsDeps {
	config: Config
	log: Logger
	auth: DeviceAuthenticator
	/** New connections per IP (PROTOCOL.md §5); checked before any token work. */
	connectionLimiter: RateLimiter
	/** ALLOWED_ORIGINS: a browser page from any other origin may not open a device socket. */
	originAllowed: (origin: string) => boolean
	prepareSeedSession: PrepareSeedSession
	prepareXiaozhiSession: PrepareXiaozhiSession
	/** Frame counters and the handshake histogram; absent when metrics are off. */
	metrics?: Metrics
	/** Presence of the toys held here, for the fleet (ws/fleet-node.ts). */
	fleet?: Pick<FleetNode, 'connected' | 'disconnected'>
	/** Made by gateway.ts when others need to reach live toys (DeviceControl); else made here. */
	registry?: DeviceRegistry
	/** This gateway's send-buffer policy (ws/send.ts sendPolicy). */
	sendPolicy: SendPolicy
	/** Overload control: refuses new connections when the gateway is far over its load (session/admission.ts). */
	admission?: Pick<Admission, 'admitConnection'>
}

export function createDeviceSockets(deps: DeviceSocketsDeps) {
	const { config, log } = deps
	const registry = deps.registry ?? new DeviceRegistry()
	let draining = false
	const metrics = deps.metrics
	const counters = metrics?.hot
	const idleSweep = setInterval(closeIdle, Math.min(5000, Math.max(250, config.limits.idleTimeoutMs / 4)))
	idleSweep.unref?.()

	async function upgrade(
		req: Request,
		server: Server<ConnectionData>,
		url: URL,
		protocol: ConnectionData['protocol'],
		/** The client's address (an IPv6 one as its /64): the socket's, or X-Forwarded-For's from a trusted proxy. */
		ip: string,
	): Promise<Response | undefined> {
		const cid = randomUUID()
		const started = performance.now()
		const data: ConnectionData = { cid, protocol, deviceId: '', ip, lastFrameAt: Date.now(), counters, send: deps.sendPolicy }
		try {
			if (draining) throw new GatewayError('RESTARTING', 'gateway is restarting; reconnect shortly')
			// ? Before any token or store work: a refused toy costs the overloaded gateway next to nothing.
			if (deps.admission && !deps.admission.admitConnection()) {
				throw new GatewayError('RESTARTING', `gateway is overloaded; retry in ${ADMISSION_RETRY_SECONDS} s with jittered backoff`, {
					retryAfterSeconds: ADMISSION_RETRY_SECONDS,
				})
			}
			// ? Toys send no Origin; a browser always does, and cannot forge it.
			const origin = req.headers.get('origin')
			if (origin !== null && !deps.originAllowed(origin)) {
				throw new GatewayError('FORBIDDEN', 'a page from this origin may not open a device socket')
			}
			const verdict = await deps.connectionLimiter.take(ip)
			if (!verdict.allowed) {
				throw new GatewayError('RATE_LIMITED', `too many new connections from this address; retry in ${verdict.retryAfterSeconds} s`, {
					retryAfterSeconds: verdict.retryAfterSeconds,
				})
			}
			if (protocol === 'seed-json') {
				const handshake = await authenticateSeed(withPathDeviceId(url), deps.auth)
				data.deviceId = handshake.deviceId
				data.attach = await deps.prepareSeedSession(handshake, cid)
			} else {
				const handshake = await authenticateXiaozhi(req, url, deps.auth)
				data.deviceId = handshake.deviceId
				data.protocolVersion = handshake.version
				data.attach = await deps.prepareXiaozhiSession(handshake, cid)
			}
			metrics?.handshake.observe(performance.now() - started)
		} catch (err) {
			data.reject = asGatewayError(err)
			if (data.reject.code === 'INTERNAL') {
				// e.g. the store failed: this toy gets 1011 with the id of the log line (PROTOCOL.md §5)
				log.error({ err, cid, device: data.deviceId || undefined, protocol }, 'handshake failed')
				if (!(err instanceof GatewayError)) {
					data.reject = new GatewayError('INTERNAL', `internal error (correlation id ${cid})`)
				}
			} else if (data.reject.code === 'UNAVAILABLE') {
				// e.g. Redis is down: 1011 at once, naming the log line, and the toy backs off
				log.warn({ cid, device: data.deviceId || undefined, protocol, reason: data.reject.message }, 'handshake failed: dependency unavailable')
				data.reject = new GatewayError('UNAVAILABLE', `${data.reject.message} (correlation id ${cid})`, {
					retryAfterSeconds: data.reject.retryAfterSeconds,
				})
			}
			log.info({ cid, ip, code: data.reject.code, reason: data.reject.message }, 'device handshake refused')
		}
		if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
			const err = data.reject ?? new GatewayError('BAD_REQUEST', 'this path takes a WebSocket upgrade')
			const headers: Record<string, string> = { 'x-correlation-id': cid }
			if (err.retryAfterSeconds) headers['retry-after'] = String(err.retryAfterSeconds)
			return Response.json({ ...err.toJSON(), correlation_id: cid }, { status: err.status, headers })
		}
		if (server.upgrade(req, { data, headers: { 'x-correlation-id': cid } })) return undefined
		return Response.json({ code: 'BAD_REQUEST', message: 'WebSocket upgrade failed' }, { status: 400 })
	}

	const websocket: WebSocketHandler<ConnectionData> = {
		// Frames over our limits get a typed error from the adapter; this cap only stops abuse.
		maxPayloadLength: Math.max(config.limits.textFrameBytes, config.limits.binaryFrameBytes) * 4,
		// Past this, Bun drops sends; ws/send.ts turns that into a logged close.
		backpressureLimit: config.limits.sendBufferBytes,
		closeOnBackpressureLimit: false,
		// Our own sweep enforces the idle limit with 4408; Bun's timer is only a backstop.
		idleTimeout: 960,
		perMessageDeflate: false,
		sendPings: true,
		open(ws) {
			const { reject, attach } = ws.data
			ws.data.attach = undefined
			if (reject || !attach) return closeWithError(ws, reject ?? new GatewayError('INTERNAL', 'no session'))
			ws.data.connectedAt = Date.now()
			registry.add(ws)
			ws.data.handler = attach(ws)
			deps.fleet?.connected(ws.data.deviceId)
			log.info({ cid: ws.data.cid, device: ws.data.deviceId, protocol: ws.data.protocol }, 'device connected')
		},
		message(ws, message) {
			ws.data.lastFrameAt = Date.now()
			if (counters) counters.framesIn++
			const handler = ws.data.handler
			if (!handler) return // refused socket: already closing
			try {
				const r = handler.message(message)
				if (r) r.catch((err) => internalError(ws, err))
			} catch (err) {
				internalError(ws, err)
			}
		},
		close(ws, code) {
			registry.remove(ws)
			ws.data.handler?.close(code)
			ws.data.handler = undefined
			if (ws.data.deviceId && !ws.data.reject) deps.fleet?.disconnected(ws.data.deviceId)
			if (ws.data.deviceId) log.info({ cid: ws.data.cid, device: ws.data.deviceId, code }, 'device disconnected')
		},
	}

	// ! An unexpected exception ends this toy's socket with 1011 and a correlation id; never the process.
	function internalError(ws: DeviceSocket, err: unknown): void {
		log.error({ err, cid: ws.data.cid, device: ws.data.deviceId }, 'internal error on device socket')
		if (ws.readyState === 1) {
			closeWithError(ws, new GatewayError('INTERNAL', `internal error (correlation id ${ws.data.cid})`))
		}
	}

	// One timer for all sockets: a toy that sends nothing while no answer is playing is idle.
	function closeIdle(): void {
		const deadline = Date.now() - config.limits.idleTimeoutMs
		for (const ws of registry.all()) {
			if (ws.data.lastFrameAt >= deadline || ws.data.handler?.busy()) continue
			log.info({ cid: ws.data.cid, device: ws.data.deviceId }, 'closing idle device')
			closeWithError(ws, new GatewayError('IDLE_TIMEOUT', `no frame for ${config.limits.idleTimeoutMs} ms`))
		}
	}

	/**
	 * Stops accepting, tells idle toys at once to come back later (1012), lets toys that are being
	 * answered hear the rest of their answer up to `deadlineMs`, then closes the rest the same way.
	 */
	async function drain(deadlineMs = 0): Promise<void> {
		clearInterval(idleSweep)
		draining = true
		const until = Date.now() + deadlineMs
		for (;;) {
			let busy = 0
			for (const ws of registry.all()) {
				if (ws.data.handler?.busy() && Date.now() < until) busy++
				else restart(ws)
			}
			if (busy === 0) return
			await Bun.sleep(50)
		}
	}

	function restart(ws: DeviceSocket): void {
		if (ws.readyState !== 1) return
		// The session ends first (its context is parked for a resume elsewhere), then the toy reads why.
		ws.data.handler?.close(CLOSE.restarting)
		ws.data.handler = undefined
		closeWithError(ws, new GatewayError('RESTARTING', 'gateway is restarting; reconnect with backoff'))
	}

	/** Toys on this gateway by wire protocol and sessions by state, for the gauges. */
	function census(): { protocols: Record<string, number>; states: Record<string, number> } {
		const protocols: Record<string, number> = { 'seed-json': 0, 'xiaozhi-v1': 0, 'xiaozhi-v2': 0, 'xiaozhi-v3': 0 }
		const states: Record<string, number> = { idle: 0, listening: 0, thinking: 0, speaking: 0 }
		for (const ws of registry.all()) {
			const p = ws.data.protocol === 'seed-json' ? 'seed-json' : `xiaozhi-v${ws.data.protocolVersion ?? 1}`
			protocols[p] = (protocols[p] ?? 0) + 1
			const st = ws.data.handler?.state?.()
			if (st) states[st] = (states[st] ?? 0) + 1
		}
		return { protocols, states }
	}

	return { upgrade, websocket, registry, drain, census, CLOSE }
}

export type DeviceSockets = ReturnType<typeof createDeviceSockets>

/** `/ws/{device_id}`: the path names the toy; a query naming another one is refused. */
function withPathDeviceId(url: URL): URL {
	const m = SEED_ALIAS.exec(url.pathname)
	if (!m) return url
	const named = url.searchParams.get('device_id')
	if (named !== null && named !== m[1]) throw new GatewayError('BAD_REQUEST', 'the device id in the path and in the query differ')
	const out = new URL(url)
	out.searchParams.set('device_id', m[1]!)
	return out
}
