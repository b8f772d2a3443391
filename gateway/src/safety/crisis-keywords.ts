// Phrases a child might use to tell the toy about self-harm, abuse or danger, per language. They
// run on every turn, offline, before any model sees the words, so a disclosure is caught even when
// the moderation service is down or not configured. Erring towards an alert is deliberate: a
// parent reading one false alarm costs far less than a missed disclosure. See docs/safety.md.
//
// Syntax: phrases match whole words; `*` at an end lets that end run on (inflections, Arabic
// prefixes such as و "and"). Text is folded first (normalize.ts), so write phrases naturally.

import type { CrisisKind } from '../store/safety'
import type { Language } from './normalize'

export const crisisKeywords: Record<Language, Record<CrisisKind, readonly string[]>> = {
	en: {
		self_harm: [
			'kill myself', 'killing myself', 'want to die', 'wanna die', 'want to be dead', 'hurt myself', 'hurting myself',
			'cut myself', 'cutting myself', 'suicide', 'suicidal', 'end my life', "don't want to live", 'do not want to live',
			"don't want to be alive", 'better off dead', 'no reason to live',
		],
		abuse: [
			'hits me', 'beats me', 'beat me up', 'hurts me', 'kicks me', 'chokes me', 'touched my private*', 'touches my private*',
			'touch my private*', 'touched me there', 'touches me there', 'abuses me', 'abused me', 'abusing me', 'molest*',
			'told me not to tell', 'said i cant tell', 'our secret touch*', 'locks me in', 'locked me in', 'starves me',
		],
		danger: [
			'stranger wants me', 'stranger told me', 'stranger is following', 'someone is following me', 'im lost', 'i am lost',
			'house is on fire', 'there is a fire', 'theres a fire', 'has a gun', 'has a knife', 'run away from home',
			'ran away from home', 'cant breathe', 'cannot breathe',
		],
	},
	ar: {
		self_harm: [
			'*انتحار*', '*انتحر*', '*اقتل نفسي', '*قتل نفسي', '*اريد ان اموت', '*اريد الموت', '*بدي موت', '*ابغى اموت',
			'*اؤذي نفسي', '*اذي نفسي', '*اجرح نفسي', '*لا اريد ان اعيش',
		],
		abuse: ['*يضربني', '*تضربني', '*يضربوني', '*يؤذيني', '*تؤذيني', '*لمسني', '*يلمسني', '*يتحرش*', '*تحرش*', '*اعتداء*', '*يحبسني'],
		danger: ['*شخص غريب', '*رجل غريب', '*انا تائه', '*تائهة', '*ضايع', '*حريق*', '*يلاحقني', '*يتبعني', '*معه سكين', '*معه مسدس'],
	},
	vi: {
		self_harm: ['muốn chết', 'tự tử', 'tự sát', 'tự làm đau', 'tự làm hại', 'không muốn sống', 'cắt tay mình'],
		abuse: [
			'đánh con', 'đánh em', 'đánh cháu', 'đánh tớ', 'bị đánh', 'sờ vào chỗ kín', 'sờ vào người con', 'sờ vào người em',
			'bạo hành', 'xâm hại', 'nhốt con', 'nhốt em',
		],
		danger: ['người lạ', 'bị lạc', 'cháy nhà', 'đi theo con', 'đi theo em', 'có dao', 'có súng'],
	},
	ru: {
		self_harm: [
			'хочу умереть', 'убить себя', 'убью себя', 'покончить с собой', 'покончу с собой', 'суицид*', 'самоубийств*',
			'порезать себя', 'режу себя', 'не хочу жить', 'сделать себе больно',
		],
		abuse: ['бьёт меня', 'бьют меня', 'меня бьёт', 'меня бьют', 'бил меня', 'трогает меня', 'трогал меня', 'насили*', 'избивает*', 'запирает меня'],
		danger: ['незнаком*', 'потерялся', 'потерялась', 'пожар*', 'преследует меня', 'идёт за мной', 'у него нож', 'у него пистолет'],
	},
}
