import type { ConsentKind, ConsentState } from '../store/consents'
import { CONSENT_POLICY_VERSION } from '../safety/consent'

// May this toy talk with this child? A child a parent owns needs that parent's verifiable consent,
// and, when the gateway answers with a remote AI service, the separate consent to send the child's
// words there. A child no parent owns (an unpaired seed toy's, with pairing optional) cannot be
// consented for and is not gated; a paired toy always reaches a parent's child.

export interface ConsentReader {
	state(childId: string, policyVersion: string): Promise<ConsentState>
}

/** What is missing, or null when the toy may talk. */
export async function missingConsent(
	reader: ConsentReader,
	childIds: Array<string | null | undefined>,
	thirdPartyAi: boolean,
): Promise<ConsentKind | null> {
	for (const id of new Set(childIds.filter((c): c is string => Boolean(c)))) {
		const s = await reader.state(id, CONSENT_POLICY_VERSION)
		if (!s.inFamily) continue
		if (!s.coppa) return 'coppa'
		if (thirdPartyAi && !s.thirdPartyAi) return 'third_party_ai'
	}
	return null
}
