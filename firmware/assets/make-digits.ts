// Regenerates digit-<0..9>.opuspackets, the spoken digits a toy without a screen uses to say its
// pairing code (teddy::DigitVoice). Run from the repository root:
//   bun firmware/assets/make-digits.ts
// espeak-ng speaks each digit in the bear's voice, sox makes it 16 kHz mono s16, opusscript encodes
// 60 ms packets (the format of bench/assets, bench/lib/packets.ts). The files are committed so a
// firmware build needs neither espeak-ng nor sox.

import { join } from 'node:path'
import OpusScript from 'opusscript'
import { writePackets } from '../../bench/lib/packets'

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
const RATE = 16000
const FRAME = (RATE * 60) / 1000

for (const [digit, word] of WORDS.entries()) {
	const espeak = Bun.spawn(['espeak-ng', '--stdout', '-v', 'en-us+f3', '-s', '140', word], { stdout: 'pipe' })
	const sox = Bun.spawn(['sox', '-t', 'wav', '-', '-t', 'raw', '-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed', '-L', '-', 'silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse'], {
		stdin: espeak.stdout,
		stdout: 'pipe',
	})
	const raw = await new Response(sox.stdout).bytes()
	if ((await sox.exited) !== 0 || raw.length === 0) throw new Error(`espeak-ng | sox produced no audio for ${word}`)
	const pcm = new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1)
	const encoder = new OpusScript(RATE, 1, OpusScript.Application.VOIP)
	encoder.setBitrate(20000)
	const packets: Uint8Array[] = []
	const frame = new Int16Array(FRAME)
	for (let at = 0; at < pcm.length; at += FRAME) {
		frame.fill(0)
		frame.set(pcm.subarray(at, at + FRAME))
		packets.push(new Uint8Array(encoder.encode(Buffer.from(frame.buffer), FRAME)))
	}
	encoder.delete()
	await Bun.write(join(import.meta.dir, `digit-${digit}.opuspackets`), writePackets(packets))
	console.log(`digit ${digit} (${word}): ${packets.length} packets`)
}
