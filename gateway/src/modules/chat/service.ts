import type { Provider, ProviderEvent } from '../../ai/provider'
import { encodeWav } from '../../ai/wav'
import type { Codec, OpusRate } from '../../codec'
import { GatewayError } from '../../errors'
import { consentRefusalMessage } from '../../safety/consent'
import { estimateTokens } from '../../safety/metering'
import { localDay } from '../../safety/policy'
import { type ConsentReader, missingConsent } from '../../session/consent-gate'
import type { AuditRepository } from '../../store/audit'
import type { FamilyRepository } from '../../store/families'
import type { FamilyChildRepository } from '../../store/family-children'
import type { FamilyUsageRepository } from '../../store/family-usage'
import { audit } from '../access/audit'
import type { ParentPrincipal } from '../access/service'

// A parent types what their child might say and sees (and hears) what the toy would answer: the
// same provider behind the same safety layer, with the child's profile and the family's rules. It
// is not a toy's turn: nothing is added to the child's conversations, memory or progress; its cost
// counts against the family's daily budget.

export interface ChatDeps {
	provider: Provider
	codec: Codec
	children: FamilyChildRepository
	families: FamilyRepository
	usage: FamilyUsageRepository
	consent: ConsentReader
	thirdPartyAi: boolean
	audit: AuditRepository
	defaultTimezone: string
}

export interface ChatResult {
	sentences: string[]
	audio?: { sampleRate: number; wav: Uint8Array }
}

const RATE = 24_000
const TIMEOUT_MS = 30_000
// the system prompt is about this long; counted so the family's budget sees the chat's real weight
const PROMPT_CHARS = 2_000

export class ChatService {
	constructor(private readonly d: ChatDeps) {}

	async chat(p: ParentPrincipal, childId: string, text: string, withAudio: boolean): Promise<ChatResult> {
		const child = await this.d.children.get(p.familyId, childId)
		if (!child) throw new GatewayError('NOT_FOUND', 'no such child in your family')
		// ! The same consents as the toy: with a remote service the child's name and age go there.
		const missing = await missingConsent(this.d.consent, [childId], this.d.thirdPartyAi)
		if (missing) throw new GatewayError('CONSENT_REQUIRED', consentRefusalMessage[missing])
		await audit(this.d.audit, p, 'chat.try', { childId })
		const signal = AbortSignal.timeout(TIMEOUT_MS)
		const events = this.d.provider.answer({
			pcm: new Int16Array(0),
			sampleRate: 16000,
			text,
			child: { id: child.id, name: child.name, age: child.age },
			history: [],
			signal,
			downlink: { format: 'pcm16', sampleRate: RATE, frameMs: 60 },
		})
		const sentences: string[] = []
		const pcm = withAudio ? new PcmCollector(this.d.codec, RATE) : undefined
		for await (const ev of events) {
			if (ev.type === 'sentence') sentences.push(ev.text)
			else if (ev.type !== 'transcript') pcm?.add(ev)
		}
		if (signal.aborted) throw new GatewayError('INTERNAL', 'the answer took too long')
		const audio = pcm?.finish()
		await this.meter(p.familyId, text, sentences, audio)
		return { sentences, audio: audio ? { sampleRate: RATE, wav: encodeWav(audio, RATE) } : undefined }
	}

	private async meter(familyId: string, text: string, sentences: string[], audio: Int16Array | undefined): Promise<void> {
		const family = await this.d.families.get(familyId)
		const day = localDay(family?.timezone ?? this.d.defaultTimezone, Date.now())
		await this.d.usage.addFamily(day, familyId, {
			turns: 1,
			tokensIn: estimateTokens(PROMPT_CHARS + text.length),
			tokensOut: estimateTokens(sentences.join(' ').length),
			audioInMs: 0,
			audioOutMs: audio ? Math.round((audio.length / RATE) * 1000) : 0,
		})
	}
}

/** Gathers answer audio of any rate (PCM, or Opus from the fixed-line cache) as one PCM track. */
class PcmCollector {
	private readonly parts: Int16Array[] = []

	constructor(
		private readonly codec: Codec,
		private readonly rate: number,
	) {}

	add(ev: Exclude<ProviderEvent, { type: 'transcript' } | { type: 'sentence' }>): void {
		if (ev.type === 'audio') return this.push(ev.pcm, ev.sampleRate)
		const dec = this.codec.createDecoder(ev.sampleRate as OpusRate)
		try {
			const out = new Int16Array((ev.sampleRate * ev.frameMs) / 1000)
			for (const packet of ev.packets) this.push(out.slice(0, dec.decode(packet, out)), ev.sampleRate)
		} finally {
			dec.free()
		}
	}

	private push(pcm: Int16Array, rate: number): void {
		if (rate === this.rate) {
			this.parts.push(pcm.slice())
			return
		}
		const r = this.codec.createResampler(rate, this.rate)
		const out = new Int16Array(r.maxOutput(pcm.length))
		const n = r.process(pcm, out)
		const tail = new Int16Array(r.maxFlush())
		const m = r.flush(tail)
		this.parts.push(out.slice(0, n), tail.slice(0, m))
	}

	finish(): Int16Array {
		const all = new Int16Array(this.parts.reduce((n, p) => n + p.length, 0))
		let at = 0
		for (const p of this.parts) {
			all.set(p, at)
			at += p.length
		}
		return all
	}
}
