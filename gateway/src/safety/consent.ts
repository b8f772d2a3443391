// What a parent consents to, in the words the app shows, and what the toy says when it may not
// talk. The version changes whenever the text changes in substance: consent given to an older
// version no longer counts, so parents are asked again (COPPA: a material change needs new consent).

export const CONSENT_POLICY_VERSION = '2025-06-01'

export const CONSENT_METHODS = ['email_plus', 'card_check', 'signed_form'] as const
export type ConsentMethod = (typeof CONSENT_METHODS)[number]
/** Methods this gateway can carry out today; the others are recorded by operators' tooling later. */
export const IMPLEMENTED_METHODS: readonly ConsentMethod[] = ['email_plus']

export type ConsentKind = 'coppa' | 'third_party_ai'

export const CONSENT_TEXT: Record<ConsentKind, string> = {
	coppa: [
		'I am the parent or legal guardian of this child and I allow Teddy to talk with them.',
		'To do that, Teddy hears what my child says to the toy. The gateway turns the speech into text, answers, and keeps the text of the conversations (encrypted) so that I can read them; it never keeps recordings of my child’s voice.',
		'It also keeps my child’s first name, age or birth year, language, time zone and country as I enter them, a short memory of what my child told Teddy, learning progress, and safety alerts.',
		'Conversations and alerts are deleted automatically after the retention period I choose (30 days unless I change it). I can read, export and delete all of it at any time, and withdraw this consent at any time; the toy then stops talking with my child within seconds.',
		'My child’s data is never sold, never used for advertising, and never used to train AI models.',
	].join(' '),
	third_party_ai: [
		'I also allow Teddy to send what my child says (as audio or text) and my child’s first name and age to the AI service the operator of this gateway uses (OpenAI or a compatible provider) to understand my child and to answer.',
		'That service processes it only to produce the answer, under a contract that forbids using it to train models; where the service offers settings to keep or share data, they are off.',
		'Without this consent Teddy does not talk with my child at all when the gateway uses such a service, because it cannot understand my child without it.',
	].join(' '),
}

/** The toy's own words before it closes with 4403: kind, short, and telling the child what to do. */
export const consentRefusalLine: Record<ConsentKind, string> = {
	coppa: "Hi, I'm Teddy! Ask a grown-up to say yes in the Teddy app, then we can talk!",
	third_party_ai: "Hi, I'm Teddy! Ask a grown-up to finish setting me up in the Teddy app, then we can talk!",
}

export const consentRefusalMessage: Record<ConsentKind, string> = {
	coppa: 'no verifiable parental consent for this child; a parent must give it in the app',
	third_party_ai: 'no parental consent to send this child’s words to the AI service; a parent must give it in the app',
}
