// Cuts streamed model text into sentences so each can be spoken as soon as it is complete.
// A sentence ends at . ! or ? (plus any closing quote or bracket) followed by whitespace and a
// word that does not start in lower case, or at a line break. Waiting for the next word's first
// character costs one token of delay and keeps 'He said "Hi!" and left.' whole. Very short pieces
// and known abbreviations ("Mr.", "e.g.") do not end one either, so the bear does not speak "Mr."
// on its own and then pause.

const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'mt', 'vs', 'etc', 'e.g', 'i.e', 'no', 'jr', 'sr', 'prof'])
const BOUNDARY = /[.!?]+["')\]’”]*\s+(?=\S)|\n+/g

export class SentenceSplitter {
	private buffer = ''

	constructor(private readonly minChars = 12) {}

	/** Adds streamed text; returns the sentences it completed, in order. */
	push(delta: string): string[] {
		this.buffer += delta
		const out: string[] = []
		let start = 0
		BOUNDARY.lastIndex = 0
		for (let m = BOUNDARY.exec(this.buffer); m; m = BOUNDARY.exec(this.buffer)) {
			const end = m.index + m[0].length
			const candidate = this.buffer.slice(start, end).trim()
			const next = this.buffer[end] ?? ''
			if (m[0].includes('\n') || (!/\p{Ll}/u.test(next) && this.endsSentence(candidate))) {
				if (candidate) out.push(candidate)
				start = end
			}
		}
		this.buffer = this.buffer.slice(start)
		return out
	}

	/** Whatever is left once the stream ends. */
	flush(): string | null {
		const rest = this.buffer.trim()
		this.buffer = ''
		return rest || null
	}

	private endsSentence(candidate: string): boolean {
		if (candidate.length < this.minChars) return false
		const lastWord = candidate.split(/\s+/).at(-1) ?? ''
		if (lastWord.endsWith('.')) {
			const bare = lastWord.replace(/^["'(\[‘“]+/, '').slice(0, -1).toLowerCase()
			if (ABBREVIATIONS.has(bare)) return false
			// Single letters are initials ("J. K. Rowling"), not sentence ends.
			if (/^\p{L}$/u.test(bare)) return false
		}
		return true
	}
}
