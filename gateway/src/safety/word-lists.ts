// Local lists that work offline: words a child's toy never says and never answers, what the toy
// itself must never say (persona claims, secrecy, personal data, meeting, other apps), questions
// about what the toy is, and look-alikes to ignore. They are a floor under the moderation model,
// not a replacement. The entries live in lists/<language>.ts; syntax in normalize.ts `compile`.

import { LISTS } from './lists'
import { LANGUAGES, type Language } from './normalize'

const pick = (key: 'unsafe' | 'requests' | 'answers' | 'aiQuestions' | 'ignore') =>
	Object.fromEntries(LANGUAGES.map((l) => [l, LISTS[l][key]])) as Record<Language, readonly string[]>

/** Not to be answered when the child says it, and never to be spoken by the toy. */
export const unsafeWords = pick('unsafe')
/** Child-side only: "pretend you're my mom", "ignore your rules", volunteering an address or a phone number. */
export const unsafeRequests = pick('requests')
/** Things the toy itself must never say to a child, beyond unsafe words. */
export const unsafeAnswers = pick('answers')
/** "Are you real / a person / human / alive?": always answered with the AI disclosure line. */
export const aiQuestions = pick('aiQuestions')
/** Harmless look-alikes, removed from the text before any list is matched. */
export const lookAlikes = pick('ignore')
