import type { Heard } from './recording-session'

// What the child hears, from a recording session's timeline: a toy plays each frame in turn as
// it arrives (60 ms each); when the next frame arrives after the last one finished, the child
// hears silence. Figures are from `from` (the end of the child's turn) to the turn's tts stop.

export interface Hearing {
	/** From the end of the child's turn to the first frame. */
	firstAudioMs: number
	/** Each silence longer than the pacer's jitter once audio had started, in ms. */
	gaps: number[]
	/** The longest of them (0 if none). */
	longestGapMs: number
	/** When (ms after `from`) the sentence with this text reached the toy, or undefined. */
	sentenceAt(text: string): number | undefined
	/** Audio (ms) the toy received after sentence `after` (or from the start) and before sentence `before`. */
	audioBetween(after: string | undefined, before: string): number
	/** When (ms after `from`) the toy finished playing the audio that came after sentence `text`. */
	playedOut(text: string): number | undefined
}

const JITTER_MS = 15

export function hearing(timeline: readonly Heard[], from: number, frameMs = 60): Hearing {
	const turn = timeline.filter((h) => h.t >= from)
	const stop = turn.findIndex((h) => h.kind === 'stop')
	const events = stop < 0 ? turn : turn.slice(0, stop + 1)
	const frames = events.filter((h) => h.kind === 'frame').map((h) => h.t)
	const gaps: number[] = []
	// When each event's audio finished playing, in toy time.
	const playedAt = new Map<Heard, number>()
	let playedUntil = frames[0] ?? 0
	for (const h of events) {
		if (h.kind === 'frame') {
			if (h.t - playedUntil > JITTER_MS) gaps.push(h.t - playedUntil)
			playedUntil = Math.max(playedUntil, h.t) + frameMs
		}
		playedAt.set(h, playedUntil)
	}
	const indexOf = (text: string) => events.findIndex((h) => h.kind === 'sentence' && h.text === text)
	return {
		firstAudioMs: frames.length > 0 ? frames[0] - from : Number.POSITIVE_INFINITY,
		gaps,
		longestGapMs: gaps.length > 0 ? Math.max(...gaps) : 0,
		sentenceAt(text) {
			const i = indexOf(text)
			return i < 0 ? undefined : events[i].t - from
		},
		audioBetween(after, before) {
			const start = after === undefined ? 0 : indexOf(after)
			const end = indexOf(before)
			if (start < 0 || end < 0) throw new Error(`sentence not heard: ${start < 0 ? after : before}`)
			return events.slice(start, end).filter((h) => h.kind === 'frame').length * frameMs
		},
		playedOut(text) {
			const i = indexOf(text)
			if (i < 0) return undefined
			const next = events.findIndex((h, j) => j > i && (h.kind === 'sentence' || h.kind === 'stop'))
			const last = events.slice(i, next < 0 ? undefined : next).filter((h) => h.kind === 'frame').at(-1)
			return last ? playedAt.get(last)! - from : undefined
		},
	}
}
