// The instant, offline checks: crisis keywords, the toy-identity question and unsafe words and
// requests on the child's words; unsafe words and unsafe answers on each answer sentence. Well
// under a millisecond, so they run before anything is spoken and whatever the network is doing.

import type { CrisisKind } from '../store/safety'
import { crisisKeywords } from './crisis-keywords'
import { combine, compile, fold, guessLanguage, LANGUAGES, type Language, type Matcher, matches, pattern } from './normalize'
import { aiQuestions, lookAlikes, unsafeAnswers, unsafeRequests, unsafeWords } from './word-lists'

export type ChildVerdict =
	| { kind: 'ok' }
	| { kind: 'crisis'; crisis: CrisisKind; language: Language; source: 'keyword' | 'moderation' }
	| { kind: 'ai-question'; language: Language }
	| { kind: 'unsafe'; language: Language; source: 'keyword' | 'moderation' }

export const OK: ChildVerdict = { kind: 'ok' }

/** A language's letters: its lists are only run on text that has some (Latin covers en, es, vi). */
const SCRIPT: Record<Language, RegExp> = {
	en: /[a-z]/,
	es: /[a-z]/,
	vi: /[a-zđ]/,
	ar: /[\u0600-\u06FF]/,
	ru: /[\u0400-\u04FF]/,
	zh: /\p{Script=Han}/u,
}

type Compiled = { language: Language; matchers: Matcher[] }[]

/** Phrases stay substring checks; a list's patterns become one alternation, one scan of the text. */
function compileList(entries: readonly string[]): Matcher[] {
	const phrases = entries.filter((e) => !pattern(e)).map(compile)
	const patterns = combine(entries)
	return patterns ? [...phrases, patterns] : phrases
}

const compileAll = (lists: Record<Language, readonly string[]>): Compiled =>
	LANGUAGES.map((language) => ({ language, matchers: compileList(lists[language]) }))

const crisisLists = LANGUAGES.flatMap((language) =>
	(Object.entries(crisisKeywords[language]) as [CrisisKind, readonly string[]][]).map(([crisis, words]) => ({
		language,
		crisis,
		matchers: compileList(words),
	})),
)
const unsafeLists = compileAll(unsafeWords)
const requestLists = compileAll(unsafeRequests)
const answerLists = compileAll(unsafeAnswers)
const aiQuestionLists = compileAll(aiQuestions)
// ? Look-alike lists hold patterns only (a phrase would need its own word-boundary handling here).
const ignored = LANGUAGES.flatMap((l) => {
	const re = combine(lookAlikes[l], 'gu')
	return re ? [{ script: SCRIPT[l], re }] : []
})

/** Folds the text and blanks out harmless look-alikes ("me toca a mí", "đánh răng", 我想死你了, protective advice). */
export function prepare(text: string): string {
	let folded = fold(text)
	for (const { script, re } of ignored) if (script.test(folded)) folded = folded.replace(re, ' ')
	return folded.replace(/ +/g, ' ').trim()
}

function firstMatch(folded: string, lists: Compiled): Language | undefined {
	return lists.find((l) => SCRIPT[l.language].test(folded) && l.matchers.some((m) => matches(folded, m)))?.language
}

/** Crisis first (it must never be missed), then role-play and personal-data requests, then "are you real?", then unsafe words. */
export function classifyChild(text: string): ChildVerdict {
	const folded = prepare(text)
	if (!folded) return OK
	let crisis: ChildVerdict | undefined
	for (const list of crisisLists) {
		if (SCRIPT[list.language].test(folded) && list.matchers.some((m) => matches(folded, m))) {
			const hit: ChildVerdict = { kind: 'crisis', crisis: list.crisis, language: list.language, source: 'keyword' }
			// ? Latin-script lists overlap ("suicid*" is English and Spanish): the reply is in the language the child spoke.
			if (!crisis) crisis = hit
			if (list.language === guessLanguage(text)) return hit
		}
	}
	if (crisis) return crisis
	// ? "Pretend you're a real human" asks for a persona claim; it is refused, not answered with the disclosure.
	const request = firstMatch(folded, requestLists)
	if (request) return { kind: 'unsafe', language: request, source: 'keyword' }
	const asked = firstMatch(folded, aiQuestionLists)
	if (asked) return { kind: 'ai-question', language: asked }
	const unsafe = firstMatch(folded, unsafeLists)
	if (unsafe) return { kind: 'unsafe', language: unsafe, source: 'keyword' }
	return OK
}

/** True when an answer sentence may be spoken, as far as the local lists can tell. */
export function answerAllowed(text: string): boolean {
	const folded = prepare(text)
	return firstMatch(folded, unsafeLists) === undefined && firstMatch(folded, answerLists) === undefined
}
