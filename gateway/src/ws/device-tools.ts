import type { DeviceTools, ToolResult, ToolSpec } from '../ai/provider'
import type { Logger } from '../obs/logger'

// The tools a xiaozhi toy offers the model: MCP tools (firmware 1.6.6 and later, listed after an
// `initialize` when hello says features.mcp) and IoT methods (older firmware sends `iot`
// descriptors instead). The model calls them through DeviceTools; which ones it may call is the
// family's choice, applied by the safety layer. What comes from the toy is bounded here: a toy
// must not be able to flood the prompt with tools or hang a turn on a call.

const MAX_TOOLS = 64
const MAX_PAGES = 8
const MAX_DESCRIPTION = 1024
const CALL_TIMEOUT_MS = 5_000
const NAME = /^[A-Za-z0-9_.-]{1,64}$/
const MCP_PROTOCOL_VERSION = '2024-11-05'

type Json = Record<string, unknown>

interface PendingCall {
	resolve(result: Json): void
	timer: ReturnType<typeof setTimeout>
}

type Tool = ToolSpec & ({ via: 'mcp' } | { via: 'iot'; thing: string; method: string })

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown, max = MAX_DESCRIPTION) => (typeof v === 'string' ? v.slice(0, max) : '')

export class XiaozhiDeviceTools implements DeviceTools {
	private readonly tools = new Map<string, Tool>()
	private readonly pending = new Map<number, PendingCall>()
	private nextId = 1
	private pages = 0
	private states: unknown[] = []

	constructor(
		private readonly send: (msg: Json) => void,
		private readonly log: Logger,
		private readonly clientVersion: string,
	) {}

	/** hello said features.mcp: ask the toy what it can do. */
	startMcp(): void {
		void this.request('initialize', {
			protocolVersion: MCP_PROTOCOL_VERSION,
			capabilities: {},
			clientInfo: { name: 'teddy-gateway', version: this.clientVersion },
		}).then((r) => {
			if (isObject(r.result)) this.listPage('')
		})
	}

	/** A `mcp` message from the toy: a response to one of our requests. */
	onMcp(payload: Json): void {
		const id = payload.id
		if (typeof id !== 'number') return // notifications and requests from the toy: nothing to do
		const call = this.pending.get(id)
		if (!call) return
		this.pending.delete(id)
		clearTimeout(call.timer)
		call.resolve(payload)
	}

	/** An `iot` message (firmware before 1.6.6): descriptors become tools, states are kept for status. */
	onIot(msg: { descriptors?: unknown[]; states?: unknown[] }): void {
		for (const d of msg.descriptors ?? []) this.addThing(d)
		if (msg.states) this.states = msg.states.slice(0, MAX_TOOLS)
		if (msg.descriptors?.length && !this.tools.has('iot.get_states')) {
			this.add({
				name: 'iot.get_states',
				description: 'Current state of the toy (volume, screen and so on).',
				inputSchema: { type: 'object', properties: {} },
				via: 'iot',
				thing: '',
				method: '',
			})
		}
	}

	list(): readonly ToolSpec[] {
		return [...this.tools.values()].map(({ name, description, inputSchema }) => ({ name, description, inputSchema }))
	}

	async call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult> {
		const tool = this.tools.get(name)
		if (!tool) return { ok: false, content: `the toy has no tool "${name.slice(0, 64)}"` }
		if (signal?.aborted) return { ok: false, content: 'cancelled' }
		if (tool.via === 'iot') {
			if (tool.name === 'iot.get_states') return { ok: true, content: JSON.stringify(this.states) }
			// ? IoT commands have no reply; the toy reports its new state in a later `iot` states message.
			this.send({ type: 'iot', commands: [{ name: tool.thing, method: tool.method, parameters: args }] })
			return { ok: true, content: 'done' }
		}
		const reply = await this.request('tools/call', { name, arguments: args }, signal)
		if (isObject(reply.error)) return { ok: false, content: text(reply.error.message) || 'the toy refused the call' }
		const result = isObject(reply.result) ? reply.result : {}
		const parts = Array.isArray(result.content) ? result.content : []
		const content = parts.map((p) => (isObject(p) ? text(p.text) : '')).join('\n')
		return { ok: result.isError !== true, content: content || JSON.stringify(result).slice(0, MAX_DESCRIPTION) }
	}

	/** The socket closed: calls in flight end now (as failures), not at their timeout. */
	close(): void {
		for (const [id, call] of this.pending) {
			clearTimeout(call.timer)
			call.resolve({ id, error: { message: 'the toy disconnected' } })
		}
		this.pending.clear()
	}

	private listPage(cursor: string): void {
		if (++this.pages > MAX_PAGES) return
		void this.request('tools/list', { cursor }).then((r) => {
			const result = isObject(r.result) ? r.result : {}
			for (const t of Array.isArray(result.tools) ? result.tools : []) this.addMcpTool(t)
			const next = result.nextCursor
			if (typeof next === 'string' && next !== '' && this.tools.size < MAX_TOOLS) this.listPage(next)
			else this.log.info({ tools: [...this.tools.keys()] }, 'toy tools listed')
		})
	}

	private addMcpTool(t: unknown): void {
		if (!isObject(t) || typeof t.name !== 'string' || !NAME.test(t.name)) return
		const schema = isObject(t.inputSchema) ? t.inputSchema : { type: 'object', properties: {} }
		// A schema is model input from the toy: keep it small.
		if (JSON.stringify(schema).length > 4 * MAX_DESCRIPTION) return
		this.add({ name: t.name, description: text(t.description), inputSchema: schema, via: 'mcp' })
	}

	private addThing(d: unknown): void {
		if (!isObject(d) || typeof d.name !== 'string' || !NAME.test(d.name) || !isObject(d.methods)) return
		for (const [method, spec] of Object.entries(d.methods)) {
			if (!NAME.test(method) || !isObject(spec)) continue
			const params = isObject(spec.parameters) ? spec.parameters : {}
			const properties: Json = {}
			for (const [p, ps] of Object.entries(params)) {
				if (!NAME.test(p) || !isObject(ps)) continue
				const type = ps.type === 'number' || ps.type === 'boolean' ? ps.type : 'string'
				properties[p] = { type, description: text(ps.description, 256) }
			}
			this.add({
				name: `iot.${d.name}.${method}`,
				description: [text(d.description, 256), text(spec.description, 512)].filter(Boolean).join(': '),
				inputSchema: { type: 'object', properties, required: Object.keys(properties) },
				via: 'iot',
				thing: d.name,
				method,
			})
		}
	}

	private add(tool: Tool): void {
		if (this.tools.size >= MAX_TOOLS && !this.tools.has(tool.name)) return
		this.tools.set(tool.name, tool)
	}

	private request(method: string, params: Json, signal?: AbortSignal): Promise<Json> {
		const id = this.nextId++
		return new Promise((resolve) => {
			const done = (reply: Json) => {
				signal?.removeEventListener('abort', onAbort)
				resolve(reply)
			}
			const timer = setTimeout(() => {
				this.pending.delete(id)
				done({ id, error: { message: `the toy did not answer ${method} in time` } })
			}, CALL_TIMEOUT_MS)
			const onAbort = () => {
				clearTimeout(timer)
				this.pending.delete(id)
				done({ id, error: { message: 'cancelled' } })
			}
			signal?.addEventListener('abort', onAbort, { once: true })
			this.pending.set(id, { resolve: done, timer })
			this.send({ type: 'mcp', payload: { jsonrpc: '2.0', id, method, params } })
		})
	}
}
