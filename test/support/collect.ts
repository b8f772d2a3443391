import type { ProviderEvent } from '../../gateway/src/ai/provider'

/** Drains a provider's answer into an array, for assertions on the whole turn. */
export async function collect(events: AsyncIterable<ProviderEvent>): Promise<ProviderEvent[]> {
	const out: ProviderEvent[] = []
	for await (const e of events) out.push(e)
	return out
}
