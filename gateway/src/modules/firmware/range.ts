// RFC 7233 byte ranges, single range only: `bytes=a-b`, `bytes=a-`, `bytes=-n`. A header that is
// not one well-formed byte range is ignored (the whole image, 200), as §3.1 allows; a well-formed
// range that starts past the end is 416.

export type RangeVerdict = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' }

export function parseRange(header: string | null | undefined, size: number): RangeVerdict {
	if (!header) return { kind: 'whole' }
	const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
	if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' }
	if (m[1] === '') {
		const suffix = Number(m[2])
		if (suffix === 0) return { kind: 'unsatisfiable' }
		return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 }
	}
	const start = Number(m[1])
	// ? `last < first` makes the header invalid (§2.1): ignored; a first byte past the end is 416 (§4.4).
	if (m[2] !== '' && Number(m[2]) < start) return { kind: 'whole' }
	if (start >= size) return { kind: 'unsatisfiable' }
	const end = m[2] === '' ? size - 1 : Number(m[2])
	return { kind: 'part', start, end: Math.min(end, size - 1) }
}
