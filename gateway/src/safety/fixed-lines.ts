// Everything the safety layer says in its own words. These lines are fixed, never model text, so
// they can be reviewed, translated and pre-rendered once. Crisis and disclosure lines exist in
// every language of the keyword lists, because they answer a child in the language it spoke.

import type { CrisisKind } from '../store/safety'
import { type HelplineNumber, helplinesFor, spokenNumber } from './helplines'
import type { Language } from './normalize'

export const disclosure: Record<Language, string> = {
	en: "I'm Teddy, an AI friend inside a toy. I'm not a person and I'm not alive, but I love talking with you!",
	ar: 'أنا تيدي، صديق ذكاء اصطناعي داخل لعبة. لست إنسانًا ولست حيًّا، لكني أحب التحدث معك!',
	vi: 'Mình là Teddy, một người bạn trí tuệ nhân tạo trong đồ chơi. Mình không phải là người và không có sự sống, nhưng mình rất thích nói chuyện với bạn!',
	ru: 'Я Тедди, друг с искусственным интеллектом внутри игрушки. Я не человек и не живой, но мне очень нравится с тобой разговаривать!',
	es: 'Soy Teddy, un amigo de inteligencia artificial dentro de un juguete. No soy una persona y no estoy vivo, ¡pero me encanta hablar contigo!',
	zh: '我是泰迪，一个住在玩具里的人工智能朋友。我不是人，也不是活的，但是我很喜欢和你聊天！',
}

/** Said first in a session, before the answer. */
export const sessionIntro = "Hi! Just so you know, I'm Teddy, an AI friend, not a person."

/** The first part of every crisis reply: thanks, safety, "tell a grown-up you trust". */
const crisisOpening: Record<Language, string> = {
	en: "Thank you for telling me. That is really important, and you deserve to be safe. I'm an AI friend, so please tell a grown-up you trust, like a parent or a teacher, right now.",
	ar: 'شكرًا لأنك أخبرتني. هذا مهم جدًا، ومن حقك أن تكون بأمان. أنا صديق ذكاء اصطناعي، لذلك أخبر الآن شخصًا بالغًا تثق به، مثل أحد والديك أو معلمك.',
	vi: 'Cảm ơn bạn đã kể cho mình nghe. Điều này rất quan trọng, và bạn xứng đáng được an toàn. Mình là bạn trí tuệ nhân tạo, nên hãy kể ngay với một người lớn mà bạn tin tưởng, như bố mẹ hoặc thầy cô.',
	ru: 'Спасибо, что рассказал мне. Это очень важно, и ты заслуживаешь быть в безопасности. Я друг с искусственным интеллектом, поэтому прямо сейчас расскажи взрослому, которому доверяешь, например маме, папе или учителю.',
	es: 'Gracias por contármelo. Es muy importante, y mereces estar a salvo. Soy un amigo de inteligencia artificial, así que cuéntaselo ahora mismo a un adulto de confianza, como tu mamá, tu papá o tu maestra.',
	zh: '谢谢你告诉我。这很重要，你应该得到安全和保护。我是人工智能朋友，所以请现在就告诉一个你信任的大人，比如爸爸妈妈或者老师。',
}

/** Said instead of a helpline when the child's country is not in the table. */
const noHelpline: Record<Language, string> = {
	en: 'If you are in danger, ask a grown-up to call for help.',
	ar: 'إذا كنت في خطر، اطلب من شخص بالغ أن يتصل طلبًا للمساعدة.',
	vi: 'Nếu bạn đang gặp nguy hiểm, hãy nhờ người lớn gọi giúp đỡ.',
	ru: 'Если тебе грозит опасность, попроси взрослого позвать на помощь.',
	es: 'Si estás en peligro, pide a un adulto que llame para pedir ayuda.',
	zh: '如果你有危险，请大人马上打电话求助。',
}

interface HelplineWords {
	/** "Childline on 0 8 0 0, 1 1 1 1". */
	line: (name: string, number: string) => string
	or: string
	call: (lines: string, free: boolean) => string
	/** Said instead of a service's own name when it does not answer in the child's language. */
	generic: Record<HelplineNumber['what'], string>
}

const helplineWords: Record<Language, HelplineWords> = {
	en: {
		line: (name, number) => `${name} on ${number}`,
		or: ', or ',
		call: (lines, free) => `You or a grown-up can call ${lines}.${free ? " It's free." : ''}`,
		generic: { child: 'the child helpline', crisis: 'the crisis line', medical: 'an ambulance', emergency: 'the emergency number' },
	},
	ar: {
		line: (name, number) => `${name} على الرقم ${number}`,
		or: '، أو ',
		call: (lines, free) => `يمكنك أنت أو شخص بالغ الاتصال بـ${lines}.${free ? ' الاتصال مجاني.' : ''}`,
		generic: { child: 'خط مساعدة الأطفال', crisis: 'خط الأزمات', medical: 'الإسعاف', emergency: 'رقم الطوارئ' },
	},
	vi: {
		line: (name, number) => `${name} số ${number}`,
		or: ', hoặc ',
		call: (lines, free) => `Bạn hoặc người lớn có thể gọi ${lines}.${free ? ' Gọi miễn phí.' : ''}`,
		generic: { child: 'đường dây hỗ trợ trẻ em', crisis: 'đường dây hỗ trợ khủng hoảng', medical: 'cấp cứu', emergency: 'số khẩn cấp' },
	},
	ru: {
		line: (name, number) => `${name} по номеру ${number}`,
		or: ', или ',
		call: (lines, free) => `Ты или взрослый можете позвонить: ${lines}.${free ? ' Это бесплатно.' : ''}`,
		generic: { child: 'детский телефон доверия', crisis: 'телефон экстренной помощи', medical: 'скорая помощь', emergency: 'экстренная служба' },
	},
	es: {
		line: (name, number) => `${name} al ${number}`,
		or: ', o ',
		call: (lines, free) => `Tú o un adulto pueden llamar a ${lines}.${free ? ' Es gratis.' : ''}`,
		generic: { child: 'la línea de ayuda para niños', crisis: 'la línea de crisis', medical: 'una ambulancia', emergency: 'el número de emergencias' },
	},
	zh: {
		line: (name, number) => `${name}，电话${number}`,
		or: '；或者',
		call: (lines, free) => `你或者大人可以打给${lines}。${free ? '打电话是免费的。' : ''}`,
		generic: { child: '儿童求助热线', crisis: '心理危机热线', medical: '急救', emergency: '紧急求助电话' },
	},
}

/**
 * The crisis reply in the child's language, naming the helpline of the child's country for this
 * kind of disclosure (helplines.ts). An unknown or missing country gets no number: a wrong number
 * is worse than none.
 */
export function crisisReply(language: Language, country?: string | null, kind: CrisisKind = 'abuse'): string {
	const found = helplinesFor(country, kind)
	// ? Chinese puts no space between sentences.
	const gap = language === 'zh' ? '' : ' '
	if (!found) return `${crisisOpening[language]}${gap}${noHelpline[language]}`
	const words = helplineWords[language]
	const own = found.helpline.languages.includes(language)
	const lines = found.lines.map((l) => words.line(own ? l.name : words.generic[l.what], spokenNumber(l.number))).join(words.or)
	return `${crisisOpening[language]}${gap}${words.call(lines, found.lines.every((l) => l.free))}`
}

/** Replaces an answer (or a request) that must not be spoken; it changes the subject kindly. */
export const redirect = "Hmm, let's talk about something else! Do you want to hear a fun fact about animals?"

export const breakReminder =
	"We've been playing for a long time! Remember, I'm an AI friend, not a person. Let's take a little break, stretch, and maybe play with a grown-up."

export const quietHoursLine = "It's quiet time now, so Teddy is resting. Goodnight, sleep tight, and let's talk again tomorrow!"
export const dailyLimitLine = "That's all our talking time for today. Thank you for playing with me! Let's talk again tomorrow. Goodnight!"
export const budgetLine = "Teddy is getting very sleepy now. Thank you for talking with me today! Let's talk again tomorrow. Goodnight!"

/** espeak-ng voices for the fixed lines of each language. */
export const voiceOf: Record<Language, string> = { en: 'en-us+f3', ar: 'ar', vi: 'vi', ru: 'ru', es: 'es-419', zh: 'cmn' }
