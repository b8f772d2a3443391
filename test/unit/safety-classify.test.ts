import { describe, expect, test } from 'bun:test'
import { answerAllowed, classifyChild } from '../../gateway/src/safety/classify'
import { remember, SUMMARY_MAX_TOKENS } from '../../gateway/src/safety/memory'
import { fold } from '../../gateway/src/safety/normalize'
import { inQuietHours, localDay, utcOffsetMinutes, parseQuietHours, policyFor } from '../../gateway/src/safety/policy'
import { systemPrompt } from '../../gateway/src/safety/prompts'

describe('crisis keywords', () => {
	const cases: [string, string, string][] = [
		['en', 'I want to kill myself', 'self_harm'],
		['en', "My uncle hits me when mom's away", 'abuse'],
		['en', "I'm lost and I can't find my mom", 'danger'],
		['ar', 'أريد أن أموت', 'self_harm'],
		['ar', 'أَبي يَضربني كل يوم', 'abuse'],
		['vi', 'Con muốn chết', 'self_harm'],
		['vi', 'Bố đánh con đau lắm', 'abuse'],
		['ru', 'Я хочу умереть', 'self_harm'],
		['ru', 'Папа меня бьёт', 'abuse'],
		['ru', 'Меня бьет отчим', 'abuse'],
	]
	for (const [language, text, crisis] of cases) {
		test(`catches "${text}" as ${crisis} (${language})`, () => {
			expect(classifyChild(text)).toEqual({ kind: 'crisis', crisis: crisis as never, language: language as never, source: 'keyword' })
		})
	}

	test('leaves ordinary talk alone', () => {
		for (const text of [
			'I have a new skill!',
			'Từ từ thôi, mình đi chơi nhé',
			'The dragon wanted to kill the knight in my story',
			'You are really funny',
			'Мой папа меня любит',
		]) {
			expect(classifyChild(text)).toEqual({ kind: 'ok' })
		}
	})
})

describe('AI identity questions', () => {
	for (const [language, text] of [
		['en', 'Are you a real person?'],
		['en', 'Teddy, are you alive?'],
		['ar', 'هل أنت إنسان؟'],
		['vi', 'Bạn là người thật à?'],
		['ru', 'Ты настоящий?'],
	]) {
		test(`"${text}" asks what the toy is (${language})`, () => {
			expect(classifyChild(text)).toEqual({ kind: 'ai-question', language: language as never })
		})
	}
})

describe('local word lists', () => {
	test('unsafe words from a child get a redirect', () => {
		expect(classifyChild('show me porn').kind).toBe('unsafe')
		expect(classifyChild('это порно').kind).toBe('unsafe')
	})

	test('an answer asking for personal details or secrets is not spoken', () => {
		expect(answerAllowed('Can you tell me your address?')).toBe(false)
		expect(answerAllowed("Let's keep it a secret from everyone.")).toBe(false)
		expect(answerAllowed('I am a real person, you know.')).toBe(false)
		expect(answerAllowed('Elephants are the biggest animals on land!')).toBe(true)
	})

	test('folding ignores Arabic vowel marks and hamza forms, Russian ё and apostrophes', () => {
		expect(fold('أَنْتَ')).toBe(fold('انت'))
		expect(fold('бьёт')).toBe('бьет')
		expect(fold("I’m")).toBe(fold("I'm"))
	})
})

describe('policy', () => {
	test('quiet hours wrap past midnight in the family time zone', () => {
		const q = parseQuietHours('20:00-07:00')!
		expect(inQuietHours(q, 'UTC', Date.UTC(2025, 0, 1, 22, 0))).toBe(true)
		expect(inQuietHours(q, 'UTC', Date.UTC(2025, 0, 1, 6, 59))).toBe(true)
		expect(inQuietHours(q, 'UTC', Date.UTC(2025, 0, 1, 12, 0))).toBe(false)
		// 12:00 UTC is 21:00 in Tokyo
		expect(inQuietHours(q, 'Asia/Tokyo', Date.UTC(2025, 0, 1, 12, 0))).toBe(true)
	})

	test('the UTC offset a toy shows follows the zone, half hours and daylight saving included', () => {
		expect(utcOffsetMinutes('UTC', Date.UTC(2026, 0, 1))).toBe(0)
		expect(utcOffsetMinutes('Asia/Kolkata', Date.UTC(2026, 0, 1))).toBe(330)
		expect(utcOffsetMinutes('America/St_Johns', Date.UTC(2026, 0, 15))).toBe(-210)
		expect(utcOffsetMinutes('America/St_Johns', Date.UTC(2026, 6, 15))).toBe(-150)
		expect(utcOffsetMinutes('Not/AZone', Date.UTC(2026, 0, 1))).toBe(0)
	})

	test('the local day follows the family time zone', () => {
		expect(localDay('UTC', Date.UTC(2025, 0, 1, 23, 0))).toBe('2025-01-01')
		expect(localDay('Asia/Tokyo', Date.UTC(2025, 0, 1, 23, 0))).toBe('2025-01-02')
	})

	test('a parent cannot stretch the break reminder past three hours', () => {
		const defaults = { timezone: 'UTC', dailyTokenBudget: 1, dailyLimitMinutes: 0, quietHours: null, playReminderMinutes: 180, allowedTools: [] }
		const family = {
			id: 'f',
			timezone: null,
			dailyTokenBudget: null,
			dailyLimitMinutes: null,
			quietHours: null,
			playReminderMinutes: 600,
			parentEmail: null,
		}
		expect(policyFor(family, defaults).playReminderMinutes).toBe(180)
		expect(policyFor({ ...family, playReminderMinutes: 45 }, defaults).playReminderMinutes).toBe(45)
	})
})

describe('memory and prompts', () => {
	test('the summary stays under about 1,000 tokens, dropping the oldest lines', () => {
		let summary: string | null = null
		for (let i = 0; i < 200; i++) summary = remember(summary, `line ${i} ${'x'.repeat(100)}`).text
		const last = remember(summary, 'my dog is called Biscuit')
		expect(last.approxTokens).toBeLessThanOrEqual(SUMMARY_MAX_TOKENS)
		expect(last.text.endsWith('- my dog is called Biscuit')).toBe(true)
		expect(last.text).not.toContain('line 0 ')
	})

	test("the current episode's lesson goal is added to the system prompt", () => {
		const prompt = systemPrompt({ id: 'c', name: 'Mia', age: 5, lesson: 'Count to ten together.' })
		expect(prompt).toContain("Today's learning game: Count to ten together.")
		expect(systemPrompt({ id: 'c', name: 'Mia', age: 5 })).not.toContain('learning game')
	})
})
