import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import type { FieldCipher } from './crypto'

export type Role = 'child' | 'assistant' | 'system'

export interface Message {
	role: Role
	text: string
	createdAt: Date
}

interface MessageRow {
	id: string
	conversation_id: string
	role: Role
	ciphertext: Uint8Array
	nonce: Uint8Array
	key_id: string
	created_at: Date
}

// Binds each ciphertext to its row, conversation and speaker: moving a message to another
// conversation or turning a child's words into the assistant's makes decryption fail.
const messageAad = (r: { id: string; conversation_id: string; role: Role }) =>
	`messages:${r.id}:${r.conversation_id}:${r.role}`
/** For the parent side and the re-encrypt job, which read and write the same column. */
export const conversationMessageAad = messageAad

export class ConversationRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	// ? The id may be chosen by the caller so that a write retried after a lost connection
	// (store/write-backlog.ts) cannot make a second row.
	async start(deviceId: string, childId: string, id: string = randomUUID()): Promise<string> {
		await this.sql`
			insert into conversations (id, device_id, child_id) values (${id}, ${deviceId}, ${childId})
			on conflict (id) do nothing
		`
		return id
	}

	/**
	 * Stores one message. `id` and `at` may be chosen when the message was said, so a write
	 * retried later is stored once, with the time it was spoken.
	 */
	async append(
		conversationId: string,
		role: Role,
		text: string,
		opts: { id?: string; at?: Date } = {},
	): Promise<{ id: string; createdAt: Date }> {
		const id = opts.id ?? randomUUID()
		const at = opts.at ?? new Date()
		const sealed = this.cipher.encrypt(text, messageAad({ id, conversation_id: conversationId, role }))
		await this.sql`
			insert into messages (id, conversation_id, role, ciphertext, nonce, key_id, created_at)
			values (${id}, ${conversationId}, ${role}, ${sealed.ciphertext}, ${sealed.nonce}, ${sealed.keyId}, ${at})
			on conflict (id) do nothing
		`
		return { id, createdAt: at }
	}

	async list(conversationId: string): Promise<Message[]> {
		const rows = await this.sql<MessageRow[]>`
			select id, conversation_id, role, ciphertext, nonce, key_id, created_at
			from messages where conversation_id = ${conversationId}
			order by seq
		`
		return rows.map((r) => this.open(r))
	}

	// The child's last `limit` messages across all conversations, oldest first, as model context.
	async recent(childId: string, limit: number): Promise<Message[]> {
		const rows = await this.sql<MessageRow[]>`
			select m.id, m.conversation_id, m.role, m.ciphertext, m.nonce, m.key_id, m.created_at
			from messages m join conversations c on c.id = m.conversation_id
			where c.child_id = ${childId}
			order by m.seq desc
			limit ${Math.max(0, Math.floor(limit))}
		`
		return rows.reverse().map((r) => this.open(r))
	}

	async end(conversationId: string): Promise<void> {
		await this.sql`update conversations set ended_at = now() where id = ${conversationId} and ended_at is null`
	}

	private open(r: MessageRow): Message {
		const text = this.cipher.decrypt({ ciphertext: r.ciphertext, nonce: r.nonce, keyId: r.key_id }, messageAad(r))
		return { role: r.role, text, createdAt: r.created_at }
	}
}
