// Publishes a signed firmware image to a running gateway the way an operator does it: an operator
// account made with scripts/operator.ts (against the gateway's database and data directory), a
// login, and PUT /api/v1/operator/firmware/<model>/<version> at 100 % rollout. For the firmware's
// host tests (firmware/host/tests/integration/gateway_ota_test.cc), which have no TypeScript.
//   bun test/support/publish-firmware.ts <gateway url> <database url> <data dir> <model> <version> <image file> <signature b64>

import { join } from 'node:path'

const [gateway, databaseUrl, dataDir, model, version, imagePath, signature] = process.argv.slice(2)
if (!signature) {
	console.error('usage: bun test/support/publish-firmware.ts <gateway url> <database url> <data dir> <model> <version> <image> <signature>')
	process.exit(64)
}
const email = `fw-op-${crypto.randomUUID()}@example.test`
const made = Bun.spawnSync(['bun', 'scripts/operator.ts', 'create', email], {
	cwd: join(import.meta.dir, '..', '..'),
	env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
})
const password = /password: (\S+)/.exec(made.stdout.toString())?.[1]
if (made.exitCode !== 0 || !password) {
	console.error(`operator.ts failed: ${made.stderr.toString()}`)
	process.exit(1)
}
const login = await fetch(`${gateway}/api/v1/accounts/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
if (login.status !== 200) {
	console.error(`login: ${login.status} ${await login.text()}`)
	process.exit(1)
}
const { access_token: token } = (await login.json()) as { access_token: string }
const r = await fetch(`${gateway}/api/v1/operator/firmware/${model}/${version}?rollout_percent=100`, {
	method: 'PUT',
	headers: { authorization: `Bearer ${token}`, 'x-firmware-signature': signature, 'content-type': 'application/octet-stream' },
	body: Bun.file(imagePath),
})
if (r.status !== 201) {
	console.error(`publish: ${r.status} ${await r.text()}`)
	process.exit(1)
}
console.log(`published ${model} ${version}`)
