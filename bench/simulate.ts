// A seed-json toy in a terminal: sends the recorded question to a gateway and saves the answer.
//   bun bench/simulate.ts [--url ws://127.0.0.1:8000] [--device-id sim-001] [--out bench/out/answer.wav]
//                         [--text "typed message"] [--packets file.opuspackets] [--json]
// The secret comes from ESP32_SHARED_SECRET or <DATA_DIR or ./data>/esp32_shared_secret.

import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { encodeWav } from '../gateway/src/ai/wav'
import { loadPackets } from './lib/packets'
import { runSeedTurn } from './lib/seed-client'
import { loadSharedSecret } from './lib/token'

const { values: args } = parseArgs({
	options: {
		url: { type: 'string', default: 'ws://127.0.0.1:8000' },
		'device-id': { type: 'string', default: 'sim-001' },
		out: { type: 'string', default: 'bench/out/answer.wav' },
		packets: { type: 'string', default: join(import.meta.dir, 'assets/speech-16k.opuspackets') },
		text: { type: 'string' },
		'child-name': { type: 'string', default: 'Sim' },
		'child-age': { type: 'string', default: '7' },
		timeout: { type: 'string', default: '30000' },
		json: { type: 'boolean', default: false },
	},
})

const deviceId = args['device-id']
const packets = args.text === undefined ? await loadPackets(args.packets) : []
const result = await runSeedTurn({
	url: args.url,
	deviceId,
	secret: loadSharedSecret(),
	packets,
	text: args.text,
	child: { id: `child-${deviceId}`, name: args['child-name'], age: Number(args['child-age']) },
	timeoutMs: Number(args.timeout),
})

if (result.audio.length > 0) {
	mkdirSync(dirname(args.out), { recursive: true })
	await Bun.write(args.out, encodeWav(result.audio, result.sampleRate))
}

const summary = {
	device_id: deviceId,
	packets_sent: result.packetsSent,
	transcript: result.transcripts.join(' '),
	answer: result.answerTexts.join(' '),
	pieces: result.pieces,
	audio_seconds: Number(result.audioSeconds.toFixed(2)),
	sample_rate: result.sampleRate,
	first_piece_ms: result.firstPieceMs === null ? null : Math.round(result.firstPieceMs),
	total_ms: result.totalMs === null ? null : Math.round(result.totalMs),
	rms: Math.round(result.rms),
	final: result.final,
	errors: result.errors,
	close: result.close,
	out: result.audio.length > 0 ? args.out : null,
}
if (args.json) console.log(JSON.stringify(summary))
else {
	console.log(`sent ${summary.packets_sent} packets; heard "${summary.transcript}"`)
	console.log(`answer: "${summary.answer}"`)
	console.log(
		`received ${summary.pieces} pieces, ${summary.audio_seconds} s at ${summary.sample_rate} Hz, first piece ${summary.first_piece_ms} ms after audio_end, rms ${summary.rms}`,
	)
	if (summary.out) console.log(`wrote ${summary.out}`)
	for (const e of summary.errors) console.log(`error ${e.code}: ${e.message}`)
	if (summary.close && summary.close.code !== 1000) console.log(`closed ${summary.close.code} ${summary.close.reason}`)
}
process.exit(result.final && result.errors.length === 0 ? 0 : 1)
