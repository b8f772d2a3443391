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
	/** With --repeat: which run of the step this is, of how many. */
	run?: number
	of?: number
}

export interface Sweep {
	codec: 'native' | 'fallback'
	/** GATEWAY_PROCESSES of every step. */
	processes: number
	/** maxToys over the cores the gateway used (less the generator's share when it ran there). */
	toysPerCore: number | null
	/** Path, answer form and processes: names the files and the chart. */
	label: string
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
	const na = (known: boolean, v: unknown) => (known ? v : 'n/a')
	const turns = f.turns
	const lines = [
		`### ${title}`,
		'',
		`${o.n} toys (${Object.entries(o.mix)
			.map(([k, v]) => `${k} ${v}`)
			.join(', ')}; listen ${Object.entries(o.listen)
			.map(([k, v]) => `${k} ${v}`)
			.join(', ')}), ${o.path === 'production' ? 'production path' : '**lighter path**'}, codec ${o.codec}, ${o.processes} gateway process(es) on cpus ${f.gatewayCpus}, ` +
			`${o.scenario === 'storm' ? 'restart storm' : `${o.durationMs / 1000} s measured`}, ` +
			`provider ${f.provider}${f.providerKnown ? ` (fake: ${o.latencyMs} ms latency / ${o.answerMs} ms answers as ${o.answerFormat === 'ogg20' ? 'Ogg Opus 20 ms' : '24 kHz PCM'})` : ' (not the fake: provider/cached-line split and loss are n/a)'}, ` +
			`LOG_LEVEL ${o.url ? 'the external gateway\'s' : o.logLevel}, ${f.generator.workers} worker process(es) on cpus ${f.generator.cpus}` +
			`, database ${o.url ? 'whatever the external gateway uses' : f.postgres ? `private PostgreSQL on cpus ${f.postgres.cpus}` : o.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}` +
			`, toys ${o.paired ? 'paired to consented children' : 'unpaired'}${o.url ? `, external gateway ${o.url}` : ''}.`,
		'',
		markdownTable(
			['figure', 'value'],
			[
				['connections held', f.connectionsHeld],
				['handshake success %', f.handshakeSuccessRate.toFixed(2)],
				['handshake failures', kv(f.handshakeFailures)],
				['unexpected closes', kv(f.unexpectedCloses)],
				[
					'turns started / answered / barged in / cached line',
					`${turns.started} / ${turns.answered} / ${turns.bargedIn} / ${na(f.providerKnown, turns.fixedLine)}`,
				],
				['turns unanswered: no audio / playback over timeout', `${turns.noAudio} / ${turns.playbackOverTimeout}`],
				['turns ended by the gateway\'s VAD / VAD never ended', `${turns.endpointed} / ${turns.vadMissed}`],
				['turns shed by admission control (busy line, no stt)', turns.shed],
				['turns the child went on after a pause (answered whole)', String(turns.continued)],
				['rows stored: conversations / messages', f.stored ? `${f.stored.conversations} / ${f.stored.messages}` : 'n/a (toys unpaired)'],
				['uplink frames/s', f.uplinkFramesPerSec],
				['downlink frames/s', f.downlinkFramesPerSec],
				['frames lost (downlink, complete answers)', f.framesLost ?? 'n/a'],
				['seed-json seq gaps', f.seqGaps],
				['storm: fleet back after (ms)', f.stormRecoveryMs],
				['gateway CPU % (avg / max 1 s)', `${f.gateway.cpuPercentAvg ?? '—'} / ${f.gateway.cpuPercentMax ?? '—'}`],
				['gateway RSS MiB (baseline → end)', `${kib(f.gateway.rssBaselineKiB)} → ${kib(f.gateway.rssKiB)}`],
				['gateway RSS per connection KiB', f.gateway.rssPerConnectionKiB?.toFixed(1)],
				['gateway socket+file I/O bytes/conn/s', f.gateway.ioBytesPerConnectionPerSec],
				['wire bytes/toy/s up / down', `${f.client.uplinkBytesPerToyPerSec} / ${f.client.downlinkBytesPerToyPerSec}`],
				['load generator CPU %', `${f.generator.cpuPercent ?? '—'}${f.generator.sharesGatewayCores ? ' (on the gateway\'s cores)' : ''}`],
				['bench PostgreSQL CPU % (postmaster + backends)', f.postgres ? (f.postgres.cpuPercent ?? '—') : 'n/a (not started here)'],
				['client errors', kv(f.clientErrors)],
			],
			0,
		),
		markdownTable(
			['latency (ms)', 'n', 'p50', 'p95', 'p99', 'max'],
			(
				[
					['handshake', f.handshakeMs],
					['endpoint: frame the VAD ends the turn on sent → stt (decode + VAD + turn start)', f.endpointMs],
					['manual upload: ping after frame → pong (no decode behind it)', f.ingestMs],
					['heartbeat ping → pong', f.heartbeatRttMs],
					['end of speech → first frame, any answer', f.anyFirstFrameMs],
					['end of speech → first frame, provider answers', f.endOfSpeechToFirstFrameMs],
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
		f.providerKnown ? '' : '_Provider answers, cached lines, gateway-added latency and frames lost: n/a — only the fake provider stamps its answers._\n',
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
			st.of ? `${st.n} (run ${st.run}/${st.of})` : String(st.n),
			String(f.connectionsHeld),
			String(f.turns.answered),
			`${f.turns.noAudio}/${f.turns.playbackOverTimeout}`,
			String(f.framesLost ?? 'n/a'),
			f.stored ? String(f.stored.messages) : 'n/a',
			f.gatewayAddedMs.p50,
			f.gatewayAddedMs.p99,
			f.providerToFirstFrameMs.p99,
			f.endpointMs.p99 ?? f.ingestMs.p99,
			f.pacingJitterMs.p99,
			f.gateway.cpuPercentAvg,
			kib(f.gateway.rssKiB),
			f.generator.cpuPercent,
			f.postgres?.cpuPercent ?? 'n/a',
			st.held ? 'held' : st.reason,
		]
	})
	return [
		`### Sweep ${s.label}, ${s.codec} codec, ${s.processes} process(es): **${s.maxToys} toys talking**, ${s.toysPerCore ?? 'n/a'} per core (limit: ${s.limitedBy})`,
		'',
		`Budget: gateway-added p99 (end of speech → first frame, minus the provider's fixed latency) ≤ ${s.budgetMs} ms, downlink pacing jitter p99 ≤ ${s.jitterBudgetMs} ms, no lost frame, every turn answered, every toy connected.`,
		'',
		markdownTable(
			['N', 'held', 'answered', 'no audio/stalled', 'lost', 'rows', 'added p50', 'added p99', 'prov→frame p99', 'endpoint p99 (manual: ping)', 'jitter p99', 'gw CPU %', 'gw RSS MiB', 'gen CPU %', 'pg CPU %', 'verdict'],
			rows,
			1,
		),
		chart ? `![latency and CPU against N, ${s.label} ${s.codec}](${chart})\n` : '_Chart skipped: gnuplot is not installed (apt-get install -y gnuplot-nox)._\n',
	].join('\n')
}

/** Renders latency p99 and gateway CPU against N for each sweep into `pngPath`; false without gnuplot. */
export function renderChart(sweeps: Sweep[], pngPath: string): boolean {
	if (!Bun.which('gnuplot') || sweeps.length === 0) return false
	const dir = mkdtempSync(join(tmpdir(), 'fleet-chart-'))
	try {
		const plots: string[] = []
		for (const s of sweeps) {
			const data = join(dir, `${s.codec}-${s.processes}.dat`)
			const name = `${s.codec}${s.processes > 1 ? ` ×${s.processes}` : ''}`
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
				`'${data}' using 1:2 axes x1y1 with linespoints lw 2 title '${name}: added latency p99 (ms)'`,
				`'${data}' using 1:3 axes x1y1 with linespoints dt 2 title '${name}: added latency p50 (ms)'`,
				`'${data}' using 1:4 axes x1y2 with linespoints dt 3 title '${name}: gateway CPU % (right)'`,
			)
		}
		const script = [
			`set terminal pngcairo size 1000,560 font ',10'`,
			`set output '${pngPath}'`,
			`set title 'Teddy gateway, ${sweeps[0].label}: toys talking (N) vs answer latency and CPU'`,
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
