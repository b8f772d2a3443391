import type { PcmQuestion, PrepareContext, Provider, ProviderEvent, StreamContext, TurnInput, UplinkStream } from './provider'

// Notes when the answering provider is called and when its first audio arrives, on the turn's
// `marks`, for the stage-latency metrics (obs/metrics.ts). Wraps the provider under the safety
// layer, so "provider start" comes after the safety set-up and "first byte" is the upstream's.
// Per provider event (a chunk of answer audio), not per frame; absent when metrics are off.

export class TimedProvider implements Provider {
	readonly name: string

	constructor(private readonly inner: Provider) {
		this.name = inner.name
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		const marks = input.marks
		if (marks) marks.providerStartAt = performance.now()
		for await (const ev of this.inner.answer(input)) {
			if (marks && marks.firstByteAt === undefined && (ev.type === 'audio' || ev.type === 'opus')) marks.firstByteAt = performance.now()
			yield ev
		}
	}

	openStream(ctx: StreamContext): UplinkStream | undefined {
		return this.inner.openStream?.(ctx)
	}

	needsPcm(turn: PcmQuestion): boolean {
		return this.inner.needsPcm?.(turn) ?? true
	}

	prepare(ctx: PrepareContext): void {
		this.inner.prepare?.(ctx)
	}

	close(): Promise<void> {
		return this.inner.close?.() ?? Promise.resolve()
	}
}
