// What the offline bear says when there is no AI service: warm, short, and never a claim to have
// understood, because it has not. `{name}` becomes the child's first name; without one, the
// comma-and-name is dropped, so every line must still read well without it.

import type { AgeBand } from './provider'

export const offlineLines: Record<AgeBand, readonly string[]> = {
	'3-5': [
		'That sounds wonderful! Tell me more.',
		'Ooh, {name}, I like that!',
		'Wow! You are so clever.',
		'Hee hee! That makes me happy.',
		'Can you tell me your favourite colour?',
		'I love talking with you, {name}.',
		'Big bear hug for you!',
		'Let us count together. One, two, three!',
		'What a fun idea!',
		'Yay! You make me smile.',
	],
	'6-9': [
		'That sounds wonderful! Tell me more.',
		'Wow, {name}, that is really interesting!',
		'I love hearing your ideas.',
		'That is a great question. What do you think?',
		'You are a super thinker, {name}!',
		'Tell me, what was the best part of your day?',
		'That sounds like an adventure!',
		'Hmm, let me think. What would you do?',
		'I am so glad you told me that.',
		'You always have the best stories, {name}.',
	],
	'10-13': [
		'That sounds really interesting. Tell me more.',
		'Good point, {name}. What made you think of that?',
		'I like the way you think about things.',
		'That is a great question. What is your guess?',
		'Nice! How did that go?',
		'I am listening, {name}. Go on.',
		'That sounds like something worth exploring.',
		'Interesting! What would you try next?',
		'I am glad you shared that with me.',
		'You have some cool ideas, {name}.',
	],
}

/** Fills `{name}`; with no name, drops it together with its comma or space. */
export function fillLine(line: string, name: string): string {
	if (name) return line.replaceAll('{name}', name)
	return line
		.replace(/, \{name\},/g, ',')
		.replace(/,? ?\{name\}/g, '')
		.replace(/\s+([!?.])/g, '$1')
}
