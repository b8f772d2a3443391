import { createHmac } from 'node:crypto'

// The `safety_identifier` OpenAI asks for: one stable id per end user, so misuse can be traced to
// one family instead of the whole gateway, and nothing that identifies the family. It is a keyed
// hash (HMAC-SHA256) of the family's id, or of the toy's for a toy with no family, under a key
// derived from the gateway's secret: stable across restarts and replicas, and not reversible or
// guessable by the API (the family id and emails never leave the gateway).

const LABEL = 'teddy-safety-identifier-v1'

export class SafetyIdentifiers {
	private readonly key: Buffer

	constructor(secret: string) {
		this.key = createHmac('sha256', secret).update(LABEL).digest()
	}

	/** 43 characters of base64url; the API takes up to 64. */
	of(familyId: string | null, deviceId: string | undefined): string | undefined {
		const subject = familyId ? `family:${familyId}` : deviceId ? `device:${deviceId}` : undefined
		if (!subject) return undefined
		return createHmac('sha256', this.key).update(subject).digest('base64url')
	}
}
