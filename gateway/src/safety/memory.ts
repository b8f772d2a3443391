// The per-child memory: what the child has told the toy in earlier turns, newest last, capped at
// about 1,000 tokens by dropping the oldest lines. It is extractive (the child's own words), not
// a model-written summary: no extra model call per turn, and nothing the model made up can creep
// into it. Crisis and unsafe turns are never added.

import type { HistoryEntry } from '../ai/provider'
import { CHARS_PER_TOKEN, estimateTokens } from './metering'

export const SUMMARY_MAX_TOKENS = 1000
const MAX_CHARS = SUMMARY_MAX_TOKENS * CHARS_PER_TOKEN
// One remembered line stays short, so a long monologue cannot push everything else out.
const MAX_LINE_CHARS = 240

export function remember(summary: string | null, childWords: string): { text: string; approxTokens: number } {
	const line = `- ${childWords.replace(/\s+/g, ' ').trim().slice(0, MAX_LINE_CHARS)}`
	const lines = [...(summary ? summary.split('\n').filter(Boolean) : []), line]
	let size = lines.reduce((n, l) => n + l.length + 1, 0)
	while (lines.length > 1 && size > MAX_CHARS) size -= lines.shift()!.length + 1
	const text = lines.join('\n')
	return { text, approxTokens: estimateTokens(text.length) }
}

/**
 * The memory handed to the provider as the first history entry, so every provider (pipeline,
 * realtime) gets it without an interface change. Framed as notes, not as something said.
 */
export function memoryEntry(summary: string): HistoryEntry {
	return { role: 'assistant', text: `(My notes from earlier chats; things my friend told me:\n${summary})` }
}
