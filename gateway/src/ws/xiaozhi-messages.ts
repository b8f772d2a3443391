import { type Static, Type as T } from '@sinclair/typebox'
import { compileCheckers } from './json-message'

// JSON control messages of the xiaozhi-compatible protocol (PROTOCOL.md §4), compiled once.

export const AudioParams = T.Object({
	format: T.Literal('opus'),
	sample_rate: T.Union([8000, 12000, 16000, 24000, 48000].map((r) => T.Literal(r))),
	channels: T.Optional(T.Literal(1)),
	frame_duration: T.Optional(T.Union([10, 20, 40, 60, 80, 100, 120].map((d) => T.Literal(d)))),
})

export const Hello = T.Object({
	type: T.Literal('hello'),
	version: T.Optional(T.Integer({ minimum: 1, maximum: 3 })),
	transport: T.Optional(T.Literal('websocket')),
	features: T.Optional(T.Record(T.String(), T.Unknown())),
	audio_params: T.Optional(AudioParams),
})

export const Listen = T.Object({
	type: T.Literal('listen'),
	session_id: T.Optional(T.String()),
	state: T.Union([T.Literal('start'), T.Literal('stop'), T.Literal('detect')]),
	mode: T.Optional(T.Union([T.Literal('auto'), T.Literal('manual'), T.Literal('realtime')])),
	text: T.Optional(T.String({ maxLength: 2000 })),
})

export const Abort = T.Object({ type: T.Literal('abort'), session_id: T.Optional(T.String()), reason: T.Optional(T.String()) })
export const Mcp = T.Object({ type: T.Literal('mcp'), session_id: T.Optional(T.String()), payload: T.Record(T.String(), T.Unknown()) })
// Firmware before 1.6.6 describes its IoT things and their state (Protocol::SendIotDescriptors /
// SendIotStates); the entries are checked where they are used (ws/device-tools.ts).
export const Iot = T.Object({
	type: T.Literal('iot'),
	session_id: T.Optional(T.String()),
	update: T.Optional(T.Boolean()),
	descriptors: T.Optional(T.Array(T.Unknown(), { maxItems: 64 })),
	states: T.Optional(T.Array(T.Unknown(), { maxItems: 64 })),
})
export const Goodbye = T.Object({ type: T.Literal('goodbye'), session_id: T.Optional(T.String()) })
export const Ping = T.Object({ type: T.Literal('ping') })

export const XiaozhiInbound = { hello: Hello, listen: Listen, abort: Abort, mcp: Mcp, iot: Iot, goodbye: Goodbye, ping: Ping }
export type XiaozhiInboundType = keyof typeof XiaozhiInbound
export type XiaozhiMessage =
	| Static<typeof Hello>
	| Static<typeof Listen>
	| Static<typeof Abort>
	| Static<typeof Mcp>
	| Static<typeof Iot>
	| Static<typeof Goodbye>
	| Static<typeof Ping>

export const xiaozhiCheckers = compileCheckers(XiaozhiInbound)

// Gateway → device
export const ServerHello = T.Object({
	type: T.Literal('hello'),
	transport: T.Literal('websocket'),
	session_id: T.String(),
	audio_params: AudioParams,
})
export const Stt = T.Object({ type: T.Literal('stt'), text: T.String(), session_id: T.Optional(T.String()) })
export const Llm = T.Object({ type: T.Literal('llm'), emotion: T.String(), text: T.String(), session_id: T.Optional(T.String()) })
export const Tts = T.Object({
	type: T.Literal('tts'),
	state: T.Union([T.Literal('start'), T.Literal('sentence_start'), T.Literal('stop')]),
	text: T.Optional(T.String()),
	session_id: T.Optional(T.String()),
})
