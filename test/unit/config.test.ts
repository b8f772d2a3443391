import { describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig } from '../../gateway/src/config'

// Env → config (DESIGN.md "Configuration names"): documented defaults, production hardening, and
// every bad value reported by the name of the variable the operator has to fix.

const SECRET = 'a'.repeat(64)
const KEY = 'b'.repeat(64)
// what production needs besides the secret and the key (README: "Running modes")
const SERVERS = { DATABASE_URL: 'postgres://u@db/teddy', REDIS_URL: 'redis://cache:6379' }

function problemsOf(env: Record<string, string>): string[] {
	try {
		loadConfig(env)
	} catch (err) {
		if (err instanceof ConfigError) return err.problems
		throw err
	}
	throw new Error(`config accepted ${JSON.stringify(env)}`)
}

describe('config', () => {
	test('has the documented defaults with an empty env', () => {
		const c = loadConfig({})
		expect(c.port).toBe(8000)
		expect(c.host).toBe('0.0.0.0')
		expect(c.dataDir).toBe('./data')
		expect(c.allowLegacyTokens).toBe(true)
		expect(c.requirePairing).toBe(false)
		expect(c.databaseUrl).toBeUndefined()
		expect(c.redisUrl).toBeUndefined()
		expect(c.limits.textFrameBytes).toBe(16 * 1024)
		expect(c.limits.binaryFrameBytes).toBe(4 * 1024)
		expect(c.limits.turnMaxMs).toBe(30_000)
		expect(c.limits.helloTimeoutMs).toBe(10_000)
		expect(c.limits.idleTimeoutMs).toBe(120_000)
		expect(c.limits.tokenWindowSeconds).toBe(120)
		expect(c.limits.nonceTtlSeconds).toBe(600)
		expect(c.revocationCheckSeconds).toBe(15)
	})

	test('names REVOCATION_CHECK_SECONDS when it is out of range', () => {
		expect(loadConfig({ REVOCATION_CHECK_SECONDS: '2' }).revocationCheckSeconds).toBe(2)
		expect(problemsOf({ REVOCATION_CHECK_SECONDS: '0' }).join('\n')).toContain('REVOCATION_CHECK_SECONDS')
	})

	test('reads the documented variables', () => {
		const c = loadConfig({
			PORT: '9001',
			HOST: '127.0.0.1',
			DATA_DIR: '/tmp/teddy',
			DATABASE_URL: 'postgres://u@h/db',
			REDIS_URL: 'redis://h:6379',
			TEDDY_CODEC: 'fallback',
			ALLOW_LEGACY_TOKENS: 'false',
			REQUIRE_PAIRING: 'true',
			ESP32_SHARED_SECRET: SECRET,
		})
		expect(c.port).toBe(9001)
		expect(c.host).toBe('127.0.0.1')
		expect(c.dataDir).toBe('/tmp/teddy')
		expect(c.databaseUrl).toBe('postgres://u@h/db')
		expect(c.redisUrl).toBe('redis://h:6379')
		expect(c.codec).toBe('fallback')
		expect(c.allowLegacyTokens).toBe(false)
		expect(c.requirePairing).toBe(true)
		expect(c.esp32SharedSecret).toBe(SECRET)
	})

	test('production turns legacy tokens off and pairing on', () => {
		const c = loadConfig({ NODE_ENV: 'production', ESP32_SHARED_SECRET: SECRET, ENCRYPTION_KEY: KEY, AUTH_SECRET: SECRET, ...SERVERS })
		expect(c.allowLegacyTokens).toBe(false)
		expect(c.requirePairing).toBe(true)
	})

	test('production still lets an operator choose explicitly', () => {
		const c = loadConfig({
			NODE_ENV: 'production',
			ESP32_SHARED_SECRET: SECRET,
			ENCRYPTION_KEY: KEY,
			...SERVERS,
			AUTH_SECRET: SECRET,
			ALLOW_LEGACY_TOKENS: 'true',
			REQUIRE_PAIRING: 'false',
		})
		expect(c.allowLegacyTokens).toBe(true)
		expect(c.requirePairing).toBe(false)
	})

	test('production requires the shared secret, the encryption key and the auth secret', () => {
		const problems = problemsOf({ NODE_ENV: 'production' })
		expect(problems.some((p) => p.includes('ESP32_SHARED_SECRET'))).toBe(true)
		expect(problems.some((p) => p.includes('ENCRYPTION_KEY'))).toBe(true)
		expect(problems.some((p) => p.includes('AUTH_SECRET'))).toBe(true)
		expect(problemsOf({ NODE_ENV: 'production', ESP32_SHARED_SECRET: SECRET, ENCRYPTION_KEY: KEY, AUTH_SECRET: 'short' }).join('\n')).toContain('AUTH_SECRET')
		expect(problemsOf({ NODE_ENV: 'production', ESP32_SHARED_SECRET: SECRET }).join('\n')).toContain('ENCRYPTION_KEY')
		expect(problemsOf({ NODE_ENV: 'production', ENCRYPTION_KEY: KEY }).join('\n')).toContain('ESP32_SHARED_SECRET')
	})

	// The embedded database and the in-process nonce cache are single-node toys: a production
	// replica silently running on them loses data and lets tokens be replayed on its neighbours.
	test('production requires DATABASE_URL and REDIS_URL, naming each', () => {
		const problems = problemsOf({ NODE_ENV: 'production', ESP32_SHARED_SECRET: SECRET, ENCRYPTION_KEY: KEY, AUTH_SECRET: SECRET })
		expect(problems).toHaveLength(2)
		expect(problems.join('\n')).toContain('DATABASE_URL')
		expect(problems.join('\n')).toContain('REDIS_URL')
		const onlyRedis = problemsOf({ NODE_ENV: 'production', ESP32_SHARED_SECRET: SECRET, ENCRYPTION_KEY: KEY, AUTH_SECRET: SECRET, DATABASE_URL: SERVERS.DATABASE_URL })
		expect(onlyRedis).toEqual([expect.stringContaining('REDIS_URL')])
	})

	test('production refuses the benchmark provider', () => {
		const problems = problemsOf({ NODE_ENV: 'production', ESP32_SHARED_SECRET: SECRET, ENCRYPTION_KEY: KEY, AUTH_SECRET: SECRET, ...SERVERS, TEDDY_PROVIDER: 'fake' })
		expect(problems).toEqual([expect.stringContaining('TEDDY_PROVIDER')])
		// outside production the fleet bench may use it
		expect(loadConfig({ TEDDY_PROVIDER: 'fake' }).ai.provider).toBe('fake')
	})

	test('reads the provider, logging, key rotation and voice variables into the config', () => {
		const c = loadConfig({
			TEDDY_PROVIDER: 'fake',
			FAKE_PROVIDER_LATENCY_MS: '50',
			FAKE_PROVIDER_ANSWER_MS: '900',
			LOG_LEVEL: 'warn',
			ENCRYPTION_KEYS_OLD: `${KEY},${SECRET}`,
			ESPEAK_NG_BIN: '/opt/espeak/bin/espeak-ng',
		})
		expect(c.ai.provider).toBe('fake')
		expect(c.ai.fakeLatencyMs).toBe(50)
		expect(c.ai.fakeAnswerMs).toBe(900)
		expect(c.logLevel).toBe('warn')
		expect(c.encryptionKeysOld).toBe(`${KEY},${SECRET}`)
		expect(c.espeakBinary).toBe('/opt/espeak/bin/espeak-ng')
		const d = loadConfig({})
		expect(d.ai.provider).toBeUndefined()
		expect(d.ai.fakeLatencyMs).toBe(200)
		expect(d.ai.fakeAnswerMs).toBe(2000)
		expect(d.espeakBinary).toBe('espeak-ng')
	})

	test('reads the rate limits and trusted proxies, with documented defaults', () => {
		const d = loadConfig({})
		expect(d.trustedProxies).toEqual([])
		expect(d.redisKeyPrefix).toBe('')
		expect(d.limits.restRequestsPerIpPerMinute).toBe(600)
		expect(d.limits.deviceRequestsPerIpPerMinute).toBe(300)
		expect(d.limits.parentRequestsPerIpPerMinute).toBe(60)
		expect(d.limits.tokensPerDevicePerMinute).toBe(30)
		expect(d.limits.deviceRegistrationsPerMinute).toBe(1000)
		const c = loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.5 ,fd00::/8', REDIS_KEY_PREFIX: 'staging:', TOKENS_PER_DEVICE_PER_MINUTE: '12' })
		expect(c.trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.5', 'fd00::/8'])
		expect(c.redisKeyPrefix).toBe('staging:')
		expect(c.limits.tokensPerDevicePerMinute).toBe(12)
	})

	test('browser origins: any in the embedded default, none in production unless listed', () => {
		expect(loadConfig({}).allowedOrigins).toEqual(['*'])
		expect(loadConfig({}).limits.requestBodyBytes).toBe(64 * 1024)
		const prod = { NODE_ENV: 'production', ESP32_SHARED_SECRET: SECRET, ENCRYPTION_KEY: KEY, AUTH_SECRET: SECRET, ...SERVERS }
		expect(loadConfig(prod).allowedOrigins).toEqual([])
		expect(loadConfig({ ...prod, ALLOWED_ORIGINS: 'https://parents.example, http://localhost:5173' }).allowedOrigins).toEqual([
			'https://parents.example',
			'http://localhost:5173',
		])
	})

	// A variable read anywhere else escapes the checks above (and the README's table).
	test('no module but config.ts reads the environment', async () => {
		const root = `${import.meta.dir}/../../gateway/src`
		const offenders: string[] = []
		for await (const file of new Bun.Glob('**/*.ts').scan(root)) {
			if (file === 'config.ts') continue
			const text = await Bun.file(`${root}/${file}`).text()
			if (/process\.env|Bun\.env|import\.meta\.env/.test(text)) offenders.push(file)
		}
		expect(offenders).toEqual([])
	})

	const bad: Array<[string, string]> = [
		['PORT', 'abc'],
		['PORT', '70000'],
		['PORT', '-1'],
		['TEDDY_CODEC', 'fast'],
		['ALLOW_LEGACY_TOKENS', 'maybe'],
		['REQUIRE_PAIRING', 'sometimes'],
		['DATABASE_URL', 'mysql://x'],
		['REDIS_URL', 'memcached://x'],
		['ESP32_SHARED_SECRET', 'short'],
		['TEDDY_PROVIDER', 'fast'],
		['FAKE_PROVIDER_LATENCY_MS', 'soon'],
		['FAKE_PROVIDER_ANSWER_MS', '-5'],
		['LOG_LEVEL', 'loud'],
		['TRUSTED_PROXIES', '10.0.0.0/33'],
		['TRUSTED_PROXIES', 'proxy.internal'],
		['REDIS_KEY_PREFIX', 'has space'],
		['TOKENS_PER_DEVICE_PER_MINUTE', '0'],
		['DEVICE_REGISTRATIONS_PER_MINUTE', 'many'],
		['PARENT_REQUESTS_PER_IP_PER_MINUTE', '-3'],
		['ALLOWED_ORIGINS', 'https://parents.example/app'],
		['MAX_REQUEST_BODY_BYTES', '12'],
		['PUBLIC_APP_URL', 'ftp://x'],
		['LOCKOUT_ACCOUNT_FAILURES', '0'],
	]

	test.each(bad)('reports %s=%s by its name', (name, value) => {
		const problems = problemsOf({ [name]: value })
		expect(problems).toHaveLength(1)
		expect(problems[0]).toContain(name)
	})

	test('DEFAULT_COUNTRY is an ISO country code, upper-cased; unset names no helpline', () => {
		expect(loadConfig({}).safety.defaultCountry).toBeUndefined()
		expect(loadConfig({ DEFAULT_COUNTRY: 'vn' }).safety.defaultCountry).toBe('VN')
		const problems = problemsOf({ DEFAULT_COUNTRY: 'Vietnam' })
		expect(problems).toHaveLength(1)
		expect(problems[0]).toContain('DEFAULT_COUNTRY')
	})

	test("FAKE_PROVIDER_FORMAT picks the bench's fake provider audio: pcm (default) or opus20", () => {
		expect(loadConfig({}).ai.fakeFormat).toBe('pcm')
		expect(loadConfig({ FAKE_PROVIDER_FORMAT: 'opus20' }).ai.fakeFormat).toBe('opus20')
		expect(problemsOf({ FAKE_PROVIDER_FORMAT: 'mp3' }).join('\n')).toContain('FAKE_PROVIDER_FORMAT')
	})

	test('the error message names the variable too', () => {
		expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/)
	})

	// A near-miss secret (one character short) is almost the whole fleet secret: never echo it to logs.
	test('does not print the value of a bad shared secret', () => {
		const nearMiss = '0123456789abcdef'.repeat(4).slice(0, 63)
		const problems = problemsOf({ ESP32_SHARED_SECRET: nearMiss })
		expect(problems.join('\n')).toContain('ESP32_SHARED_SECRET')
		expect(problems.join('\n')).not.toContain(nearMiss)
	})

	test('reports several bad values at once', () => {
		const problems = problemsOf({
			PORT: 'abc',
			TEDDY_CODEC: 'fast',
			ALLOW_LEGACY_TOKENS: 'maybe',
			DATABASE_URL: 'mysql://x',
			ESP32_SHARED_SECRET: 'short',
		})
		const text = problems.join('\n')
		for (const name of ['PORT', 'TEDDY_CODEC', 'ALLOW_LEGACY_TOKENS', 'DATABASE_URL', 'ESP32_SHARED_SECRET']) {
			expect(text).toContain(name)
		}
		expect(problems.length).toBeGreaterThanOrEqual(5)
	})
})
