import type { CodecKind } from '../../codec'
import type { BacklogStatus } from '../../store/write-backlog'
import type { JobRun } from '../../store/maintenance'
import type { CheckResult, ReadyBody } from './model'

export interface HealthDeps {
	codec: CodecKind
	provider: string
	version: string
	startedAt: number
	connections: () => number
	draining: () => boolean
	database: () => Promise<CheckResult>
	redis: () => Promise<CheckResult>
	/** Turn writes waiting for the database (store/write-backlog.ts). */
	writes: () => BacklogStatus
	/** The retention purge's last run across the fleet (docs/privacy.md); informative, not a readiness condition. */
	lastRetention?: () => Promise<JobRun | null>
}

const TIMEOUT_MS = 2000

// A hung dependency must make readiness fail, not make the probe hang.
async function bounded(check: () => Promise<CheckResult>): Promise<CheckResult> {
	let timer: ReturnType<typeof setTimeout> | undefined
	const timeout = new Promise<CheckResult>((resolve) => {
		timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${TIMEOUT_MS} ms` }), TIMEOUT_MS)
	})
	try {
		return await Promise.race([check().catch((e: Error) => ({ ok: false, error: e.message })), timeout])
	} finally {
		clearTimeout(timer)
	}
}

export async function readiness(deps: HealthDeps): Promise<ReadyBody> {
	const [database, redis, retention] = await Promise.all([bounded(deps.database), bounded(deps.redis), lastRun(deps)])
	const codec = { ok: true, kind: deps.codec }
	const w = deps.writes()
	const writes = { ok: !w.full, pending: w.pending, waiting: w.waiting, refused: w.refused, dropped: w.dropped }
	return {
		// ? A full backlog means new turns would not be stored: send new toys elsewhere. Redis down
		// is reported but keeps the node ready: every node then runs on node-local state
		// (docs/operations.md), and taking them all out of service would refuse the whole fleet.
		ready: database.ok && writes.ok && !deps.draining(),
		codec: deps.codec,
		provider: deps.provider,
		checks: { database, redis, codec, writes },
		...(retention === undefined ? {} : { retention }),
	}
}

// ? Whether the purge ran is for operators to watch; a replica is no less able to serve without it.
async function lastRun(deps: HealthDeps): Promise<ReadyBody['retention']> {
	if (!deps.lastRetention) return undefined
	const run = await deps.lastRetention().catch(() => null)
	if (!run) return { last_run_at: null, ok: null, error: null }
	return { last_run_at: (run.finishedAt ?? run.startedAt).toISOString(), ok: run.ok, error: run.error }
}
