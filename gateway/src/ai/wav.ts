// Minimal RIFF/WAVE for 16-bit PCM: enough to read espeak-ng's output and write test and
// simulator files. espeak-ng writes a streaming header whose size fields are placeholders
// (0, 0xffffffff or 0x7ffff000-ish), so the data chunk runs to the end of the bytes we have.

export interface Wav {
	/** Interleaved int16 samples (mono when channels is 1). */
	pcm: Int16Array
	sampleRate: number
	channels: number
}

export class WavFormatError extends Error {
	constructor(message: string) {
		super(message)
		this.name = 'WavFormatError'
	}
}

const PCM = 1
const EXTENSIBLE = 0xfffe

function tag(bytes: Uint8Array, at: number): string {
	return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3])
}

export function parseWav(bytes: Uint8Array): Wav {
	if (bytes.length < 12 || tag(bytes, 0) !== 'RIFF' || tag(bytes, 8) !== 'WAVE') {
		throw new WavFormatError('not a RIFF/WAVE file')
	}
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
	let at = 12
	let fmt: { sampleRate: number; channels: number } | undefined
	while (at + 8 <= bytes.length) {
		const id = tag(bytes, at)
		const declared = view.getUint32(at + 4, true)
		const body = at + 8
		const remaining = bytes.length - body
		if (id === 'fmt ') {
			if (declared < 16 || remaining < 16) throw new WavFormatError('fmt chunk too short')
			const format = view.getUint16(body, true)
			const channels = view.getUint16(body + 2, true)
			const sampleRate = view.getUint32(body + 4, true)
			const bits = view.getUint16(body + 14, true)
			if ((format !== PCM && format !== EXTENSIBLE) || bits !== 16) {
				throw new WavFormatError(`unsupported WAV encoding (format ${format}, ${bits} bits); need 16-bit PCM`)
			}
			if (channels < 1 || sampleRate < 1) throw new WavFormatError('bad channel count or sample rate')
			fmt = { sampleRate, channels }
		} else if (id === 'data') {
			if (!fmt) throw new WavFormatError('data chunk before fmt chunk')
			// ? A streamed header cannot know the length: trust the bytes, not the field.
			const size = declared === 0 || declared > remaining ? remaining : declared
			const usable = size - (size % (2 * fmt.channels))
			const pcm = new Int16Array(usable / 2)
			for (let i = 0; i < pcm.length; i++) pcm[i] = view.getInt16(body + i * 2, true)
			return { pcm, sampleRate: fmt.sampleRate, channels: fmt.channels }
		}
		if (declared > remaining) break
		at = body + declared + (declared & 1) // chunks are word-aligned
	}
	throw new WavFormatError('no data chunk')
}

export function encodeWav(pcm: Int16Array, sampleRate: number, channels = 1): Uint8Array {
	const dataBytes = pcm.length * 2
	const out = new Uint8Array(44 + dataBytes)
	const view = new DataView(out.buffer)
	const put = (at: number, s: string) => {
		for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i)
	}
	put(0, 'RIFF')
	view.setUint32(4, 36 + dataBytes, true)
	put(8, 'WAVE')
	put(12, 'fmt ')
	view.setUint32(16, 16, true)
	view.setUint16(20, PCM, true)
	view.setUint16(22, channels, true)
	view.setUint32(24, sampleRate, true)
	view.setUint32(28, sampleRate * channels * 2, true)
	view.setUint16(32, channels * 2, true)
	view.setUint16(34, 16, true)
	put(36, 'data')
	view.setUint32(40, dataBytes, true)
	for (let i = 0; i < pcm.length; i++) view.setInt16(44 + i * 2, pcm[i], true)
	return out
}
