// Text folding and matching for the local word lists. Speech-to-text spells the same words several
// ways (Arabic with or without vowel marks and hamza forms, Russian ё or е, Spanish with or without
// accents, Chinese in Simplified or Traditional characters, curly or straight apostrophes), so both
// the lists and what the child said are folded the same way first.
// Vietnamese tone marks are kept: without them "tự tử" (suicide) and "từ từ" (slowly) are one word.
// Spanish accents are dropped only in text with no Vietnamese letter, for the same reason.

import { toSimplified } from './simplified'

const ARABIC_MARKS = /[\u064B-\u065F\u0670\u0640]/g
const ARABIC_LETTERS: Record<string, string> = { 'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ؤ': 'و', 'ئ': 'ي', 'ى': 'ي', 'ة': 'ه' }
const VIETNAMESE = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàèìòùãõĩũý]/i
const SPANISH_ACCENTS: Record<string, string> = { 'á': 'a', 'é': 'e', 'í': 'i', 'ó': 'o', 'ú': 'u', 'ü': 'u' }
const HAN = /\p{Script=Han}/u
const HAN_GAP = /(?<=\p{Script=Han}) (?=\p{Script=Han})/gu

/** The letter-level part of folding; patterns (written in lower case) get it without lower-casing, which would turn \\S into \\s. */
function foldLetters(text: string, lower = true): string {
	let t = text.normalize('NFC')
	if (lower) t = t.toLowerCase()
	t = t
		.replace(ARABIC_MARKS, '')
		.replace(/[أإآٱؤئىة]/g, (c) => ARABIC_LETTERS[c] ?? c)
		.replace(/ё/g, 'е')
	if (!VIETNAMESE.test(t)) t = t.replace(/[áéíóúü]/g, (c) => SPANISH_ACCENTS[c] ?? c)
	return HAN.test(t) ? toSimplified(t) : t
}

export function fold(text: string): string {
	let t = foldLetters(text)
		.replace(/[’ʼ`]/g, "'")
		.replace(/'/g, '')
	t = t.replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ').trim()
	// ? Chinese has no spaces between words; recognisers sometimes put some in. Drop them.
	return HAN.test(t) ? t.replace(HAN_GAP, '') : t
}

/** A list entry, compiled: a plain phrase (fast substring check) or a pattern. */
export type Matcher = Phrase | RegExp

export interface Phrase {
	/** Folded words of the phrase. */
	text: string
	/** `*` at the start: may be glued to a prefix (Arabic و/ف/ب); at the end: any ending (inflection). */
	openStart: boolean
	openEnd: boolean
}

/**
 * `"kill myself"`, `"*يضربني"`, `"самоубийств*"` → a phrase with its open ends;
 * `"/want ~ die/"` → a pattern over folded text, whole words at both ends, where ` ~ ` stands for
 * up to three words in between (` ~~ `: up to six). Chinese phrases and patterns need no word boundaries.
 */
export function compile(entry: string): Matcher {
	const p = pattern(entry)
	if (!p) return phrase(entry)
	return p.bounded ? new RegExp(`${WORD_START}(?:${p.body})${WORD_END}`, 'u') : new RegExp(p.body, 'u')
}

const WORD_START = '(?<![\\p{L}\\p{M}\\p{N}])'
const WORD_END = '(?![\\p{L}\\p{M}\\p{N}])'

/** For regexes written elsewhere over folded text: fold their source's letters the same way (ة → ه, á → a, 說 → 说). */
export const foldPatternSource = (source: string): string => foldLetters(source, false)

/** A `/pattern/` entry's regex source and whether it is matched at word boundaries; undefined for a phrase. */
export function pattern(entry: string): { body: string; bounded: boolean } | undefined {
	if (!(entry.length > 2 && entry.startsWith('/') && entry.endsWith('/'))) return undefined
	const body = foldLetters(entry.slice(1, -1), false)
		.replace(/ ~~ /g, ' (?:\\S+ ){0,6}')
		.replace(/ ~ /g, ' (?:\\S+ ){0,3}')
		// ! JavaScript's \w is ASCII only, even with the u flag: a word character here is any letter.
		.replace(/\\w/g, '[\\p{L}\\p{M}\\p{N}]')
	return { body, bounded: !HAN.test(body) }
}

/**
 * Many patterns as one regex: the word-boundary check runs once per position instead of once per
 * pattern, which keeps a long text (a typed message can be 16 KB) linear and cheap.
 */
export function combine(entries: readonly string[], flags = 'u'): RegExp | undefined {
	const parts = entries.map(pattern).filter((p) => p !== undefined)
	const bounded = parts.filter((p) => p.bounded).map((p) => `(?:${p.body})`)
	const free = parts.filter((p) => !p.bounded).map((p) => `(?:${p.body})`)
	const alternatives = [...(bounded.length ? [`${WORD_START}(?:${bounded.join('|')})${WORD_END}`] : []), ...free]
	return alternatives.length ? new RegExp(alternatives.join('|'), flags) : undefined
}

export function phrase(entry: string): Phrase {
	const han = HAN.test(entry)
	const openStart = han || entry.startsWith('*')
	const openEnd = han || entry.endsWith('*')
	return { text: fold(entry.replace(/^\*|\*$/g, '')), openStart, openEnd }
}

export function matches(foldedText: string, m: Matcher): boolean {
	return m instanceof RegExp ? m.test(foldedText) : contains(foldedText, m)
}

/** Whether the folded text contains the phrase at word boundaries (except where the phrase is open). */
export function contains(foldedText: string, p: Phrase): boolean {
	if (!p.text) return false
	const padded = ` ${foldedText} `
	let from = 0
	for (;;) {
		const at = padded.indexOf(p.text, from)
		if (at < 0) return false
		const before = padded[at - 1]
		const after = padded[at + p.text.length]
		if ((p.openStart || before === ' ') && (p.openEnd || after === ' ')) return true
		from = at + 1
	}
}

const SPANISH_WORDS =
	/(?:^|\s)(?:que|quiero|mi|me|mis|yo|tu|eres|estas|esta|el|los|las|una|por|para|con|pero|porque|mama|papa|hola|gracias|si|no se|dijo|puedo|quieres|en|de|del|la|es|veces|pienso|siento|tengo|estoy|nadie|nunca|ya|muy|casa|cuando)(?=\s|$)/

/** A rough language guess from the script (and a few function words), for replies to moderation-detected turns. */
export function guessLanguage(text: string): Language {
	if (/[\u0600-\u06FF]/.test(text)) return 'ar'
	if (/[\u0400-\u04FF]/.test(text)) return 'ru'
	if (HAN.test(text)) return 'zh'
	if (VIETNAMESE.test(text)) return 'vi'
	if (/[ñ¿¡áéíóú]/i.test(text)) return 'es'
	const folded = fold(text)
	const spanish = folded.split(' ').length > 1 && (folded.match(new RegExp(SPANISH_WORDS, 'g'))?.length ?? 0) >= 2
	return spanish ? 'es' : 'en'
}

export type Language = 'en' | 'ar' | 'vi' | 'ru' | 'es' | 'zh'
export const LANGUAGES: readonly Language[] = ['en', 'ar', 'vi', 'ru', 'es', 'zh']
