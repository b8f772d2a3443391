import { type Static, Type as T } from '@sinclair/typebox'
import { compileCheckers } from './json-message'

// Wire schemas of the seed-json protocol (PROTOCOL.md §3). Compiled once at load: checking a
// message is then a generated function call, not a schema walk.

const Id = T.String({ minLength: 1, maxLength: 128 })

export const AudioStart = T.Object({
	type: T.Literal('audio_start'),
	audio_session_id: T.Optional(Id),
	format: T.Optional(T.Union([T.Literal('pcm16'), T.Literal('opus')], { default: 'pcm16' })),
	sample_rate: T.Optional(T.Integer({ minimum: 8000, maximum: 48000, default: 16000 })),
	response_format: T.Optional(T.Union([T.Literal('opus'), T.Literal('pcm16'), T.Literal('mp3')], { default: 'opus' })),
})

export const AudioChunk = T.Object({
	type: T.Literal('audio_chunk'),
	audio_data: T.String({ maxLength: 16 * 1024 }),
	chunk_id: T.Optional(Id),
	audio_session_id: T.Optional(Id),
	is_final: T.Optional(T.Boolean()),
})

export const AudioEnd = T.Object({ type: T.Literal('audio_end'), audio_session_id: T.Optional(Id) })
export const Text = T.Object({ type: T.Literal('text'), text: T.String({ minLength: 1, maxLength: 2000 }) })
export const Ping = T.Object({ type: T.Literal('ping') })

export const SeedInbound = { audio_start: AudioStart, audio_chunk: AudioChunk, audio_end: AudioEnd, text: Text, ping: Ping }
export type SeedInboundType = keyof typeof SeedInbound

export type SeedMessage =
	| Static<typeof AudioStart>
	| Static<typeof AudioChunk>
	| Static<typeof AudioEnd>
	| Static<typeof Text>
	| Static<typeof Ping>

export const seedCheckers = compileCheckers(SeedInbound)

// Gateway → device
export const Transcript = T.Object({ type: T.Literal('transcript'), text: T.String(), audio_session_id: T.Optional(T.String()) })
export const AudioResponse = T.Object({
	type: T.Literal('audio_response'),
	audio_data: T.String(),
	text: T.String(),
	format: T.Union([T.Literal('opus'), T.Literal('pcm16'), T.Literal('mp3')]),
	sample_rate: T.Union([T.Literal(16000), T.Literal(22050), T.Literal(24000)]),
	frame_duration: T.Integer(),
	seq: T.Integer({ minimum: 0 }),
	final: T.Boolean(),
})
export const ErrorMessage = T.Object({ type: T.Literal('error'), code: T.String(), message: T.String() })

// Handshake query of the upgrade request.
export const SeedQuery = T.Object({
	device_id: T.String({ minLength: 1 }),
	token: T.String({ minLength: 1 }),
	child_id: T.String({ minLength: 1, maxLength: 128 }),
	child_name: T.String({ minLength: 1, maxLength: 64 }),
	child_age: T.Integer({ minimum: 3, maximum: 13 }),
})
