// A labelled speech corpus for the VAD accuracy bench, rendered locally (no downloads, nothing
// large committed): espeak-ng utterances in several voices, resampled to 16 kHz by sox, laid out
// with seeded pauses, labelled per 10 ms frame from the clean signal, then mixed with seeded noise.
// The same espeak-ng/sox versions and seed give the same samples, so results can be regenerated.
//
// Two parts: adult-paced questions (the original corpus), then child-like ones: high pitch,
// slow, and stopping mid-sentence to think for 400-1,500 ms (an SSML break, so espeak keeps the
// sentence's intonation around it, as a child holding the turn does), each followed by a long
// gap (the toy would be answering). A noise-only tail ends the corpus: turns there are false.

export const RATE = 16000
export const FRAME = 160 // 10 ms
export const FRAME_MS = 10

// ? Labelling rule: a 10 ms frame of the clean signal is speech when its energy is within
//   LABEL_DB of the loudest frame of its own utterance (so quiet voices are labelled as fully as
//   loud ones), and silent runs up to GAP_FILL_MS between speech frames of one utterance are
//   filled (stop closures and word joins are part of the talking, not a pause).
export const LABEL_DB = -40
export const GAP_FILL_MS = 150

const UTTERANCES = [
	'Can you tell me a story about a dragon?',
	'Why is the sky blue?',
	'I want to play a game with you.',
	'What do elephants eat?',
	'My favourite colour is green.',
	'Good night, teddy.',
	'How far away is the moon?',
	'Can we sing a song together?',
	'I lost my tooth today!',
	'Do fish sleep at night?',
	'Tell me a joke, please.',
	'What is your name?',
	"I'm not sleepy yet.",
	"Let's count to ten.",
	'Where do rainbows come from?',
	'I drew a picture of a cat.',
]

/**
 * Children's questions; `|` marks where a child may stop to think. Each rendering stops at one
 * or two of them (seeded). The tuning set, used to choose the endpointer's constants, has other
 * sentences, so the bench does not report on what the constants were fitted to.
 */
const CHILD_UTTERANCES = [
	'I want to | play a game | with you.',
	'Can you tell me | a story about | a princess?',
	'My dog is called | Biscuit and he | likes to run.',
	'Why do cats | have whiskers?',
	'Yesterday we went | to the zoo and | I saw a lion.',
	'What happens | when the sun | goes down?',
	'I made a tower | with my blocks | and it fell over.',
	'Do you know | how to whistle?',
	'When I grow up | I want to be | an astronaut.',
	'Can we count | all the stars | tonight?',
	'I had pancakes | for breakfast | this morning.',
	'Where does | the rain | come from?',
]
const CHILD_TUNING = [
	'My sister has | a red bike | with a bell.',
	'What do you | like to eat?',
	'I found a | shiny stone | in the garden.',
	'Can you sing | the song about | the little frog?',
	'Today at school | we painted | big flowers.',
	'Why is the | grass green?',
	'I saw a | rainbow after | the rain.',
	'How many legs | does a spider | have?',
]

/** espeak-ng voice, words per minute, pitch (0–99): adult female and male, two child-like. */
const VOICES: { voice: string; speed: number; pitch: number }[] = [
	{ voice: 'en-us+f3', speed: 160, pitch: 50 },
	{ voice: 'en-us+m3', speed: 140, pitch: 50 },
	{ voice: 'en+f4', speed: 170, pitch: 80 },
	{ voice: 'en-us+f2', speed: 185, pitch: 70 },
]

/** Child-like: high pitch, slow (espeak's default is 175 words per minute). */
const CHILD_VOICES: { voice: string; speed: number; pitch: number }[] = [
	{ voice: 'en+f4', speed: 120, pitch: 90 },
	{ voice: 'en-us+f5', speed: 110, pitch: 95 },
	{ voice: 'en+f2', speed: 130, pitch: 85 },
]

/** Seeded xorshift32 in [0, 1). */
export function rng(seed: number): () => number {
	let s = seed >>> 0 || 1
	return () => {
		s ^= s << 13
		s ^= s >>> 17
		s ^= s << 5
		return (s >>> 0) / 2 ** 32
	}
}

function run(cmd: string[], stdin?: Uint8Array): Uint8Array {
	const r = Bun.spawnSync(cmd, { stdin: stdin ?? 'ignore', stdout: 'pipe', stderr: 'pipe' })
	if (!r.success) throw new Error(`${cmd[0]} failed: ${r.stderr.toString()}`)
	return new Uint8Array(r.stdout)
}

export function toolVersions(): { espeak: string; sox: string } {
	const first = (b: Uint8Array) => new TextDecoder().decode(b).trim().split('\n')[0]
	return { espeak: first(run(['espeak-ng', '--version'])), sox: first(run(['sox', '--version'])) }
}

/**
 * One utterance as 16 kHz mono int16 (espeak-ng renders 22.05 kHz WAV; sox resamples, high quality).
 * `ssml`: the text is SSML (`<break time="…"/>` pauses).
 * ! `-D`: sox otherwise adds random dither when it writes 16 bits, and the corpus would differ per run.
 */
export function render(text: string, v: { voice: string; speed: number; pitch: number }, ssml = false): Int16Array {
	const markup = ssml ? ['-m'] : []
	const wav = run(['espeak-ng', ...markup, '-v', v.voice, '-s', String(v.speed), '-p', String(v.pitch), '--stdout', text])
	const raw = run(['sox', '-D', '-t', 'wav', '-', '-t', 'raw', '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed', '-'], wav)
	return new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1)
}

export interface Utterance {
	text: string
	voice: string
	/** Child-like, with pauses inside (`pausesMs`, in order). */
	child: boolean
	pausesMs: number[]
	/** True speech span in frames [start, end), from the labels. */
	startFrame: number
	endFrame: number
	/** Pause (ms) from this utterance's placement end to the next one's start; last: the tail. */
	pauseAfterMs: number
}

export interface Corpus {
	clean: Int16Array
	/** 1 = speech, per 10 ms frame. */
	labels: Uint8Array
	utterances: Utterance[]
}

const frameDb = (pcm: Int16Array, f: number) => {
	let e = 0
	for (let i = f * FRAME; i < (f + 1) * FRAME; i++) e += pcm[i] * pcm[i]
	return 10 * Math.log10(e / FRAME + 1e-9)
}

type Span = { text: string; voice: string; child: boolean; pausesMs: number[]; at: number; frames: number; pauseMs: number }

/** Child pauses: 400–1,500 ms, whole 10 ms. */
const childPauseMs = (rand: () => number) => 10 * Math.round((400 + 1100 * rand()) / 10)

/** One or two of the marked places, in order, each with a pause; the rest are joined. */
function childSsml(text: string, rand: () => number): { ssml: string; plain: string; pausesMs: number[] } {
	const pieces = text.split('|').map((p) => p.trim())
	const places = pieces.length - 1
	const stops = new Set<number>([Math.floor(rand() * places)])
	if (places > 1 && rand() < 0.5) stops.add(Math.floor(rand() * places))
	const pausesMs: number[] = []
	let ssml = pieces[0]
	for (let k = 1; k < pieces.length; k++) {
		if (stops.has(k - 1)) {
			const ms = childPauseMs(rand)
			pausesMs.push(ms)
			ssml += ` <break time="${ms}ms"/> ${pieces[k]}`
		} else ssml += ` ${pieces[k]}`
	}
	return { ssml: `<speak>${ssml}</speak>`, plain: pieces.join(' '), pausesMs }
}

/**
 * Renders every utterance once: the adult-paced part with pauses of 0.3–2 s between turns, then
 * the child-like part with 2.5–4 s between turns, then 6 s of nothing (seeded). `set: 'tuning'`
 * renders only other child-like sentences, for choosing constants.
 */
export function buildCorpus(seed: number, set: 'bench' | 'tuning' = 'bench'): Corpus {
	const rand = rng(seed)
	const parts: Int16Array[] = []
	const spans: Span[] = []
	const lead = new Int16Array(50 * FRAME) // 0.5 s before the first word
	parts.push(lead)
	let at = lead.length / FRAME
	const place = (pcm: Int16Array, span: Omit<Span, 'at' | 'frames'>) => {
		// Pad to whole frames so utterances sit on the 10 ms grid.
		const padded = new Int16Array(Math.ceil(pcm.length / FRAME) * FRAME)
		padded.set(pcm)
		spans.push({ ...span, at, frames: padded.length / FRAME })
		parts.push(padded, new Int16Array((span.pauseMs / FRAME_MS) * FRAME))
		at += padded.length / FRAME + span.pauseMs / FRAME_MS
	}
	const adult = set === 'bench' ? UTTERANCES : []
	adult.forEach((text, i) => {
		const v = VOICES[i % VOICES.length]
		const pauseMs = 10 * Math.round((300 + 1700 * rand()) / 10)
		place(render(text, v), { text, voice: `${v.voice} -s ${v.speed} -p ${v.pitch}`, child: false, pausesMs: [], pauseMs })
	})
	// ? Each sentence twice, in different voices with other pauses: more mid-sentence pauses to count.
	const sentences = set === 'bench' ? CHILD_UTTERANCES : CHILD_TUNING
	const child = [...sentences, ...sentences]
	child.forEach((text, i) => {
		const v = CHILD_VOICES[(i + Math.floor(i / sentences.length)) % CHILD_VOICES.length]
		const { ssml, plain, pausesMs } = childSsml(text, rand)
		const last = i === child.length - 1
		const pauseMs = last ? 6000 : 10 * Math.round((2500 + 1500 * rand()) / 10)
		place(render(ssml, v, true), { text: plain, voice: `${v.voice} -s ${v.speed} -p ${v.pitch}`, child: true, pausesMs, pauseMs })
	})
	const clean = new Int16Array(at * FRAME)
	let o = 0
	for (const p of parts) {
		clean.set(p, o)
		o += p.length
	}
	const labels = new Uint8Array(at)
	const utterances = spans.map((s) => labelUtterance(clean, labels, s))
	return { clean, labels, utterances }
}

function labelUtterance(clean: Int16Array, labels: Uint8Array, s: Span): Utterance {
	const db = Array.from({ length: s.frames }, (_, k) => frameDb(clean, s.at + k))
	const peak = Math.max(...db)
	let first = -1
	let last = -1
	for (let k = 0; k < s.frames; k++) {
		if (db[k] <= peak + LABEL_DB) continue
		if (last >= 0 && k - last - 1 <= GAP_FILL_MS / FRAME_MS) labels.fill(1, s.at + last + 1, s.at + k)
		labels[s.at + k] = 1
		if (first < 0) first = k
		last = k
	}
	return {
		text: s.text,
		voice: s.voice,
		child: s.child,
		pausesMs: s.pausesMs,
		startFrame: s.at + first,
		endFrame: s.at + last + 1,
		pauseAfterMs: s.pauseMs + (s.frames - last - 1) * FRAME_MS,
	}
}

export type NoiseKind = 'white' | 'pink' | 'babble'

/** Unit-variance Gaussian white noise (Box–Muller on the seeded generator). */
function white(n: number, rand: () => number): Float64Array {
	const out = new Float64Array(n)
	for (let i = 0; i < n; i += 2) {
		const r = Math.sqrt(-2 * Math.log(1 - rand()))
		const t = 2 * Math.PI * rand()
		out[i] = r * Math.cos(t)
		if (i + 1 < n) out[i + 1] = r * Math.sin(t)
	}
	return out
}

/** Pink (−3 dB/octave): white through Paul Kellet's economy filter. */
function pink(w: Float64Array): Float64Array {
	const out = new Float64Array(w.length)
	let b0 = 0
	let b1 = 0
	let b2 = 0
	for (let i = 0; i < w.length; i++) {
		b0 = 0.99765 * b0 + w[i] * 0.099046
		b1 = 0.963 * b1 + w[i] * 0.2965164
		b2 = 0.57 * b2 + w[i] * 1.0526913
		out[i] = b0 + b1 + b2 + w[i] * 0.1848
	}
	return out
}

/**
 * Babble-like: pink noise band-limited to the speech band (2nd-order 200 Hz high-pass, two
 * 3.5 kHz one-pole low-passes) under a random syllable-rate (~4 Hz) envelope — what several
 * distant talkers look like to a detector that cannot understand words.
 */
function babble(w: Float64Array, rand: () => number): Float64Array {
	const p = pink(w)
	const hp = Math.exp((-2 * Math.PI * 200) / RATE)
	const lp = 1 - Math.exp((-2 * Math.PI * 3500) / RATE)
	let x1 = 0
	let y1 = 0
	let x2 = 0
	let y2 = 0
	let l1 = 0
	let l2 = 0
	let env = 0.5
	let target = 0.5
	const out = new Float64Array(p.length)
	for (let i = 0; i < p.length; i++) {
		const y = p[i] - x1 + hp * y1
		x1 = p[i]
		y1 = y
		const z = y - x2 + hp * y2
		x2 = y
		y2 = z
		l1 += lp * (z - l1)
		l2 += lp * (l1 - l2)
		if (i % (RATE / 8) === 0) target = 0.2 + 1.6 * rand() // new level every 125 ms
		env += 0.002 * (target - env)
		out[i] = l2 * env
	}
	return out
}

export function makeNoise(kind: NoiseKind, n: number, seed: number): Float64Array {
	const rand = rng(seed)
	const w = white(n, rand)
	return kind === 'white' ? w : kind === 'pink' ? pink(w) : babble(w, rand)
}

/**
 * Clean speech plus noise scaled so that active speech power (over speech-labelled frames) is
 * `snrDb` above the noise's mean power. Clipped to int16.
 */
export function mix(corpus: Corpus, noise: Float64Array, snrDb: number): Int16Array {
	const { clean, labels } = corpus
	let ps = 0
	let ns = 0
	for (let f = 0; f < labels.length; f++) {
		if (!labels[f]) continue
		for (let i = f * FRAME; i < (f + 1) * FRAME; i++) ps += clean[i] * clean[i]
		ns += FRAME
	}
	const speechPower = ps / ns
	let pn = 0
	for (const x of noise) pn += x * x
	const gain = Math.sqrt(speechPower / 10 ** (snrDb / 10) / (pn / noise.length))
	const out = new Int16Array(clean.length)
	for (let i = 0; i < clean.length; i++) {
		out[i] = Math.max(-32768, Math.min(32767, Math.round(clean[i] + gain * noise[i])))
	}
	return out
}
