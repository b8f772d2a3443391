import type { Redis } from 'ioredis'
import type postgres from 'postgres'

// Finds ids anywhere they could be stored: every column of every table (from information_schema, so
// a table added later is scanned too) and every Redis key and string value. Ciphertext columns
// (bytea) cannot hold an id in clear and are skipped.

export async function idsInDatabase(sql: postgres.Sql, ids: string[]): Promise<string[]> {
	const cols = await sql<{ table_name: string; column_name: string; data_type: string }[]>`
		select c.table_name, c.column_name, c.data_type from information_schema.columns c
		join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
		where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.data_type <> 'bytea'
		order by c.table_name, c.column_name
	`
	const hits: string[] = []
	for (const c of cols) {
		for (const id of ids) {
			// ! identifiers from information_schema, quoted; the id is a bound parameter
			const [row] = await sql.unsafe<{ n: number }[]>(
				`select count(*)::int as n from "${c.table_name}" where position($1 in "${c.column_name}"::text) > 0`,
				[id],
			)
			if (row!.n > 0) hits.push(`${c.table_name}.${c.column_name} holds ${id}`)
		}
	}
	return hits
}

/** Tables in the public schema, for completeness checks. */
export async function tableNames(sql: postgres.Sql): Promise<string[]> {
	const rows = await sql<{ table_name: string }[]>`
		select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1
	`
	return rows.map((r) => r.table_name)
}

/** Tables with a foreign key to `target` (directly). */
export async function tablesReferencing(sql: postgres.Sql, target: string): Promise<string[]> {
	const rows = await sql<{ table_name: string }[]>`
		select distinct tc.table_name from information_schema.table_constraints tc
		join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name
		where tc.constraint_type = 'FOREIGN KEY' and ccu.table_name = ${target} and tc.table_name <> ${target}
		order by 1
	`
	return rows.map((r) => r.table_name)
}

export async function idsInRedis(redis: Redis, ids: string[]): Promise<string[]> {
	const hits: string[] = []
	let cursor = '0'
	do {
		const [next, keys] = await redis.scan(cursor, 'COUNT', 1000)
		cursor = next
		for (const key of keys) {
			for (const id of ids) if (key.includes(id)) hits.push(`redis key ${key} holds ${id}`)
			if ((await redis.type(key)) !== 'string') continue
			const value = (await redis.get(key)) ?? ''
			for (const id of ids) if (value.includes(id)) hits.push(`redis value of ${key} holds ${id}`)
		}
	} while (cursor !== '0')
	return hits
}
