// The seed firmware's boot against a gateway, step by step (bench/lib/seed-boot.ts):
//   bun bench/seed-boot.ts [--url http://127.0.0.1:8000] [--device-id Teddy-ESP32-001] [--model seed-s3]
//                          [--version 1.0.0] --release-key <hex public key> [--text "Hello Teddy"] [--json]
// The fleet secret comes from ESP32_SHARED_SECRET or <DATA_DIR or ./data>/esp32_shared_secret.

import { parseArgs } from 'node:util'
import { runSeedBoot } from './lib/seed-boot'
import { loadSharedSecret } from './lib/token'

const { values: args } = parseArgs({
	options: {
		url: { type: 'string', default: 'http://127.0.0.1:8000' },
		'device-id': { type: 'string', default: 'Teddy-ESP32-001' },
		model: { type: 'string', default: 'seed-s3' },
		version: { type: 'string', default: '1.0.0' },
		'release-key': { type: 'string' },
		text: { type: 'string', default: 'Hello Teddy! What is your favourite colour?' },
		json: { type: 'boolean', default: false },
	},
})

if (!args['release-key'] || !/^[0-9a-fA-F]{64}$/.test(args['release-key'])) {
	console.error('--release-key <64 hex>: the release public key the toy holds (bun scripts/sign-firmware.ts public <key.pem>)')
	process.exit(64)
}

const r = await runSeedBoot({
	base: args.url.replace(/\/$/, ''),
	deviceId: args['device-id'],
	secret: loadSharedSecret(),
	model: args.model,
	version: args.version,
	releasePublicKey: Buffer.from(args['release-key'], 'hex'),
	text: args.text,
})

if (args.json) {
	const { audio: _a, mp3: _m, ...turn } = r.turn
	console.log(JSON.stringify({ ...r, turn, ota: { ...r.ota, download: r.ota.download?.requests ?? null } }, null, 2))
} else {
	console.log(`config      ${r.config.first}, again ${r.config.second} (ETag ${r.config.etag}); WebSocket ${r.config.wsUrl}`)
	console.log(`claim       ${r.claim.status}; paired: ${r.claim.paired}`)
	console.log(`turn        ${r.turn.pieces} MP3 pieces, ${r.turn.decoded.seconds.toFixed(2)} s at ${r.turn.decoded.sampleRate} Hz, RMS ${r.turn.decoded.rms.toFixed(0)}, ${r.turn.errors.length} errors`)
	if (r.ota.manifest) {
		console.log(`ota         ${r.ota.manifest.version}: ${r.ota.download?.requests.map((q) => `${q.status} ${q.contentRange}`).join(', ')}; ${r.ota.verdict}`)
	} else console.log('ota         nothing to install')
	console.log(`running     ${r.ota.running}; manifest after: ${r.ota.afterUpdate}`)
}
process.exit(r.turn.errors.length === 0 && r.ota.verdict !== 'signature' && r.ota.verdict !== 'sha256' ? 0 : 1)
