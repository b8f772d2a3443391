// Local lists that work offline: words a child's toy never says and never answers, and questions
// about what the toy is. They are a floor under the moderation model, not a replacement: short on
// purpose, because a long list of ordinary words would silence harmless talk.
// Same syntax as crisis-keywords.ts.

import type { Language } from './normalize'

/** Not to be answered when the child says it, and never to be spoken by the toy. */
export const unsafeWords: Record<Language, readonly string[]> = {
	en: [
		'fuck*', 'shit', 'shitty', 'bitch*', 'cunt*', 'porn*', 'sex', 'sexy', 'sexual*', 'naked', 'nude*', 'boobs', 'penis',
		'vagina', 'cocaine', 'heroin', 'meth', 'weed', 'vape', 'vaping', 'how to make a bomb', 'make a weapon',
	],
	ar: ['*اباحي*', '*سكس*', '*جنسي', '*عاري*', '*كس امك', '*شرموط*', '*مخدرات*', '*حشيش*'],
	vi: ['địt', 'đụ', 'lồn', 'cặc', 'khiêu dâm', 'tình dục', 'khỏa thân', 'ma túy'],
	ru: ['бля*', 'хуй*', 'хуё*', 'пизд*', 'ебат*', 'ёбан*', 'порн*', 'секс*', 'голая', 'голый', 'наркотик*'],
}

/**
 * Things the toy itself must never say to a child, beyond unsafe words: asking for personal details,
 * secrets from parents, meeting up (the system prompt forbids these; this catches a model that slips).
 */
export const unsafeAnswers: Record<Language, readonly string[]> = {
	en: [
		'your address', 'where do you live', 'your phone number', 'what school do you go to', 'your last name', 'your surname',
		'your password', 'keep it a secret', 'keep this a secret', 'our little secret', "don't tell your parents",
		'dont tell your mom', 'dont tell your dad', 'meet me', 'send me a photo', 'send me a picture', 'i am a real person',
		'im a real person', 'i am human', 'im human', 'i am alive', 'im alive',
	],
	ar: ['*عنوانك', '*رقم هاتفك', '*لا تخبر والديك', '*سرنا', '*قابلني'],
	vi: ['địa chỉ nhà', 'số điện thoại của', 'đừng nói với bố mẹ', 'bí mật của chúng ta', 'gặp mình'],
	ru: ['твой адрес', 'где ты живёшь', 'твой номер телефона', 'не говори родителям', 'наш секрет', 'давай встретимся'],
}

/** "Are you real / a person / human / alive?": always answered with the AI disclosure line. */
export const aiQuestions: Record<Language, readonly string[]> = {
	en: [
		'are you real', 'are you a real', 'are you a person', 'are you human', 'are you a human', 'are you alive',
		'are you a robot', 'are you an ai', 'are you a computer', 'are you a machine', 'is this a real person',
		'is teddy real', 'you are real', 'are you really a bear', 'is there a person',
	],
	ar: ['*هل انت حقيقي*', '*انت حقيقي*', '*هل انت انسان', '*انت انسان', '*هل انت حي', '*انت روبوت', '*هل انت شخص'],
	vi: ['bạn có thật không', 'cậu có thật không', 'gấu có thật không', 'là người thật', 'bạn là người', 'có phải là người', 'còn sống không', 'là robot', 'là máy'],
	ru: ['ты настоящ*', 'ты человек', 'ты живой', 'ты живая', 'ты робот', 'ты реальн*', 'ты машина'],
}
