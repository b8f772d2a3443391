// The simulator's client against a minimal stand-in gateway that speaks seed-json (PROTOCOL §3),
// so the simulator is known good before the real gateway is pointed at it.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHmac, timingSafeEqual } from 'node:crypto'
import OpusScript from 'opusscript'
import { loadPackets } from '../../bench/lib/packets'
import { runSeedTurn } from '../../bench/lib/seed-client'

const SECRET = 'ab'.repeat(32)

interface Seen {
	query: Record<string, string>
	messages: Array<Record<string, unknown>>
	endAt: number
}

function verifyV2(deviceId: string, token: string): boolean {
	const [v, ts, nonce, sig] = token.split('.')
	if (v !== 'v2' || !sig) return false
	const key = createHmac('sha256', SECRET).update(`teddy-device-key|${deviceId}`).digest()
	const want = createHmac('sha256', key).update(`v2|${deviceId}|${ts}|${nonce}`).digest()
	const got = Buffer.from(sig, 'hex')
	return got.length === want.length && timingSafeEqual(got, want) && Math.abs(Number(ts) - Date.now() / 1000) < 120
}

/** One second of 440 Hz at 24 kHz as 60 ms Opus packets. */
function answerPackets(): Uint8Array[] {
	const enc = new OpusScript(24000, 1, OpusScript.Application.AUDIO)
	const out: Uint8Array[] = []
	for (let f = 0; f < 17; f++) {
		const pcm = new Int16Array(1440)
		for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 440 * (f * 1440 + i)) / 24000))
		out.push(new Uint8Array(enc.encode(Buffer.from(pcm.buffer), 1440)))
	}
	enc.delete()
	return out
}

let server: ReturnType<typeof Bun.serve<Seen>>
const sessions: Seen[] = []

beforeAll(() => {
	const answer = answerPackets()
	server = Bun.serve<Seen>({
		hostname: '127.0.0.1',
		port: 0,
		fetch(req, srv) {
			const url = new URL(req.url)
			const query = Object.fromEntries(url.searchParams)
			if (url.pathname !== '/api/v1/esp32/private/chat') return new Response('not found', { status: 404 })
			if (!verifyV2(query.device_id ?? '', query.token ?? ''))
				return Response.json({ code: 'UNAUTHORIZED', message: 'bad token' }, { status: 401 })
			const seen: Seen = { query, messages: [], endAt: 0 }
			sessions.push(seen)
			return srv.upgrade(req, { data: seen }) ? undefined : new Response('upgrade failed', { status: 400 })
		},
		websocket: {
			async message(ws, raw) {
				const msg = JSON.parse(String(raw))
				ws.data.messages.push(msg)
				if (msg.type !== 'audio_end' && msg.type !== 'text') return
				ws.data.endAt = performance.now()
				ws.send(JSON.stringify({ type: 'transcript', text: 'Hi Teddy!', audio_session_id: msg.audio_session_id }))
				for (const [seq, p] of answer.entries()) {
					ws.send(JSON.stringify({ type: 'audio_response', audio_data: Buffer.from(p).toString('base64'), text: 'Hello friend.', format: 'opus', sample_rate: 24000, frame_duration: 60, seq, final: false }))
				}
				ws.send(JSON.stringify({ type: 'audio_response', audio_data: '', text: '', format: 'opus', sample_rate: 24000, frame_duration: 60, seq: answer.length, final: true }))
			},
		},
	})
})
afterAll(() => server.stop(true))

describe('runSeedTurn', () => {
	test('streams the recording in order and decodes the streamed answer', async () => {
		const packets = (await loadPackets(`${import.meta.dir}/../../bench/assets/speech-16k.opuspackets`)).slice(0, 10)
		const t0 = performance.now()
		const result = await runSeedTurn({ url: `ws://127.0.0.1:${server.port}`, deviceId: 'sim-007', secret: SECRET, packets })
		// Paced at 60 ms per packet: ten packets take at least ~540 ms.
		expect(performance.now() - t0).toBeGreaterThan(500)
		const seen = sessions.at(-1) as Seen
		expect(seen.query).toMatchObject({ device_id: 'sim-007', child_age: '7' })
		expect(seen.messages[0]).toMatchObject({ type: 'audio_start', format: 'opus', sample_rate: 16000, response_format: 'opus' })
		const chunks = seen.messages.filter((m) => m.type === 'audio_chunk')
		expect(chunks.map((c) => c.audio_data)).toEqual(packets.map((p) => Buffer.from(p).toString('base64')))
		expect(seen.messages.at(-1)?.type).toBe('audio_end')

		expect(result.packetsSent).toBe(10)
		expect(result.transcripts).toEqual(['Hi Teddy!'])
		expect(result.answerTexts).toEqual(['Hello friend.'])
		expect(result.pieces).toBe(18)
		expect(result.final).toBe(true)
		expect(result.sampleRate).toBe(24000)
		expect(result.audioSeconds).toBeCloseTo(1.02, 2)
		expect(result.rms).toBeGreaterThan(2000)
		expect(result.firstPieceMs).not.toBeNull()
		expect(result.errors).toEqual([])
	})

	test('a typed turn sends text and needs no packets', async () => {
		const result = await runSeedTurn({ url: `ws://127.0.0.1:${server.port}`, deviceId: 'sim-008', secret: SECRET, text: 'hello' })
		expect(sessions.at(-1)?.messages).toEqual([{ type: 'text', text: 'hello' }])
		expect(result.final).toBe(true)
	})

	test('a refused upgrade is a clear error', async () => {
		const err = await runSeedTurn({ url: `ws://127.0.0.1:${server.port}`, deviceId: 'sim-009', secret: 'cd'.repeat(32), packets: [] }).catch((e) => e)
		expect(err).toBeInstanceOf(Error)
		expect(err.message).toMatch(/refused|closed/)
	})
})
