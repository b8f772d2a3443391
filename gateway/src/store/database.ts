import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import postgres from 'postgres'
import { log } from '../obs/logger'
import { secureDataDir } from './data-dir'

export interface Database {
	sql: postgres.Sql
	kind: 'postgres' | 'embedded'
	close(): Promise<void>
}

export interface OpenDatabaseOptions {
	databaseUrl?: string
	dataDir: string
	// pool size for a real server; the embedded database always uses one connection
	max?: number
}

const ignoreNotice = () => {}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
	if (opts.databaseUrl) return openServer(opts.databaseUrl, opts.max ?? 10)
	return openEmbedded(opts.dataDir)
}

function openServer(url: string, max: number): Database {
	const sql = postgres(url, {
		max,
		idle_timeout: 30,
		connect_timeout: 10,
		onnotice: ignoreNotice,
		connection: { application_name: 'teddy-gateway' },
	})
	return { sql, kind: 'postgres', close: () => sql.end({ timeout: 5 }) }
}

// PGlite runs PostgreSQL in-process (WASM). Serving it over a loopback socket lets the very same
// postgres.js queries run on it, so there is one code path for both modes.
async function openEmbedded(dataDir: string): Promise<Database> {
	const dir = join(dataDir, 'pg')
	await mkdir(dir, { recursive: true })
	const pglite = new PGlite(dir)
	await pglite.waitReady
	// ! PGlite unpacks a new cluster's files as 0666, whatever the umask; what Postgres creates
	//   later honours the umask (main.ts)
	secureDataDir(dir)
	// ! PGlite is a single backend session shared by every socket connection, and connections over
	// maxConnections get a plain-text reply that makes postgres.js hang instead of failing. So
	// postgres.js keeps exactly one connection; the second slot is headroom for a reconnect that
	// arrives before the server has noticed the old socket closed.
	const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 2 })
	try {
		await server.start()
	} catch (err) {
		await pglite.close()
		throw err
	}
	// port 0 asks the OS for a free port; the server reports the real one only through getServerConn()
	const port = Number(server.getServerConn().split(':').pop())
	const sql = postgres({
		host: '127.0.0.1',
		port,
		user: 'postgres',
		database: 'postgres',
		max: 1,
		// never recycle the one connection: a reconnect is the only way to hit the limit above
		idle_timeout: 0,
		max_lifetime: null,
		connect_timeout: 10,
		onnotice: ignoreNotice,
	})
	log.info({ dataDir: dir, port }, 'embedded database (PGlite) ready')
	let closed: Promise<void> | undefined
	const close = async () => {
		await sql.end({ timeout: 5 })
		await server.stop()
		await pglite.close()
	}
	return { sql, kind: 'embedded', close: () => (closed ??= close()) }
}
