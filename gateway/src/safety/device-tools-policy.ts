import type { DeviceTools, ToolResult } from '../ai/provider'
import type { Logger } from '../obs/logger'

// Which of the toy's tools the model may call: the family's allow-list (the gateway's default
// until a parent sets one). A pattern is a tool name, or a prefix ending in `*`. Anything else on
// the toy (a camera, a motor, a reboot) stays out of the model's reach. Every call is logged by
// tool name, outcome and duration — never its arguments or result, which may carry what the
// child said.

export function matchesAllowList(name: string, patterns: readonly string[]): boolean {
	return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p))
}

export function allowedTools(tools: DeviceTools | undefined, patterns: readonly string[], log: Logger): DeviceTools | undefined {
	if (!tools || patterns.length === 0) return undefined
	return {
		list: () => tools.list().filter((t) => matchesAllowList(t.name, patterns)),
		async call(name, args, signal): Promise<ToolResult> {
			if (!matchesAllowList(name, patterns)) {
				log.warn({ tool: name.slice(0, 64) }, 'model asked for a device tool the family does not allow')
				return { ok: false, content: 'that tool is not allowed' }
			}
			const started = performance.now()
			const result = await tools.call(name, args, signal)
			log.info({ tool: name, ok: result.ok, ms: Math.round(performance.now() - started) }, 'device tool called')
			return result
		},
	}
}
