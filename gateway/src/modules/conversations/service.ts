import { GatewayError } from '../../errors'
import type { AuditRepository } from '../../store/audit'
import type { FamilyChildRepository } from '../../store/family-children'
import type { ConversationSummary, FamilyTranscriptRepository, MessageView, Page } from '../../store/family-transcripts'
import { audit } from '../access/audit'
import type { ParentPrincipal } from '../access/service'

// What a child said to the toy and what it answered, for the child's parents only; every read is
// audited. Transcripts are decrypted here, on the server: the app never holds a key.

export interface ConversationsDeps {
	children: FamilyChildRepository
	transcripts: FamilyTranscriptRepository
	audit: AuditRepository
}

export class ConversationsService {
	constructor(private readonly d: ConversationsDeps) {}

	async list(p: ParentPrincipal, childId: string, limit: number, before?: string): Promise<Page<ConversationSummary>> {
		if (!(await this.d.children.owns(p.familyId, childId))) throw new GatewayError('NOT_FOUND', 'no such child in your family')
		await audit(this.d.audit, p, 'conversation.list', { childId })
		return this.d.transcripts.conversations(p.familyId, childId, limit, before)
	}

	async messages(p: ParentPrincipal, conversationId: string, limit: number, before?: number): Promise<{ items: MessageView[]; next: number | null }> {
		const childId = await this.d.transcripts.childOfConversation(p.familyId, conversationId)
		if (!childId) throw new GatewayError('NOT_FOUND', 'no such conversation in your family')
		await audit(this.d.audit, p, 'conversation.read', { childId, targetId: conversationId })
		return this.d.transcripts.messages(conversationId, limit, before)
	}
}
