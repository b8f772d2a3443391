import { expect, test } from 'bun:test'
import { DOC_END, DOC_START, renderSchemas } from '../../gateway/src/ws/protocol-doc'

test('docs/protocol.md carries the wire schemas exactly as the code validates them', async () => {
	const doc = await Bun.file(`${import.meta.dir}/../../docs/protocol.md`).text()
	const start = doc.indexOf(DOC_START)
	const end = doc.indexOf(DOC_END)
	expect(start).toBeGreaterThanOrEqual(0)
	expect(end).toBeGreaterThan(start)
	// On failure: run `bun scripts/protocol-doc.ts` and commit the document.
	expect(doc.slice(start, end + DOC_END.length)).toBe(renderSchemas())
})

test('the rendering names every message type and marks required fields', () => {
	const md = renderSchemas()
	for (const t of ['audio_start', 'audio_chunk', 'audio_end', 'audio_response', 'hello', 'listen', 'abort', 'tts', 'stt']) {
		expect(md).toContain(`#### ${t}`)
	}
	expect(md).toContain('| `child_age` | integer 3–13 | yes |')
	expect(md).toContain('| `state` | "start" \\| "stop" \\| "detect" | yes |')
})
