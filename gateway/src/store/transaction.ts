import postgres from 'postgres'

/** What a transaction body gets: queries only, no begin/reserve/end of its own. */
export type Tx = postgres.ISql

// ! Not sql.begin: in postgres.js 3.4.x, BEGIN reserves its connection in an `onexecute` hook that
// sits at the end of an `&&` chain in connection.js execute(), after `sent.length < max_pipeline`
// and the socket write's backpressure flag. When BEGIN is the query that fills the pipeline
// (100 queries already in flight) or meets backpressure, BEGIN is still written but the hook never
// runs: the transaction body's queries then throw a TypeError in a detached promise (uncaught,
// the process dies) and the server session is left inside the open transaction
// (porsager/postgres#1189). The embedded database has a single connection, so a reconnect storm
// fills its pipeline. sql.reserve() takes no such hook: once it hands out the connection (only
// queries queued before it may still be in flight, and they finish before our BEGIN), no other
// query reaches that connection until release(), so only the body runs between BEGIN and COMMIT.

/**
 * Runs `fn` in a transaction on a connection of its own: committed when `fn` resolves, rolled back
 * (and the error rethrown) when it throws. `fn` must await every query it starts.
 */
export async function transaction<T>(sql: postgres.Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
	const tx = await sql.reserve()
	let connectionLost = false
	try {
		await tx`begin`
		const result = await fn(tx)
		await tx`commit`
		return result
	} catch (err) {
		connectionLost = isConnectionLoss(err)
		// the body's error is what the caller needs; a rollback that fails too only matters if the
		// connection went with it
		if (!connectionLost) {
			await tx`rollback`.catch((rollbackErr) => {
				connectionLost = isConnectionLoss(rollbackErr)
			})
		}
		throw err
	} finally {
		// ! A connection that closed under us is already back in the pool as closed (the server ended
		// its transaction with the session); releasing it would list it as open and idle.
		if (!connectionLost) tx.release()
	}
}

// postgres.js reports a lost connection with its own codes (CONNECTION_CLOSED, CONNECTION_DESTROYED,
// CONNECT_TIMEOUT, …) or the socket's errno (ECONNRESET, EPIPE, …); server errors are PostgresErrors.
function isConnectionLoss(err: unknown): boolean {
	if (err instanceof postgres.PostgresError) return false
	const code = (err as { code?: unknown } | null)?.code
	return typeof code === 'string' && (code.startsWith('CONNECT') || /^E[A-Z]+$/.test(code))
}
