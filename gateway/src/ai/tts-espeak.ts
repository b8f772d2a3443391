// Local speech synthesis with espeak-ng: the voice of the offline provider and of fixed lines.
// espeak-ng is spawned directly (argv, text on stdin), never through a shell, so nothing a
// child or a model says can become a command. Renders are cached because the same lines
// ("Let me think about that!") come back all day.

import { TtsFailedError, TtsUnavailableError } from './errors'
import { parseWav } from './wav'

export interface SpeechOptions {
	/** espeak-ng voice, e.g. 'en-us' or 'en-us+f3'. */
	voice?: string
	/** Words per minute. */
	speed?: number
}

export interface Speech {
	pcm: Int16Array
	sampleRate: number
}

export interface EspeakTtsOptions {
	/** Path or name of the espeak-ng binary (config ESPEAK_NG_BIN); default 'espeak-ng' on PATH. */
	binary?: string
	/** Renders kept in memory; the least recently used is dropped first. */
	cacheEntries?: number
	/** Longer texts are not cached: they are unlikely to repeat and would crowd out fixed lines. */
	maxCachedChars?: number
	/** A render that takes longer than this is killed. */
	timeoutMs?: number
}

const DEFAULT_VOICE = 'en-us'
const DEFAULT_SPEED = 160
// ? espeak-ng treats a leading '-' on stdin as text, but voices come from config: keep them tame.
const VOICE_PATTERN = /^[A-Za-z0-9_+-]{1,40}$/

export class EspeakTts {
	readonly binary: string
	/** espeak-ng processes started so far (lets tests prove the cache works). */
	spawns = 0
	private readonly cache = new Map<string, Promise<Speech>>()
	private readonly cacheEntries: number
	private readonly maxCachedChars: number
	private readonly timeoutMs: number

	constructor(opts: EspeakTtsOptions = {}) {
		this.binary = opts.binary ?? 'espeak-ng'
		this.cacheEntries = opts.cacheEntries ?? 256
		this.maxCachedChars = opts.maxCachedChars ?? 300
		this.timeoutMs = opts.timeoutMs ?? 10_000
	}

	synthesize(text: string, opts: SpeechOptions = {}): Promise<Speech> {
		const voice = opts.voice ?? DEFAULT_VOICE
		const speed = Math.round(opts.speed ?? DEFAULT_SPEED)
		if (!VOICE_PATTERN.test(voice)) return Promise.reject(new TtsFailedError(`invalid espeak-ng voice name: ${voice}`))
		if (!(speed >= 80 && speed <= 450)) return Promise.reject(new TtsFailedError(`speed ${speed} outside 80..450 wpm`))
		if (text.length > this.maxCachedChars) return this.render(text, voice, speed)

		const key = `${voice}\u0000${speed}\u0000${text}`
		const hit = this.cache.get(key)
		if (hit) {
			// Map keeps insertion order: re-inserting marks the entry most recently used.
			this.cache.delete(key)
			this.cache.set(key, hit)
			return hit
		}
		// ? The promise is cached, not the result, so concurrent asks for one line spawn once.
		const pending = this.render(text, voice, speed)
		this.cache.set(key, pending)
		pending.catch(() => this.cache.delete(key))
		while (this.cache.size > this.cacheEntries) {
			const oldest = this.cache.keys().next().value
			if (oldest === undefined) break
			this.cache.delete(oldest)
		}
		return pending
	}

	clearCache(): void {
		this.cache.clear()
	}

	private async render(text: string, voice: string, speed: number): Promise<Speech> {
		let proc: ReturnType<typeof Bun.spawn<'pipe', 'pipe', 'pipe'>>
		try {
			proc = Bun.spawn([this.binary, '--stdout', '-v', voice, '-s', String(speed)], {
				stdin: 'pipe',
				stdout: 'pipe',
				stderr: 'pipe',
			})
		} catch (err) {
			throw new TtsUnavailableError(`espeak-ng could not be started (${this.binary}); install the espeak-ng package`, {
				cause: err,
			})
		}
		this.spawns++
		const timer = setTimeout(() => proc.kill(), this.timeoutMs)
		try {
			// Newlines would make espeak-ng pause as at a paragraph; one line reads naturally.
			proc.stdin.write(text.replace(/\s+/g, ' ').trim())
			proc.stdin.end()
			const [wav, stderr, code] = await Promise.all([
				new Response(proc.stdout).bytes(),
				new Response(proc.stderr).text(),
				proc.exited,
			])
			if (code !== 0) throw new TtsFailedError(`espeak-ng exited with ${code}: ${stderr.trim().slice(0, 200)}`)
			const parsed = parseWav(wav)
			return { pcm: parsed.pcm, sampleRate: parsed.sampleRate }
		} catch (err) {
			if (err instanceof TtsFailedError) throw err
			throw new TtsFailedError(`espeak-ng produced no usable audio: ${(err as Error).message}`, { cause: err })
		} finally {
			clearTimeout(timer)
		}
	}
}

let shared: EspeakTts | undefined

/** Renders `text` with the process-wide espeak-ng instance (and its cache). */
export function synthesize(text: string, opts?: SpeechOptions): Promise<Speech> {
	shared ??= new EspeakTts()
	return shared.synthesize(text, opts)
}

/** The process-wide instance behind `synthesize`. */
export function sharedTts(): EspeakTts {
	shared ??= new EspeakTts()
	return shared
}
