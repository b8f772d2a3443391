// The face a xiaozhi toy shows while it speaks (`llm {emotion, text}`): picked from the sentence
// it is about to say. Only faces that suit a children's toy are ever chosen (never angry,
// shocked or crying); the names are the firmware's (xiaozhi-esp32 display emotion map), and
// `text` carries the matching emoji, as firmware without an emotion set shows the text.

export type Emotion = 'happy' | 'laughing' | 'surprised' | 'loving' | 'sad' | 'sleepy' | 'thinking'

export const EMOJI: Record<Emotion, string> = {
	happy: '🙂',
	laughing: '😆',
	surprised: '😲',
	loving: '😍',
	sad: '😔',
	sleepy: '😴',
	thinking: '🤔',
}

// First match wins; cues in the languages the toy speaks. Calm faces come first so a crisis or
// goodnight line never shows a laughing one; laughing precedes sad because Vietnamese "buồn
// cười" (funny) contains "buồn" (sad).
const CUES: Array<[Emotion, RegExp]> = [
	['sleepy', /good ?night|\bsleep|\brest\b|bedtime|quiet time|ngủ|спокойной|спать|تصبح على خير|نوم|buenas noches|dormir|晚安|睡觉/i],
	['loving', /\bsafe\b|\btrust|thank you for telling|glad you told|\blove\b|\bhugs?\b|an toàn|безопасн|أمان|seguro|confianza|安全|爱/i],
	['laughing', /\bha(ha)+\b|\bhe(he)+\b|\bjokes?\b|\bfunny\b|\bsilly\b|\bgiggle|buồn cười|смешн|шутк|مضحك|chiste|gracioso|哈哈|笑话/i],
	['sad', /\bsorry\b|\bsad\b|miss you|buồn|xin lỗi|жаль|грустн|آسف|حزين|lo siento|triste|难过|对不起/i],
	['surprised', /\bwow\b|\bamazing\b|\bwhoa\b|\bincredible\b|guess what|tuyệt vời|ух ты|удивительн|رائع|increíble|哇/i],
]

export function emotionOf(sentence: string): Emotion {
	for (const [emotion, cue] of CUES) if (cue.test(sentence)) return emotion
	return 'happy'
}
