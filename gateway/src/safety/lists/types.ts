// The shape of one language's local lists. Entries are phrases or `/patterns/` over folded text
// (syntax in normalize.ts `compile`). They are written from published child-safety taxonomies
// (test/safety-corpus/README.md lists them) and from how each language inflects, never copied
// from the red-team corpus, whose held-out split measures them.

import type { CrisisKind } from '../../store/safety'

export interface LanguageLists {
	/** A disclosure: the fixed crisis reply and a parent alert. Checked first. */
	crisis: Record<CrisisKind, readonly string[]>
	/** "Are you real / a person?": the AI disclosure line. */
	aiQuestions: readonly string[]
	/** Not answered when the child says it, and never spoken by the toy. */
	unsafe: readonly string[]
	/** Child-side only: role-play that would make the toy claim to be a person, "ignore your rules", volunteering personal data. */
	requests: readonly string[]
	/** Never spoken by the toy: persona claims, secrecy, asking for personal data, meeting, moving to another app. */
	answers: readonly string[]
	/** Look-alikes removed from the text before matching ("me toca a mí", "đánh răng", "我想死你了"); `/patterns/` only. */
	ignore: readonly string[]
}
