// Markdown tables for fleet runs and sweeps, and the latency/CPU-against-N chart (gnuplot, when
// installed; otherwise the report says the chart was skipped).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { markdownTable } from '../lib/report'
import type { RunResult } from './run'
import type { Summary } from './stats'

export interface SweepStep {
	n: number
	held: boolean
	reason: string
	result: RunResult
}

export interface Sweep {
	codec: 'native' | 'fallback'
	budgetMs: number
	jitterBudgetMs: number
	/** Largest N that held every limit; 0 if even the first step failed. */
	maxToys: number
	limitedBy: string
	steps: SweepStep[]
}

const pct = (s: Summary) => [s.p50, s.p95, s.p99, s.max]
const kv = (m: Record<string, number>) =>
	Object.entries(m)
		.map(([k, v]) => `${k}: ${v}`)
		.join(', ') || 'none'

export function runMarkdown(title: string, r: RunResult): string {
	const f = r.figures
	const o = r.options
	const lines = [
		`### ${title}`,
		'',
		`${o.n} toys (${Object.entries(o.mix)
			.map(([k, v]) => `${k} ${v}`)
			.join(', ')}), codec ${o.codec}, ${o.scenario === 'storm' ? 'restart storm' : `${o.durationMs / 1000} s measured`}, ` +
			`fake provider ${o.latencyMs} ms latency / ${o.answerMs} ms answers, ${f.generator.workers} worker process(es) on cpus ${f.generator.cpus}` +
			`, database ${o.url ? 'whatever the external gateway uses' : o.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}` +
			`${o.url ? `, external gateway ${o.url}` : ''}.`,
		'',
		markdownTable(
			['figure', 'value'],
			[
				['connections held', f.connectionsHeld],
				['handshake success %', f.handshakeSuccessRate.toFixed(2)],
				['handshake failures', kv(f.handshakeFailures)],
				['unexpected closes', kv(f.unexpectedCloses)],
				[
					'turns started / answered / unanswered / barged in / cached line',
					`${f.turns.started} / ${f.turns.answered} / ${f.turns.unanswered} / ${f.turns.bargedIn} / ${f.turns.fixedLine}`,
				],
				['uplink frames/s', f.uplinkFramesPerSec],
				['downlink frames/s', f.downlinkFramesPerSec],
				['frames lost (downlink, complete answers)', f.framesLost],
				['seed-json seq gaps', f.seqGaps],
				['storm: fleet back after (ms)', f.stormRecoveryMs],
				['gateway CPU % (avg / max 1 s)', `${f.gateway.cpuPercentAvg ?? '—'} / ${f.gateway.cpuPercentMax ?? '—'}`],
				['gateway RSS MiB (baseline → end)', `${kib(f.gateway.rssBaselineKiB)} → ${kib(f.gateway.rssKiB)}`],
				['gateway RSS per connection KiB', f.gateway.rssPerConnectionKiB?.toFixed(1)],
				['gateway socket+file I/O bytes/conn/s', f.gateway.ioBytesPerConnectionPerSec],
				['wire bytes/toy/s up / down', `${f.client.uplinkBytesPerToyPerSec} / ${f.client.downlinkBytesPerToyPerSec}`],
				['load generator CPU %', f.generator.cpuPercent],
				['client errors', kv(f.clientErrors)],
			],
			0,
		),
		markdownTable(
			['latency (ms)', 'n', 'p50', 'p95', 'p99', 'max'],
			(
				[
					['handshake', f.handshakeMs],
					['uplink frame ingest (ping after frame → pong)', f.ingestMs],
					['heartbeat ping → pong', f.heartbeatRttMs],
					['end of speech → first frame', f.endOfSpeechToFirstFrameMs],
					['gateway-added (above − provider latency)', f.gatewayAddedMs],
					['end of speech → first frame, cached line (no provider)', f.fixedLineFirstFrameMs],
					['provider first byte → first frame at toy', f.providerToFirstFrameMs],
					['downlink pacing jitter |Δ−60|', f.pacingJitterMs],
					['barge-in → tts stop / final', f.bargeInStopMs],
					['storm: 1012 → back connected', f.reconnectMs],
				] as Array<[string, Summary]>
			)
				.filter(([, s]) => s.n > 0)
				.map(([name, s]) => [name, String(s.n), ...pct(s)]),
			1,
		),
	]
	return `${lines.join('\n')}\n`
}

function kib(v: number | null): string {
	return v === null ? '—' : (v / 1024).toFixed(1)
}

export function sweepMarkdown(s: Sweep, chart: string | null): string {
	const rows = s.steps.map((st) => {
		const f = st.result.figures
		return [
			String(st.n),
			String(f.connectionsHeld),
			String(f.turns.answered),
			String(f.turns.unanswered),
			String(f.framesLost),
			f.gatewayAddedMs.p50,
			f.gatewayAddedMs.p99,
			f.providerToFirstFrameMs.p99,
			f.ingestMs.p99,
			f.pacingJitterMs.p99,
			f.gateway.cpuPercentAvg,
			kib(f.gateway.rssKiB),
			f.generator.cpuPercent,
			st.held ? 'held' : st.reason,
		]
	})
	return [
		`### Sweep, ${s.codec} codec: **${s.maxToys} toys talking** (limit: ${s.limitedBy})`,
		'',
		`Budget: gateway-added p99 (end of speech → first frame, minus the provider's fixed latency) ≤ ${s.budgetMs} ms, downlink pacing jitter p99 ≤ ${s.jitterBudgetMs} ms, no lost frame, every turn answered, every toy connected.`,
		'',
		markdownTable(
			['N', 'held', 'answered', 'unanswered', 'lost', 'added p50', 'added p99', 'prov→frame p99', 'ingest p99', 'jitter p99', 'gw CPU %', 'gw RSS MiB', 'gen CPU %', 'verdict'],
			rows,
			1,
		),
		chart ? `![latency and CPU against N, ${s.codec}](${chart})\n` : '_Chart skipped: gnuplot is not installed (apt-get install -y gnuplot-nox)._\n',
	].join('\n')
}

/** Renders latency p99 and gateway CPU against N for each sweep into `pngPath`; false without gnuplot. */
export function renderChart(sweeps: Sweep[], pngPath: string): boolean {
	if (!Bun.which('gnuplot') || sweeps.length === 0) return false
	const dir = mkdtempSync(join(tmpdir(), 'fleet-chart-'))
	try {
		const plots: string[] = []
		for (const s of sweeps) {
			const data = join(dir, `${s.codec}.dat`)
			writeFileSync(
				data,
				s.steps
					.map((st) => {
						const f = st.result.figures
						return `${st.n} ${f.gatewayAddedMs.p99 ?? 'NaN'} ${f.gatewayAddedMs.p50 ?? 'NaN'} ${f.gateway.cpuPercentAvg ?? 'NaN'}`
					})
					.join('\n'),
			)
			plots.push(
				`'${data}' using 1:2 axes x1y1 with linespoints lw 2 title '${s.codec}: added latency p99 (ms)'`,
				`'${data}' using 1:3 axes x1y1 with linespoints dt 2 title '${s.codec}: added latency p50 (ms)'`,
				`'${data}' using 1:4 axes x1y2 with linespoints dt 3 title '${s.codec}: gateway CPU % (right)'`,
			)
		}
		const script = [
			`set terminal pngcairo size 1000,560 font ',10'`,
			`set output '${pngPath}'`,
			`set title 'Teddy gateway: toys talking (N) vs answer latency and CPU'`,
			`set xlabel 'toys talking (N)'`,
			`set ylabel 'gateway-added latency (ms)'`,
			`set y2label 'gateway CPU % of one core'`,
			`set ytics nomirror`,
			`set y2tics`,
			`set yrange [0:*]`,
			`set y2range [0:*]`,
			`set key left top`,
			`set grid`,
			`set arrow from graph 0, first ${sweeps[0].budgetMs} to graph 1, first ${sweeps[0].budgetMs} nohead dt 4 lc rgb 'red'`,
			`plot ${plots.join(', ')}`,
		].join('\n')
		const scriptPath = join(dir, 'plot.gp')
		writeFileSync(scriptPath, script)
		let r = Bun.spawnSync(['gnuplot', scriptPath])
		if (!r.success) {
			// pngcairo is missing in some builds; the plain png terminal always exists.
			writeFileSync(scriptPath, script.replace('pngcairo', 'png'))
			r = Bun.spawnSync(['gnuplot', scriptPath])
		}
		return r.success
	} finally {
		rmSync(dir, { recursive: true, force: true })
	}
}
