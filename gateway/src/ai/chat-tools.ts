import { log } from '../obs/logger'
import type { DeviceTools, ToolResult, ToolSpec } from './provider'

// The toy's tools as the OpenAI APIs take them (function calling), and running a call the model
// made. Function names may only hold letters, digits, `_` and `-`, while MCP tools are named like
// `self.audio_speaker.set_volume`: each tool gets an API name and calls are mapped back. Only the
// tools the safety layer left in `TurnInput.tools` are ever offered or called. Calls are logged
// by tool name and outcome (safety/device-tools-policy.ts); never their arguments, which may hold
// the child's words.

/** A model's tool call waits at most this long for the toy (a call that hangs must not hang the answer). */
export const TOOL_CALL_TIMEOUT_MS = 4_000
/** Rounds of tool calls in one answer; then the model must answer in words. */
export const MAX_TOOL_ROUNDS = 3

export interface FunctionTool {
	name: string
	description: string
	parameters: Record<string, unknown>
}

export class ToolBox {
	/** API name → the toy's name. */
	private readonly names = new Map<string, string>()
	readonly functions: FunctionTool[] = []

	constructor(private readonly tools: DeviceTools | undefined) {
		for (const t of tools?.list() ?? []) this.add(t)
	}

	get empty(): boolean {
		return this.functions.length === 0
	}

	private add(t: ToolSpec): void {
		const name = t.name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)
		// ? Two toy names that map to one API name: the first keeps it rather than guessing.
		if (this.names.has(name)) return
		this.names.set(name, t.name)
		this.functions.push({ name, description: t.description, parameters: t.inputSchema })
	}

	/**
	 * Runs one call the model made: never throws, and gives up after TOOL_CALL_TIMEOUT_MS.
	 * `tool` is the toy's name of the tool (undefined when the model named one it was not offered).
	 */
	async call(apiName: string, argsJson: string, signal: AbortSignal): Promise<{ tool: string | undefined; result: ToolResult }> {
		const tool = this.names.get(apiName)
		if (!tool || !this.tools) {
			log.warn({ tool: apiName.slice(0, 64) }, 'the model called a tool it was not offered')
			return { tool, result: { ok: false, content: `there is no tool "${apiName.slice(0, 64)}"` } }
		}
		let args: unknown
		try {
			args = argsJson.trim() ? JSON.parse(argsJson) : {}
		} catch {
			args = undefined
		}
		if (typeof args !== 'object' || args === null || Array.isArray(args)) {
			log.warn({ tool }, 'the model called a tool with arguments that are not a JSON object')
			return { tool, result: { ok: false, content: args === undefined ? 'the arguments were not valid JSON' : 'the arguments must be an object' } }
		}
		const timeout = AbortSignal.timeout(TOOL_CALL_TIMEOUT_MS)
		const both = AbortSignal.any([signal, timeout])
		const aborted = new Promise<ToolResult>((resolve) => {
			const done = () => resolve({ ok: false, content: timeout.aborted ? 'the toy did not answer in time' : 'cancelled' })
			if (both.aborted) done()
			else both.addEventListener('abort', done, { once: true })
		})
		const result = await Promise.race([this.tools.call(tool, args as Record<string, unknown>, both).catch((): ToolResult => ({ ok: false, content: 'the call failed' })), aborted])
		return { tool, result }
	}
}

/** Gathers streamed `tool_calls` deltas (by index) into whole calls. */
export class ToolCallAccumulator {
	private readonly calls: Array<{ id: string; name: string; arguments: string }> = []

	push(deltas: ReadonlyArray<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> | undefined): void {
		for (const d of deltas ?? []) {
			const c = (this.calls[d.index] ??= { id: '', name: '', arguments: '' })
			if (d.id) c.id = d.id
			if (d.function?.name) c.name += d.function.name
			if (d.function?.arguments) c.arguments += d.function.arguments
		}
	}

	get done(): ReadonlyArray<{ id: string; name: string; arguments: string }> {
		return this.calls.filter((c) => c !== undefined && c.id && c.name)
	}
}
