// Regenerates bench/assets/speech-16k.opuspackets, the child's question the simulator sends:
//   bun bench/assets/make-speech.ts
// espeak-ng speaks it in a higher, child-like voice, sox makes it 16 kHz mono s16, and opusscript
// encodes 60 ms packets (960 samples, application voip) as a toy's firmware would.
// The result is committed so runs are reproducible without espeak-ng; this script says how.

import { join } from 'node:path'
import OpusScript from 'opusscript'
import { writePackets } from '../lib/packets'

const TEXT = 'Hi Teddy! Can you tell me a story about a dragon?'
const RATE = 16000
const FRAME = (RATE * 60) / 1000
const out = join(import.meta.dir, 'speech-16k.opuspackets')

const espeak = Bun.spawn(['espeak-ng', '--stdout', '-v', 'en-us+f4', '-p', '80', '-s', '150'], {
	stdin: new TextEncoder().encode(TEXT),
	stdout: 'pipe',
})
// Raw output (no WAV header) so this script needs no WAV reader.
const sox = Bun.spawn(['sox', '-t', 'wav', '-', '-t', 'raw', '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed', '-L', '-'], {
	stdin: espeak.stdout,
	stdout: 'pipe',
})
const raw = await new Response(sox.stdout).bytes()
if ((await sox.exited) !== 0 || raw.length === 0) throw new Error('espeak-ng | sox produced no audio')
const pcm = new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1)

const encoder = new OpusScript(RATE, 1, OpusScript.Application.VOIP)
encoder.setBitrate(24000)
const packets: Uint8Array[] = []
const frame = new Int16Array(FRAME)
for (let at = 0; at < pcm.length; at += FRAME) {
	frame.fill(0)
	frame.set(pcm.subarray(at, at + FRAME))
	packets.push(new Uint8Array(encoder.encode(Buffer.from(frame.buffer), FRAME)))
}
encoder.delete()

const bytes = writePackets(packets)
await Bun.write(out, bytes)
console.log(`${out}: ${packets.length} packets, ${(packets.length * 0.06).toFixed(2)} s, ${bytes.length} bytes`)
