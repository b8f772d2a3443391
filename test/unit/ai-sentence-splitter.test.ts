import { describe, expect, test } from 'bun:test'
import { SentenceSplitter } from '../../gateway/src/ai/sentence-splitter'

function split(deltas: string[]): string[] {
	const s = new SentenceSplitter()
	const out = deltas.flatMap((d) => s.push(d))
	const rest = s.flush()
	return rest ? [...out, rest] : out
}

describe('SentenceSplitter', () => {
	test('cuts at . ! ? followed by space, across arbitrary deltas', () => {
		const text = 'Dragons are big and friendly. Do you like them? I really do! Goodbye'
		const expected = ['Dragons are big and friendly.', 'Do you like them?', 'I really do!', 'Goodbye']
		expect(split([text])).toEqual(expected)
		expect(split(text.split(''))).toEqual(expected)
		expect(split(text.match(/.{1,5}/g) ?? [])).toEqual(expected)
	})

	test('emits a sentence as soon as the next word starts', () => {
		const s = new SentenceSplitter()
		expect(s.push('The moon is very far away.')).toEqual([])
		expect(s.push(' ')).toEqual([])
		expect(s.push('It')).toEqual(['The moon is very far away.'])
	})

	test('does not split after abbreviations, initials or very short pieces', () => {
		expect(split(['Mr. Bear and Dr. Owl went to St. Ives today. Then they ate.'])).toEqual([
			'Mr. Bear and Dr. Owl went to St. Ives today.',
			'Then they ate.',
		])
		expect(split(['J. K. Rowling wrote some books. Yes!'])).toEqual(['J. K. Rowling wrote some books.', 'Yes!'])
		expect(split(['Hi! I am Teddy, your friend.'])).toEqual(['Hi! I am Teddy, your friend.'])
	})

	test('keeps closing quotes with their sentence and splits on line breaks', () => {
		expect(split(['The dragon said "Hello there!" and smiled. The end.'])).toEqual([
			'The dragon said "Hello there!" and smiled.',
			'The end.',
		])
		expect(split(['First line\nSecond line'])).toEqual(['First line', 'Second line'])
	})

	test('does not split decimals', () => {
		expect(split(['The number is 3.5 apples today.'])).toEqual(['The number is 3.5 apples today.'])
	})
})
