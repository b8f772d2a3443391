import type postgres from 'postgres'
import { conversationMessageAad } from './conversations'
import type { FieldCipher } from './crypto'
import { isUuid } from './family-children'

// Conversations and messages as a parent reads them: decrypted here, newest first, paged by keyset
// cursors, and only ever inside the parent's family.

export interface ConversationSummary {
	id: string
	childId: string
	deviceId: string
	startedAt: Date
	endedAt: Date | null
	messages: number
}

export interface MessageView {
	id: string
	seq: number
	role: 'child' | 'assistant' | 'system'
	text: string
	createdAt: Date
}

interface MessageRow {
	id: string
	seq: string | number
	conversation_id: string
	role: MessageView['role']
	ciphertext: Uint8Array
	nonce: Uint8Array
	key_id: string
	created_at: Date
}

export interface Page<T> {
	items: T[]
	/** Pass as `before` for the next (older) page; null on the last page. */
	next: string | null
}

const FAR_FUTURE = new Date('9999-12-31T00:00:00Z')

/** (time, id) keyset cursor: stable even when two rows share a timestamp. */
export function encodeCursor(at: Date, id: string): string {
	return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url')
}

export function decodeCursor(cursor: string | undefined): { at: Date; id: string } | null {
	if (!cursor) return null
	const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|')
	const d = new Date(at ?? '')
	if (Number.isNaN(d.getTime()) || !id || !isUuid(id)) return null
	return { at: d, id }
}

export class FamilyTranscriptRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	async conversations(familyId: string, childId: string, limit: number, before?: string): Promise<Page<ConversationSummary>> {
		if (!isUuid(childId)) return { items: [], next: null }
		const c = decodeCursor(before) ?? { at: FAR_FUTURE, id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' }
		const rows = await this.sql<{ id: string; child_id: string; device_id: string; started_at: Date; ended_at: Date | null; messages: number }[]>`
			select c.id, c.child_id, c.device_id, c.started_at, c.ended_at,
				(select count(*)::int from messages m where m.conversation_id = c.id) as messages
			from conversations c join children ch on ch.id = c.child_id
			where c.child_id = ${childId} and ch.family_id = ${familyId} and (c.started_at, c.id) < (${c.at}, ${c.id}::uuid)
			order by c.started_at desc, c.id desc
			limit ${limit + 1}
		`
		const items = rows.slice(0, limit).map((r) => ({
			id: r.id,
			childId: r.child_id,
			deviceId: r.device_id,
			startedAt: r.started_at,
			endedAt: r.ended_at,
			messages: r.messages,
		}))
		const last = items.at(-1)
		return { items, next: rows.length > limit && last ? encodeCursor(last.startedAt, last.id) : null }
	}

	/** The child a conversation belongs to, if it is the family's. */
	async childOfConversation(familyId: string, conversationId: string): Promise<string | null> {
		if (!isUuid(conversationId)) return null
		const [row] = await this.sql<{ child_id: string }[]>`
			select c.child_id from conversations c join children ch on ch.id = c.child_id
			where c.id = ${conversationId} and ch.family_id = ${familyId}
		`
		return row?.child_id ?? null
	}

	/** Newest first; `before` is the seq of the oldest message already shown. */
	async messages(conversationId: string, limit: number, beforeSeq?: number): Promise<{ items: MessageView[]; next: number | null }> {
		const rows = await this.sql<MessageRow[]>`
			select id, seq, conversation_id, role, ciphertext, nonce, key_id, created_at from messages
			where conversation_id = ${conversationId} and seq < ${beforeSeq ?? Number.MAX_SAFE_INTEGER}
			order by seq desc limit ${limit + 1}
		`
		const items = rows.slice(0, limit).map((r) => this.open(r))
		return { items, next: rows.length > limit ? (items.at(-1)?.seq ?? null) : null }
	}

	/** What was said around a moment (an alert's context): the child's messages within the window, oldest first. */
	async around(childId: string, at: Date, beforeMs: number, afterMs: number, limit: number): Promise<MessageView[]> {
		const rows = await this.sql<MessageRow[]>`
			select m.id, m.seq, m.conversation_id, m.role, m.ciphertext, m.nonce, m.key_id, m.created_at
			from messages m join conversations c on c.id = m.conversation_id
			where c.child_id = ${childId}
				and m.created_at between ${new Date(at.getTime() - beforeMs)} and ${new Date(at.getTime() + afterMs)}
			order by m.seq desc limit ${limit}
		`
		return rows.reverse().map((r) => this.open(r))
	}

	private open(r: MessageRow): MessageView {
		return {
			id: r.id,
			seq: Number(r.seq),
			role: r.role,
			text: this.cipher.decrypt({ ciphertext: r.ciphertext, nonce: r.nonce, keyId: r.key_id }, conversationMessageAad(r)),
			createdAt: r.created_at,
		}
	}
}
