import { describe, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpusScript from 'opusscript'
import { loadPackets, readPackets, writePackets } from '../../bench/lib/packets'
import { deviceKey, loadSharedSecret, makeLegacyToken, makeV2Token } from '../../bench/lib/token'
import vectors from '../vectors/auth.json'

describe('simulator tokens', () => {
	test('match every auth vector', () => {
		for (const c of vectors.cases) {
			expect(makeLegacyToken(vectors.secret, c.device_id)).toBe(c.legacy_token)
			expect(deviceKey(vectors.secret, c.device_id).toString('hex')).toBe(c.device_key_hex)
			expect(makeV2Token(vectors.secret, c.device_id, { ts: c.v2.ts, nonce: c.v2.nonce })).toBe(c.v2.token)
		}
	})

	test('fresh tokens carry now and a 32-hex random nonce', () => {
		const [, ts, nonce] = makeV2Token(vectors.secret, 'sim-001').split('.')
		expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5)
		expect(nonce).toMatch(/^[0-9a-f]{32}$/)
		expect(makeV2Token(vectors.secret, 'sim-001')).not.toBe(makeV2Token(vectors.secret, 'sim-001'))
	})

	test('the secret comes from env first, then the data dir file', () => {
		const dir = mkdtempSync(join(tmpdir(), 'sim-'))
		writeFileSync(join(dir, 'esp32_shared_secret'), `${'ab'.repeat(32)}\n`)
		expect(loadSharedSecret({ ESP32_SHARED_SECRET: 'cd'.repeat(32), DATA_DIR: dir })).toBe('cd'.repeat(32))
		expect(loadSharedSecret({ DATA_DIR: dir })).toBe('ab'.repeat(32))
		expect(() => loadSharedSecret({ DATA_DIR: join(dir, 'none') })).toThrow(/ESP32_SHARED_SECRET/)
	})
})

describe('opuspackets', () => {
	test('round trip and reject truncation', () => {
		const packets = [new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7), new Uint8Array([9])]
		const bytes = writePackets(packets)
		expect(readPackets(bytes).map((p) => Array.from(p))).toEqual(packets.map((p) => Array.from(p)))
		expect(() => readPackets(bytes.subarray(0, bytes.length - 1))).toThrow(/bad packet length/)
	})

	test('the committed recording is ~4 s of audible 16 kHz speech in 60 ms packets', async () => {
		const packets = await loadPackets(join(import.meta.dir, '../../bench/assets/speech-16k.opuspackets'))
		expect(packets.length).toBeGreaterThan(40)
		const decoder = new OpusScript(16000, 1)
		let samples = 0
		let sum = 0
		for (const p of packets) {
			const out = decoder.decode(Buffer.from(p))
			expect(out.length).toBe(960 * 2)
			for (let i = 0; i < out.length; i += 2) sum += out.readInt16LE(i) ** 2
			samples += out.length / 2
		}
		decoder.delete()
		expect(samples / 16000).toBeGreaterThan(2.5)
		expect(Math.sqrt(sum / samples)).toBeGreaterThan(300)
	})
})
