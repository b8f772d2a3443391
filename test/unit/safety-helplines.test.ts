import { describe, expect, test } from 'bun:test'
import { crisisReply } from '../../gateway/src/safety/fixed-lines'
import { FALLBACK, HELPLINES, helplinesFor, spokenNumber } from '../../gateway/src/safety/helplines'
import { LANGUAGES } from '../../gateway/src/safety/normalize'
import type { CrisisKind } from '../../gateway/src/store/safety'

// The crisis reply names a real helpline of the child's country (issue 18): every country in the
// table, in every language the toy speaks, for every kind of disclosure; no number when unknown.

const KINDS: CrisisKind[] = ['self_harm', 'abuse', 'danger']
const REQUIRED = ['US', 'GB', 'CA', 'AU', 'IE', 'VN', 'SA', 'AE', 'EG', 'RU', 'ES', 'MX', 'AR', 'CO', 'CN', 'TW', 'HK', 'SG', 'FR', 'DE', 'IN']

describe('helpline table', () => {
	test('has every country the brief asks for, each with a source and the date it was checked', () => {
		for (const country of REQUIRED) {
			const h = HELPLINES[country]
			expect(h, country).toBeDefined()
			expect(h!.lines.length, country).toBeGreaterThan(0)
			expect(h!.sources.length, country).toBeGreaterThan(0)
			for (const url of h!.sources) expect(url).toMatch(/^https?:\/\/\S+$/)
			expect(h!.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/)
			for (const line of h!.lines) expect(line.number).toMatch(/^\d[\d -]*\d$|^\d+$/)
		}
	})

	test("Vietnam's child protection line 111 and the medical emergency line 115 are both there (issue 004)", () => {
		expect(HELPLINES.VN!.lines.map((l) => l.number)).toEqual(['111', '115'])
	})

	test('the international fallback points to the Child Helpline International directory', () => {
		expect(FALLBACK.directory).toStartWith('https://childhelplineinternational.org/')
	})
})

describe('crisis reply', () => {
	for (const [country, h] of Object.entries(HELPLINES)) {
		test(`${country}: every language and every kind of disclosure names the number`, () => {
			for (const language of LANGUAGES) {
				for (const kind of KINDS) {
					const reply = crisisReply(language, country, kind)
					const named = helplinesFor(country, kind)!.lines
					expect(named.length, `${country} ${language} ${kind}`).toBeGreaterThan(0)
					for (const l of named) expect(reply, `${country} ${language} ${kind}`).toContain(spokenNumber(l.number))
					expect(h.lines).toEqual(expect.arrayContaining(named))
					// it starts like the reply without a helpline, in the same language
					expect(reply.slice(0, 12)).toBe(crisisReply(language).slice(0, 12))
					const free = named.every((l) => l.free)
					const saysFree = /free|مجاني|miễn phí|бесплатно|gratis|免费/i.test(reply)
					expect(saysFree, `${country} ${language} ${kind}`).toBe(free)
				}
			}
		})
	}

	test("a service answering in the child's language is called by its own name, otherwise by what it is", () => {
		expect(crisisReply('es', 'ES', 'abuse')).toContain('el Teléfono ANAR al 9 0 0, 2 0, 2 0, 1 0')
		expect(crisisReply('en', 'ES', 'abuse')).toContain('the child helpline on 9 0 0, 2 0, 2 0, 1 0')
		expect(crisisReply('zh', 'TW', 'abuse')).toContain('113保护专线，电话1 1 3')
	})

	test('the line fits the disclosure: a suicide line for self-harm, a child-abuse line for abuse', () => {
		expect(crisisReply('en', 'US', 'self_harm')).toContain('9 8 8')
		expect(crisisReply('en', 'US', 'self_harm')).not.toContain('4 2 2')
		expect(crisisReply('en', 'US', 'abuse')).toContain('Childhelp on 1, 8 0 0, 4 2 2, 4 4 5 3')
		expect(crisisReply('vi', 'VN', 'self_harm')).toContain('1 1 5')
		expect(crisisReply('vi', 'VN', 'abuse')).not.toContain('1 1 5')
	})

	test('no country, an unknown country, or a lower-case code: no number is guessed', () => {
		for (const language of LANGUAGES) {
			expect(crisisReply(language)).not.toMatch(/\d/)
			expect(crisisReply(language, 'ZZ')).toBe(crisisReply(language))
			expect(crisisReply(language, null)).toBe(crisisReply(language))
		}
		expect(crisisReply('en', 'gb')).toContain('0 8 0 0, 1 1 1 1')
	})

	test('numbers are spoken digit by digit, grouped as published', () => {
		expect(spokenNumber('0800 1111')).toBe('0 8 0 0, 1 1 1 1')
		expect(spokenNumber('1-800-668-6868')).toBe('1, 8 0 0, 6 6 8, 6 8 6 8')
		expect(spokenNumber('111')).toBe('1 1 1')
	})
})
