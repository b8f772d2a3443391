// The families behind a production fleet: every toy paired to a child whose parent gave the
// consents a talking toy needs, so every turn stores its conversation rows as in a deployment.
// Written the way the gateway stores them (test/support/family-fixtures.ts); bench only.

import postgres from 'postgres'
import { Households } from '../../test/support/family-fixtures'

/** Pairs each toy to a child of its own family (both consents confirmed). */
export async function pairToys(databaseUrl: string, encryptionKeyHex: string, deviceIds: string[]): Promise<void> {
	const sql = postgres(databaseUrl, { max: 8, onnotice: () => {} })
	try {
		const households = new Households(sql, encryptionKeyHex)
		const one = async (deviceId: string) => {
			const family = await households.family()
			const child = await family.child('Fleet', 7)
			await households.pairedToy(deviceId, child)
		}
		for (let i = 0; i < deviceIds.length; i += 32) await Promise.all(deviceIds.slice(i, i + 32).map(one))
	} finally {
		await sql.end()
	}
}

/** Conversations and messages stored for the toys whose ids match `likePattern`. */
export async function countStoredTurns(databaseUrl: string, likePattern: string): Promise<{ conversations: number; messages: number }> {
	const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
	try {
		const [row] = await sql<{ conversations: number; messages: number }[]>`
			select
				(select count(*)::int from conversations where device_id like ${likePattern}) as conversations,
				(select count(*)::int from messages m join conversations c on c.id = m.conversation_id
					where c.device_id like ${likePattern}) as messages
		`
		return row
	} finally {
		await sql.end()
	}
}
