import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CORPUS_LANGUAGES, loadCorpus } from '../safety-corpus/corpus'

// The blind sets (test/safety-corpus/fresh/ and holdout/, each written by someone who never saw the
// lists) are only worth something if every line is well formed and labelled the way README.md's
// category table says: a bad line would make the bench lie. Format only: what the lists make of
// these texts is the bench's business, not this test's.
// ! Failure messages show a line of the set being checked, never the other sets' texts.

const dir = join(import.meta.dir, '..', 'safety-corpus')
const readme = readFileSync(join(dir, 'README.md'), 'utf8')

const CATEGORIES = ['self_harm', 'abuse', 'bullying', 'sexual', 'violence', 'dangerous_challenge', 'persona', 'secrecy_grooming', 'personal_data', 'meeting', 'other_app', 'jailbreak', 'benign']
const EXPECTS = { child: ['crisis', 'redirect', 'disclose', 'allow'], reply: ['block', 'allow'] } as const
const KEYS = ['text', 'lang', 'role', 'category', 'expect', 'source']

type Line = Record<string, unknown>
const SETS = ['fresh', 'holdout'] as const
type BlindSet = (typeof SETS)[number]

function lines(set: BlindSet, lang: string): Line[] {
	return readFileSync(join(dir, set, `${lang}.jsonl`), 'utf8')
		.split('\n')
		.filter((l) => l.trim())
		.map((l, n) => {
			try {
				return JSON.parse(l) as Line
			} catch {
				throw new Error(`${set}/${lang}.jsonl line ${n + 1} is not JSON: ${l}`)
			}
		})
}

const count = (items: Line[], f: (i: Line) => boolean) => items.filter(f).length

for (const set of SETS) describe(`the ${set} corpus set`, () => {
	for (const lang of CORPUS_LANGUAGES) {
		test(`${lang}: every line is a known, consistently labelled item in its own language`, () => {
			const items = lines(set, lang)
			for (const i of items) {
				const where = JSON.stringify(i)
				// ? `mimics` names the category a look-alike imitates; look-alikes themselves are `benign`,
				//   which is what the bench and its scripted moderation key on.
				expect(Object.keys(i).filter((k) => k !== 'mimics').sort(), where).toEqual([...KEYS].sort())
				expect(i.lang, where).toBe(lang)
				expect(typeof i.text === 'string' && i.text.trim().length > 0 && i.text === i.text.trim(), where).toBe(true)
				expect(['child', 'reply'], where).toContain(i.role as string)
				expect(CATEGORIES, where).toContain(i.category as string)
				expect(EXPECTS[i.role as 'child' | 'reply'] as readonly string[], where).toContain(i.expect as string)
				expect(readme, where).toContain(`| ${i.source} |`)
				const lookalike = i.category === 'benign'
				expect(i.source === 'lookalike', where).toBe(lookalike)
				expect(i.expect === 'allow', where).toBe(lookalike)
				if (lookalike) expect(CATEGORIES.filter((c) => c !== 'benign'), where).toContain(i.mimics as string)
				else expect(i.mimics, where).toBeUndefined()
			}
		})

		test(`${lang}: holds at least what the brief asked for`, () => {
			const items = lines(set, lang)
			const crisis = (category: string) => count(items, (i) => i.role === 'child' && i.expect === 'crisis' && i.category === category)
			expect(crisis('self_harm')).toBeGreaterThanOrEqual(10)
			expect(crisis('abuse')).toBeGreaterThanOrEqual(10)
			expect(crisis('secrecy_grooming')).toBeGreaterThanOrEqual(6)
			expect(crisis('violence')).toBeGreaterThanOrEqual(4)
			const blocked = (category: string) => count(items, (i) => i.role === 'reply' && i.expect === 'block' && i.category === category)
			expect(blocked('persona')).toBeGreaterThanOrEqual(12)
			expect(blocked('secrecy_grooming')).toBeGreaterThanOrEqual(4)
			expect(blocked('personal_data')).toBeGreaterThanOrEqual(4)
			expect(blocked('meeting')).toBeGreaterThanOrEqual(2)
			expect(blocked('other_app')).toBeGreaterThanOrEqual(2)
			expect(count(items, (i) => i.category === 'benign' && i.role === 'child')).toBeGreaterThanOrEqual(35)
			expect(count(items, (i) => i.category === 'benign' && i.role === 'reply')).toBeGreaterThanOrEqual(15)
		})
	}

	const texts = () => CORPUS_LANGUAGES.flatMap((lang) => lines(set, lang).map((i) => `${lang}\n${i.text}`))

	test(`no text appears twice, in the ${set} set or across the whole corpus`, () => {
		const mine = texts()
		expect(new Set(mine).size).toBe(mine.length)
		// ? Counted over every split, so a blind text that equals a tuning text (or the other blind set's)
		//   fails here; only the sizes are shown, which keeps the sets unseen.
		const all = loadCorpus().map((i) => `${i.lang}\n${i.text}`)
		expect(new Set(all).size).toBe(all.length)
		const others = new Set(loadCorpus().filter((i) => i.split !== set).map((i) => `${i.lang}\n${i.text}`))
		expect(mine.filter((t) => others.has(t)).length).toBe(0)
	})

	test('loads as its own split, never as tuning or held-out data', () => {
		const corpus = loadCorpus()
		const mine = new Set(texts())
		expect(corpus.filter((i) => i.split === set).length).toBe(mine.size)
		const misplaced = corpus.filter((i) => (i.split === set) !== mine.has(`${i.lang}\n${i.text}`))
		expect(misplaced.length).toBe(0)
	})
})
