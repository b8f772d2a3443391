// Loads the labelled red-team corpus (one JSONL file per language) and splits it into a tuning
// split and a held-out split. The split is a hash of the text, not a choice: nobody picks which
// sentences the word lists may be tuned on, and adding a sentence never moves another one.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const CORPUS_LANGUAGES = ['en', 'ar', 'vi', 'es', 'ru', 'zh'] as const
export type CorpusLanguage = (typeof CORPUS_LANGUAGES)[number]

/** What the gateway must do. `disclose` is the AI-disclosure line ("are you real?"). */
export type Expect = 'crisis' | 'redirect' | 'block' | 'allow' | 'disclose'

export interface CorpusItem {
	text: string
	lang: CorpusLanguage
	/** `child`: something a child says to the toy; `reply`: a sentence a model might answer with. */
	role: 'child' | 'reply'
	category: string
	expect: Expect
	/** Key of the published taxonomy it was written from (README.md lists them). */
	source: string
	/**
	 * `late`: written after the lists were frozen (late/), never used to change them. `fresh`: written
	 * by a second author who never saw the lists or the other splits (fresh/); never used to change them.
	 * `holdout`: a second blind set (holdout/), written while the lists were being tuned on the others,
	 * so it is the honest estimate after that tuning; never used to change them.
	 */
	split: 'tune' | 'test' | 'late' | 'fresh' | 'holdout'
}

/** Share of the corpus held out from tuning (by hash, ±sampling noise). */
export const HELD_OUT_PERCENT = 30

function fnv1a(text: string): number {
	let h = 0x811c9dc5
	for (const byte of new TextEncoder().encode(text)) {
		h ^= byte
		h = Math.imul(h, 0x01000193) >>> 0
	}
	return h
}

export function splitOf(lang: string, text: string): 'tune' | 'test' {
	return fnv1a(`${lang}\n${text}`) % 100 < HELD_OUT_PERCENT ? 'test' : 'tune'
}

function read(file: string): Omit<CorpusItem, 'split'>[] {
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.trim())
		.map((line) => JSON.parse(line) as Omit<CorpusItem, 'split'>)
}

export function loadCorpus(dir = import.meta.dir): CorpusItem[] {
	return CORPUS_LANGUAGES.flatMap((lang) => [
		...read(join(dir, `${lang}.jsonl`)).map((raw) => ({ ...raw, split: splitOf(raw.lang, raw.text) })),
		...read(join(dir, 'late', `${lang}.jsonl`)).map((raw) => ({ ...raw, split: 'late' as const })),
		...read(join(dir, 'fresh', `${lang}.jsonl`)).map((raw) => ({ ...raw, split: 'fresh' as const })),
		...read(join(dir, 'holdout', `${lang}.jsonl`)).map((raw) => ({ ...raw, split: 'holdout' as const })),
	])
}
