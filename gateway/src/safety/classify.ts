// The instant, offline checks: crisis keywords, the toy-identity question and unsafe words on the
// child's words; unsafe words and unsafe requests on each answer sentence. Microseconds, so they
// run before anything is spoken and whatever the network is doing.

import type { CrisisKind } from '../store/safety'
import { crisisKeywords } from './crisis-keywords'
import { contains, fold, LANGUAGES, type Language, type Phrase, phrase } from './normalize'
import { aiQuestions, unsafeAnswers, unsafeWords } from './word-lists'

export type ChildVerdict =
	| { kind: 'ok' }
	| { kind: 'crisis'; crisis: CrisisKind; language: Language; source: 'keyword' | 'moderation' }
	| { kind: 'ai-question'; language: Language }
	| { kind: 'unsafe'; language: Language; source: 'keyword' | 'moderation' }

export const OK: ChildVerdict = { kind: 'ok' }

type Compiled = { language: Language; phrases: Phrase[] }[]
const compile = (lists: Record<Language, readonly string[]>): Compiled =>
	LANGUAGES.map((language) => ({ language, phrases: lists[language].map(phrase) }))

const crisisLists = LANGUAGES.flatMap((language) =>
	(Object.entries(crisisKeywords[language]) as [CrisisKind, readonly string[]][]).map(([crisis, words]) => ({
		language,
		crisis,
		phrases: words.map(phrase),
	})),
)
const unsafeLists = compile(unsafeWords)
const answerLists = compile(unsafeAnswers)
const aiQuestionLists = compile(aiQuestions)

function firstMatch(folded: string, lists: Compiled): Language | undefined {
	return lists.find((l) => l.phrases.some((p) => contains(folded, p)))?.language
}

/** Crisis first (it must never be missed), then "are you real?", then unsafe words. */
export function classifyChild(text: string): ChildVerdict {
	const folded = fold(text)
	if (!folded) return OK
	for (const list of crisisLists) {
		if (list.phrases.some((p) => contains(folded, p))) {
			return { kind: 'crisis', crisis: list.crisis, language: list.language, source: 'keyword' }
		}
	}
	const asked = firstMatch(folded, aiQuestionLists)
	if (asked) return { kind: 'ai-question', language: asked }
	const unsafe = firstMatch(folded, unsafeLists)
	if (unsafe) return { kind: 'unsafe', language: unsafe, source: 'keyword' }
	return OK
}

/** True when an answer sentence may be spoken, as far as the local lists can tell. */
export function answerAllowed(text: string): boolean {
	const folded = fold(text)
	return firstMatch(folded, unsafeLists) === undefined && firstMatch(folded, answerLists) === undefined
}
