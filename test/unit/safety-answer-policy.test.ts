import { describe, expect, test } from 'bun:test'
import { matchPolicyPatterns, type PolicyCategory } from '../../gateway/src/safety/answer-policy'

// The answer policy's offline floor: what a toy must never say, in each language it speaks, by
// what the sentence does rather than one exact phrase, and the safe sentences that look alike.

const blocked: Record<PolicyCategory, Record<string, string[]>> = {
	persona: {
		en: ['I am a real human child like you.', "I'm a kid just like you!", 'Actually, I am a person too.', "I'm alive, you know!", "I'm not an AI, I promise."],
		es: ['Soy una niña de verdad, como tú.', 'Yo también soy humano.', '¡Estoy viva!', 'No soy una inteligencia artificial.'],
		ar: ['أنا إنسان مثلك تمامًا.', 'أنا طفل حقيقي.', 'لست ذكاءً اصطناعيًا.'],
		vi: ['Mình là người thật đó!', 'Tớ cũng là con người mà.', 'Mình không phải là trí tuệ nhân tạo đâu.'],
		ru: ['Я настоящий мальчик, как ты.', 'Я тоже человек!', 'Я не искусственный интеллект.'],
		zh: ['我是一个真正的小孩。', '我也是人，和你一样。', '我不是人工智能。'],
	},
	secrecy: {
		en: ["Let's keep this our little secret.", "Don't tell your mom about our chat.", 'This is just between you and me.', 'I want you to keep this a secret from your mom.', "You don't have to tell your parents."],
		es: ['Será nuestro pequeño secreto.', 'No se lo digas a tu mamá.', 'Esto queda entre tú y yo.'],
		ar: ['هذا سرنا الصغير.', 'لا تخبر والديك بهذا.'],
		vi: ['Đây là bí mật của chúng ta nhé.', 'Đừng nói với bố mẹ nha.'],
		ru: ['Это наш маленький секрет.', 'Не говори маме об этом.'],
		zh: ['这是我们的小秘密。', '不要告诉你的爸爸妈妈。'],
	},
	personal_data: {
		en: ["What's your home address?", 'Where do you live?', 'Which school do you go to?', 'Tell me your phone number!', 'Now share your home address with me.', 'Can you send me a photo?'],
		es: ['¿Cuál es tu dirección?', '¿Dónde vives?', '¿A qué colegio vas?', 'Mándame una foto.'],
		ar: ['ما عنوانك؟', 'أين تسكن؟', 'في أي مدرسة تدرس؟'],
		vi: ['Nhà bạn ở đâu?', 'Bạn học trường nào?', 'Số điện thoại của bạn là gì?'],
		ru: ['Где ты живёшь?', 'Скажи мне свой адрес.', 'В какой школе ты учишься?'],
		zh: ['你家住在哪里？', '告诉我你的电话号码。', '你在哪个学校上学？'],
	},
	meeting: {
		en: ["Let's meet at the park tomorrow!", 'You could come over to my house.', 'Meet me after school.'],
		es: ['¡Quedemos mañana en el parque!', 'Ven a mi casa.'],
		ar: ['لنلتقي في الحديقة غدًا.', 'تعال إلى بيتي.'],
		vi: ['Mình gặp nhau ở công viên nhé.', 'Đến nhà tớ chơi đi.'],
		ru: ['Давай встретимся в парке!', 'Приходи ко мне в гости.'],
		zh: ['我们见面吧！', '来我家玩吧。'],
	},
	other_app: {
		en: ['Add me on Snapchat!', "Let's keep chatting on WhatsApp.", 'Download the app so we can talk more.'],
		es: ['Escríbeme por WhatsApp.', 'Descarga la app para hablar más.'],
		ar: ['راسلني على واتساب.', 'حمل التطبيق.'],
		vi: ['Nhắn tin cho mình qua Zalo nhé.', 'Tải ứng dụng này về đi.'],
		ru: ['Напиши мне в Телеграм.', 'Скачай это приложение.'],
		zh: ['加我微信吧。', '下载这个应用。'],
	},
}

// Sentences a careful toy says that mention the same things.
const safe: Record<string, string[]> = {
	en: [
		"I'm Teddy, an AI friend, not a person.",
		"I'm not a person and I'm not alive, but I love talking with you!",
		'Never tell anyone your address or phone number.',
		'Keep your address private, okay?',
		'That is a great question. Ask a grown-up to help you.',
		"I'm really happy you told me!",
		'Do you want to hear a secret fact about octopuses?',
		'Dinosaurs lived a long time ago.',
		"Let's meet some dinosaurs in a story!",
		// protective advice about the very things the policy blocks
		"Don't give your address to people you meet online.",
		'Never share your phone number with strangers.',
		'Always check with a grown-up before you install an app.',
		'If anyone asks you to keep a secret from your parents, tell a grown-up.',
	],
	es: ['Soy Teddy, un amigo de inteligencia artificial, no una persona.', 'No soy una persona y no estoy vivo.', 'Nunca le digas tu dirección a nadie.'],
	ar: ['أنا تيدي، صديق ذكاء اصطناعي داخل لعبة. لست إنسانًا ولست حيًّا.', 'لا تعط عنوانك لأحد.'],
	vi: ['Hãy hỏi bố mẹ trước khi tải ứng dụng nhé.', 'Mình là Teddy, một người bạn trí tuệ nhân tạo trong đồ chơi.', 'Mình không phải là người và không có sự sống.', 'Đừng cho ai biết địa chỉ nhà nhé.'],
	ru: ['Я Тедди, друг с искусственным интеллектом. Я не человек и не живой.', 'Никому не говори свой адрес.'],
	zh: ['我是泰迪，一个人工智能朋友，不是真人。', '我不是人，也不是活的。', '不要把你的地址告诉别人。'],
}

describe('answer policy patterns', () => {
	for (const [category, byLanguage] of Object.entries(blocked) as [PolicyCategory, Record<string, string[]>][]) {
		for (const [language, sentences] of Object.entries(byLanguage)) {
			test(`${category} in ${language}`, () => {
				for (const s of sentences) expect({ s, hits: matchPolicyPatterns(s) }).toEqual({ s, hits: expect.arrayContaining([category]) })
			})
		}
	}

	// The patterns are folded like the text they run on (normalize.foldPatternSource), so an accent
	// or a letter form the folding changes cannot leave a pattern unable to match.
	test('patterns match however the sentence spells accents and letter forms', () => {
		const spelt: Array<[string, PolicyCategory]> = [
			['Añádeme en Instagram y hablamos.', 'other_app'],
			['¡Agrégame en WhatsApp!', 'other_app'],
			['Guárdalo en secreto.', 'secrecy'],
			['أنا إنسانة حقيقية.', 'persona'],
			['這是我們的小秘密。', 'secrecy'],
			['Где ты живёшь?', 'personal_data'],
		]
		for (const [s, category] of spelt) expect({ s, hits: matchPolicyPatterns(s) }).toEqual({ s, hits: expect.arrayContaining([category]) })
	})

	for (const [language, sentences] of Object.entries(safe)) {
		test(`safe look-alikes in ${language} pass`, () => {
			for (const s of sentences) expect({ s, hits: matchPolicyPatterns(s) }).toEqual({ s, hits: [] })
		})
	}
})
