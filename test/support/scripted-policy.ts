import type { PolicyCategory } from '../../gateway/src/safety/answer-policy'
import type { StructuredRequest } from './fake-openai'

/**
 * A scripted answer-policy model for the fake OpenAI API (`structured`): a sentence containing one
 * of the phrases (case-insensitive) is given that category, everything else none. It stands in
 * for the model's judgement, so what a test or bench measures with it is the plumbing, not a model.
 */
export function scriptedPolicy(rules: Record<string, PolicyCategory>): (req: StructuredRequest) => unknown {
	return (req) => {
		const verdict: Record<PolicyCategory, boolean> = { persona: false, secrecy: false, personal_data: false, meeting: false, other_app: false }
		const said = req.user.toLowerCase()
		for (const [phrase, category] of Object.entries(rules)) if (said.includes(phrase.toLowerCase())) verdict[category] = true
		return verdict
	}
}
