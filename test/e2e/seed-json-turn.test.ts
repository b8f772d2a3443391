import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import OpusScript from 'opusscript'
import { loadPackets } from '../../bench/lib/packets'
import { runSeedTurn } from '../../bench/lib/seed-client'
import { loadFieldCipher } from '../../gateway/src/store/crypto'
import { openDatabase } from '../../gateway/src/store/database'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { seedUrl } from '../support/seed-url'
import { seedTurnTimeline } from '../support/seed-turn-timeline'

// A whole seed-json conversation turn against the embedded default (PGlite, offline bear), as a
// toy does it: real recorded speech up, Opus answer down, paced; and the transcript stored encrypted.

const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')
const FRAME_MS = 60

let packets: Uint8Array[]

beforeAll(async () => {
	packets = await loadPackets(ASSET)
})

function decodePieces(pieces: Array<Record<string, unknown>>): Int16Array {
	const dec = new OpusScript(16000, 1)
	const parts: number[] = []
	for (const p of pieces) {
		const bytes = Buffer.from(String(p.audio_data ?? ''), 'base64')
		if (bytes.length === 0) continue
		const out = dec.decode(bytes)
		for (let i = 0; i < out.length; i += 2) parts.push(out.readInt16LE(i))
	}
	dec.delete()
	return Int16Array.from(parts)
}

describe.each([
	['default', undefined, 'native'],
	['TEDDY_CODEC=fallback', 'fallback', 'fallback'],
] as const)('seed-json turn, %s codec', (_label, codecEnv, expectedCodec) => {
	let gw: GatewayProcess
	let stopped = false

	beforeAll(async () => {
		gw = await startGatewayProcess({ TEDDY_CODEC: codecEnv })
	})

	afterAll(async () => {
		if (!stopped) await gw?.stop()
		else if (gw) await rm(gw.dataDir, { recursive: true, force: true })
	})

	test(`reports codec ${expectedCodec} on /health`, async () => {
		const res = await fetch(`${gw.url}/health`)
		expect(res.status).toBe(200)
		expect(((await res.json()) as { codec: string }).codec).toBe(expectedCodec)
	})

	test('answers spoken speech with audible Opus audio', async () => {
		const r = await runSeedTurn({ url: gw.wsUrl, deviceId: `turn-${expectedCodec}-1`, secret: TEST_SECRET, packets, paced: false })
		expect(r.errors).toEqual([])
		expect(r.final).toBe(true)
		expect(r.packetsSent).toBe(packets.length)
		expect(r.sampleRate).toBe(16000)
		expect(r.audioSeconds).toBeGreaterThanOrEqual(1)
		expect(r.rms).toBeGreaterThan(300)
		expect(r.answerTexts.length).toBeGreaterThan(0)
		expect(r.answerTexts.join(' ').length).toBeGreaterThan(5)
	})

	test('streams pieces with rising seq, one final, 60 ms frames, in real time after the burst', async () => {
		const deviceId = `turn-${expectedCodec}-2`
		const t = await seedTurnTimeline({ url: seedUrl(gw.wsUrl, { device_id: deviceId }), packets })
		expect(t.messages.filter((m) => m.msg.type === 'error')).toEqual([])
		const pieces = t.pieces.map((p) => p.msg)
		expect(pieces.length).toBeGreaterThan(17) // > 1 s of 60 ms frames plus the final
		const seqs = pieces.map((p) => Number(p.seq))
		for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1])
		expect(pieces.filter((p) => p.final === true)).toHaveLength(1)
		expect(pieces.at(-1)?.final).toBe(true)
		for (const p of pieces) {
			expect(p.frame_duration).toBe(FRAME_MS)
			expect(p.format).toBe('opus')
			expect(p.sample_rate).toBe(16000)
		}
		const audio = t.pieces.filter((p) => p.msg.final !== true && String(p.msg.audio_data).length > 0)
		// every non-final piece is exactly one 60 ms packet
		const pcm = decodePieces(audio.map((p) => p.msg))
		expect(pcm.length).toBe(audio.length * 960)
		// A toy holds at most 5 frames ahead: piece i may arrive only (i - 4) frame times after the first.
		const late = audio
			.map((p, i) => ({ i, after: p.at - audio[0].at, due: (i - 4) * FRAME_MS }))
			.filter((x) => x.i >= 5 && x.after < x.due - 25)
		expect(late).toEqual([])
		expect(audio.at(-1)!.at - audio[0].at).toBeGreaterThanOrEqual((audio.length - 5) * FRAME_MS - 25)
	})

	test('answers a typed message with a transcript echo and audio', async () => {
		const r = await runSeedTurn({ url: gw.wsUrl, deviceId: `turn-${expectedCodec}-3`, secret: TEST_SECRET, text: 'Hello Teddy, how are you?' })
		expect(r.errors).toEqual([])
		expect(r.transcripts).toEqual(['Hello Teddy, how are you?'])
		expect(r.final).toBe(true)
		expect(r.audioSeconds).toBeGreaterThanOrEqual(1)
		expect(r.rms).toBeGreaterThan(300)
	})

	test('stores the answer encrypted, readable only with the key', async () => {
		const r = await runSeedTurn({ url: gw.wsUrl, deviceId: `turn-${expectedCodec}-4`, secret: TEST_SECRET, packets, paced: false })
		expect(r.final).toBe(true)
		const answer = r.answerTexts.join(' ')
		expect(answer.length).toBeGreaterThan(5)
		// the answer is recorded as the turn ends; give the write a moment before stopping
		await Bun.sleep(500)
		gw.proc.kill('SIGTERM')
		expect(await gw.proc.exited).toBe(0)
		stopped = true

		const db = await openDatabase({ dataDir: gw.dataDir })
		try {
			const rows = await db.sql<{ id: string; conversation_id: string; role: string; ciphertext: Uint8Array; nonce: Uint8Array; key_id: string }[]>`
				select id, conversation_id, role, ciphertext, nonce, key_id from messages order by seq
			`
			expect(rows.length).toBeGreaterThan(0)
			const raw = Buffer.concat(rows.map((row) => Buffer.from(row.ciphertext))).toString('utf8')
			expect(raw).not.toContain(answer)
			for (const sentence of r.answerTexts) expect(raw).not.toContain(sentence)

			const cipher = loadFieldCipher({}, gw.dataDir)
			const texts = rows.map((row) =>
				cipher.decrypt(
					{ ciphertext: row.ciphertext, nonce: row.nonce, keyId: row.key_id },
					`messages:${row.id}:${row.conversation_id}:${row.role}`,
				),
			)
			const assistant = texts.filter((_, i) => rows[i].role === 'assistant')
			expect(assistant).toContain(answer)
		} finally {
			await db.close()
		}
	})
})
