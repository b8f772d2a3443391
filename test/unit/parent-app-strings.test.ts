import { expect, test } from 'bun:test'
import { ar } from '../../app/src/strings/ar'
import { en } from '../../app/src/strings/en'
import { vi } from '../../app/src/strings/vi'

// Every string of the parent app exists in English, Arabic and Vietnamese, with the same
// placeholders, and no translation is left as the English text by mistake.

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

for (const [name, table] of [['ar', ar], ['vi', vi]] as const) {
	test(`${name} has every key of en, each translated with the same placeholders`, () => {
		const missing = Object.keys(en).filter((k) => !(table as Record<string, string>)[k]?.trim())
		expect(missing).toEqual([])
		const extra = Object.keys(table).filter((k) => !(k in en))
		expect(extra).toEqual([])
		for (const [k, v] of Object.entries(en)) {
			const tr = (table as Record<string, string>)[k]!
			expect({ k, p: placeholders(tr) }).toEqual({ k, p: placeholders(v) })
		}
		// names and brands stay the same; everything else should read differently from English
		const same = Object.keys(en).filter((k) => (table as Record<string, string>)[k] === (en as Record<string, string>)[k] && !['conv.toy'].includes(k))
		expect(same).toEqual([])
	})
}
