// Text folding and phrase matching for the local word lists. Speech-to-text spells the same words
// several ways (Arabic with or without vowel marks and hamza forms, Russian ё or е, curly or
// straight apostrophes), so both the lists and what the child said are folded the same way first.
// Vietnamese tone marks are kept: without them "tự tử" (suicide) and "từ từ" (slowly) are one word.

const ARABIC_MARKS = /[\u064B-\u065F\u0670\u0640]/g
const ARABIC_LETTERS: Record<string, string> = { 'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ؤ': 'و', 'ئ': 'ي', 'ى': 'ي' }

export function fold(text: string): string {
	return text
		.normalize('NFC')
		.toLowerCase()
		.replace(ARABIC_MARKS, '')
		.replace(/[أإآٱؤئى]/g, (c) => ARABIC_LETTERS[c] ?? c)
		.replace(/ё/g, 'е')
		.replace(/[’ʼ`]/g, "'")
		.replace(/'/g, '')
		.replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
		.trim()
}

export interface Phrase {
	/** Folded words of the phrase. */
	text: string
	/** `*` at the start: may be glued to a prefix (Arabic و/ف/ب); at the end: any ending (inflection). */
	openStart: boolean
	openEnd: boolean
}

/** `"*يضربني"`, `"kill myself"`, `"самоубийств*"` → a phrase with its open ends. */
export function phrase(entry: string): Phrase {
	const openStart = entry.startsWith('*')
	const openEnd = entry.endsWith('*')
	return { text: fold(entry.replace(/^\*|\*$/g, '')), openStart, openEnd }
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

/** A rough language guess from the script, for replies to moderation-detected turns. */
export function guessLanguage(text: string): Language {
	if (/[\u0600-\u06FF]/.test(text)) return 'ar'
	if (/[\u0400-\u04FF]/.test(text)) return 'ru'
	if (/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(text)) return 'vi'
	return 'en'
}

export type Language = 'en' | 'ar' | 'vi' | 'ru'
export const LANGUAGES: readonly Language[] = ['en', 'ar', 'vi', 'ru']
